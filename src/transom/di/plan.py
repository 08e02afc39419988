"""The dependency plan of a route: built once, executed per request.

A `Plan` is the handler and every dependency it needs, flattened into `Step`s in
call order (dependencies first), with shared dependencies deduplicated (the
per-request cache of `Depends(use_cache=True)` is a slot per step). Each step
knows which request values it reads (`reads`, and those lines compiled as its
`extract`, from `di/extract.py`) and holds one compiled pydantic validator for
all of them, so a request only extracts, validates once per step, and calls.
A plan is complete when `build_plan` returns it, and frozen: compiling it or
running it never changes it.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, NotRequired, Required, get_args, get_origin

from pydantic import BaseModel, ConfigDict, PydanticSchemaGenerationError, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, SchemaValidator
from typing_extensions import TypedDict

from transom.di.analysis import (
    Analysed,
    DeclarationError,
    Special,
    analyse_parameter,
    call_name,
    is_param_model,
    is_sequence,
    lookup_name,
    signature_of,
)
from transom.di.extract import Reads, extract_function, reads
from transom.params import (
    BodyParam,
    Dependency,
    FileParam,
    FormParam,
    HeaderParam,
    Param,
    ParamSource,
)
from transom.requests import Request

__all__ = [
    "ArgKind",
    "BodyMode",
    "CallMode",
    "FormField",
    "Input",
    "Plan",
    "Step",
    "build_plan",
    "clean_annotation",
]


class CallMode(enum.Enum):
    """How a step's callable is invoked."""

    ASYNC = "async"
    SYNC = "sync"
    ASYNC_GEN = "async generator"
    SYNC_GEN = "sync generator"


class ArgKind(enum.IntEnum):
    """Where a non-validated argument comes from."""

    DEPENDENCY = 0
    REQUEST = 1
    RESPONSE = 2
    BACKGROUND = 3


class BodyMode(enum.Enum):
    """How the JSON body maps onto body parameters."""

    NONE = "none"
    #: One body parameter, not embedded: the whole body is its value.
    SINGLE = "single"
    #: Several body parameters (or `embed=True`): the body is an object keyed by alias.
    EMBEDDED = "embedded"


@dataclasses.dataclass(frozen=True, slots=True)
class Input:
    """A parameter read from the request and validated.

    `key` is the field name in the step's validator: the Python parameter name.
    """

    key: str
    name: str
    source: ParamSource
    lookup: str
    sequence: bool
    annotation: Any
    param: Param
    #: For a parameter model (`Annotated[Model, Query()]`): one input per model
    #: field, keyed by the field's validation alias; the model gets them as a dict.
    fields: tuple[Input, ...] = ()
    #: A parameter model also gets the values no field reads (so `extra="forbid"`
    #: can refuse them), each a list when it was sent more than once.
    extras: bool = False
    #: `lookup` as latin-1 bytes, to compare with raw header names.
    lookup_bytes: bytes = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lookup_bytes", self.lookup.encode("latin-1"))


@dataclasses.dataclass(frozen=True, slots=True)
class Step:
    """One callable of the plan and how to fill its arguments.

    `reads` and `extract` are set exactly when the step has `inputs` (and so a
    `validator`): the lines that read their raw values from the request, and
    those lines compiled on their own as `extract(request) -> dict`.
    """

    call: Callable[..., Any]
    label: str
    mode: CallMode
    scope: str
    inputs: tuple[Input, ...]
    validator: SchemaValidator | None
    body_inputs: tuple[Input, ...]
    body_validator: SchemaValidator | None
    args: tuple[tuple[str, ArgKind, int], ...]
    needs: tuple[int, ...]
    original: Callable[..., Any]
    reads: Reads | None
    extract: Callable[[Request], dict[str, Any]] | None


@dataclasses.dataclass(frozen=True, slots=True)
class FormField:
    """A key of a form body and how its values are handed to validation."""

    key: str
    #: Every value of the key (`list[str]`, `list[UploadFile]`), not only the last.
    many: bool
    #: Files read into `bytes` (`bytes` or `list[bytes]` declared with `File()`).
    as_bytes: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """Everything a route needs to run its handler, computed once."""

    steps: tuple[Step, ...]
    body_mode: BodyMode
    body_required: bool
    body_default: Any
    single_body: Input | None
    single_body_adapter: TypeAdapter[Any] | None
    uses_temporal: bool
    uses_background: bool
    function_stack: bool
    request_stack: bool
    #: The body is a form (`Form()`, `File()`, `UploadFile`): the keys it reads.
    form_fields: tuple[FormField, ...] | None = None
    #: A form model that forbids (or keeps) extra fields also gets the other keys.
    form_extras: bool = False

    @property
    def label(self) -> str:
        """How errors name the route, e.g. `route GET /items/{item_id}` (the handler's label)."""
        return self.steps[-1].label

    @property
    def inputs(self) -> list[Input]:
        """Every validated request parameter (non-body), deduplicated by source and name."""
        seen: set[tuple[ParamSource, str]] = set()
        found: list[Input] = []
        for step in self.steps:
            for item in step.inputs:
                if (item.source, item.lookup) not in seen:
                    seen.add((item.source, item.lookup))
                    found.append(item)
        return found

    @property
    def body_inputs(self) -> list[Input]:
        """Every body parameter, in call order."""
        return _unique_bodies(self.steps)


def _mode(call: Callable[..., Any]) -> CallMode:
    target = call
    # `inspect` sees through `functools.partial` and `functools.wraps`: ask it
    # about the callable itself before looking at a callable instance's `__call__`.
    plain = inspect.isfunction(call) or inspect.ismethod(call) or inspect.isclass(call)
    if not plain and not isinstance(call, functools.partial):
        target = getattr(call, "__call__", call)  # noqa: B004 - callable instances
    if inspect.isasyncgenfunction(target):
        return CallMode.ASYNC_GEN
    if inspect.isgeneratorfunction(target):
        return CallMode.SYNC_GEN
    if inspect.iscoroutinefunction(target):
        return CallMode.ASYNC
    return CallMode.SYNC


def clean_annotation(annotation: Any) -> Any:
    """The annotation without transom markers (pydantic must not see them)."""
    if get_origin(annotation) is not Annotated:
        return annotation
    base, *extras = get_args(annotation)
    kept = [extra for extra in extras if not isinstance(extra, (Param, Dependency))]
    return Annotated[(base, *kept)] if kept else base


_PARAMS_CONFIG = ConfigDict(arbitrary_types_allowed=True)
_typed_dict: Any = TypedDict  # called with a computed field dict, which type checkers refuse


def _validator(inputs: list[Input], by_alias: bool) -> SchemaValidator | None:
    if not inputs:
        return None
    # A TypedDict validates straight into the keyword arguments (a dict), with
    # defaults filled in: no model instance per request.
    fields: dict[str, Any] = {}
    for item in inputs:
        field: FieldInfo = item.param.field_info(alias=item.lookup if by_alias else None)
        annotated: Any = Annotated[(clean_annotation(item.annotation), field)]
        fields[item.key] = Required[annotated] if item.param.required else NotRequired[annotated]
    params: Any = _typed_dict("Params", fields)
    params.__pydantic_config__ = _PARAMS_CONFIG
    validator: SchemaValidator = TypeAdapter(params).validator  # type: ignore[assignment]
    return validator


class _Builder:
    def __init__(
        self,
        label: str,
        path_params: frozenset[str],
        overrides: Mapping[Callable[..., Any], Callable[..., Any]],
    ) -> None:
        self.label = label
        self.path_params = path_params
        self.overrides = overrides
        self.steps: list[Step] = []
        self.cache: dict[tuple[Callable[..., Any], str], int] = {}
        self.active: list[Callable[..., Any]] = []

    def where(self, chain: list[str]) -> str:
        return f"{self.label}: dependency {' -> '.join(chain)}" if chain else self.label

    def add(self, original: Callable[..., Any], dependency: Dependency, chain: list[str]) -> int:
        # One instance per callable and scope: a `scope="function"` use and a
        # `scope="request"` use of one generator are two resources.
        key = (original, dependency.scope or "request")
        if dependency.use_cache and key in self.cache:
            return self.cache[key]
        if original in self.active:
            cycle = " -> ".join(call_name(c) for c in [*self.active, original])
            raise DeclarationError(f"{self.label}: dependency cycle {cycle}.")
        call = self.overrides.get(original, original)
        if not callable(call):
            raise DeclarationError(
                f"{self.where(chain)}: Depends() needs a callable, got {call!r}."
            )
        self.active.append(original)
        step = self._step(original, call, dependency.scope or "request", chain)
        self.active.pop()
        self.steps.append(step)
        index = len(self.steps) - 1
        if dependency.use_cache:
            self.cache[key] = index
        return index

    def _step(
        self, original: Callable[..., Any], call: Callable[..., Any], scope: str, chain: list[str]
    ) -> Step:
        where = self.where(chain)
        args: list[tuple[str, ArgKind, int]] = []
        inputs: list[Input] = []
        body: list[Input] = []
        for parameter in signature_of(call, where).parameters.values():
            analysed = analyse_parameter(parameter, self.path_params, where)
            if analysed.dependency is not None:
                index = self._dependency(analysed, analysed.dependency, chain, where)
                args.append((analysed.name, ArgKind.DEPENDENCY, index))
            elif analysed.special is not None:
                args.append((analysed.name, _SPECIAL_ARGS[analysed.special], -1))
            else:
                assert analysed.param is not None
                item = self._input(analysed, analysed.param)
                (body if isinstance(analysed.param, BodyParam) else inputs).append(item)
        step_reads = reads(inputs) if inputs else None
        return Step(
            call=call,
            label=where,
            mode=_mode(call),
            scope=scope,
            inputs=tuple(inputs),
            validator=_validator(inputs, by_alias=False),
            body_inputs=tuple(body),
            body_validator=None,
            args=tuple(args),
            needs=tuple(ref for _, kind, ref in args if kind is ArgKind.DEPENDENCY),
            original=original,
            reads=step_reads,
            extract=(
                None if step_reads is None else extract_function(step_reads, owner=where, runs=call)
            ),
        )

    def _dependency(
        self, analysed: Analysed, dependency: Dependency, chain: list[str], where: str
    ) -> int:
        """Add the step a `Depends()` parameter names; its index."""
        target = dependency.dependency or analysed.annotation
        if not callable(target):
            raise DeclarationError(
                f"{where}: parameter {analysed.name!r} uses Depends() without a "
                "callable and its annotation is not a class to call."
            )
        return self.add(target, dependency, [*chain, call_name(target)])

    def _input(self, analysed: Analysed, param: Param) -> Input:
        if is_param_model(param, analysed.annotation):
            model = analysed.annotation
            if get_origin(model) is Annotated:
                model = get_args(model)[0]
            return _model_input(analysed.name, model, param)
        return Input(
            analysed.name,
            analysed.name,
            param.source,
            lookup_name(analysed.name, param),
            is_sequence(analysed.annotation),
            analysed.annotation,
            param,
        )


def _model_input(name: str, model: type[BaseModel], param: Param) -> Input:
    """A parameter model: each field read from the request by its own name, as FastAPI does.

    A field's request name is its alias, else its name (for headers with
    underscores converted, as the marker says); it is validated under the
    field's alias.
    """
    fields = []
    for field_name, field in model.model_fields.items():
        # The name pydantic validates the field from: its validation alias, else its alias.
        validation_alias = field.validation_alias
        alias = validation_alias if isinstance(validation_alias, str) else field.alias
        key = alias or field_name
        marker = type(param)(
            PydanticUndefined if field.is_required() else field.default,
            alias=alias,
            description=field.description,
            deprecated=bool(field.deprecated) or None,
        )
        if isinstance(param, HeaderParam) and isinstance(marker, HeaderParam):
            marker.convert_underscores = param.convert_underscores
        # The field's type and constraints; its alias and default live on the marker
        # (pydantic warns about an alias outside a model).
        annotation: Any = (
            Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        )
        lookup = lookup_name(field_name, marker)
        sequence = is_sequence(field.annotation)
        fields.append(Input(key, field_name, param.source, lookup, sequence, annotation, marker))
    # The values no field reads go in too: `extra="forbid"` refuses them, and a 422
    # shows everything that was sent, as FastAPI's does.
    return Input(
        name, name, param.source, name, False, model, param, fields=tuple(fields), extras=True
    )


_SPECIAL_ARGS = {
    Special.REQUEST: ArgKind.REQUEST,
    Special.RESPONSE: ArgKind.RESPONSE,
    Special.BACKGROUND: ArgKind.BACKGROUND,
}


def build_plan(
    handler: Callable[..., Any],
    *,
    label: str,
    path_params: frozenset[str],
    dependencies: list[Dependency],
    overrides: Mapping[Callable[..., Any], Callable[..., Any]],
) -> Plan:
    """Analyse `handler` and its dependencies into a `Plan`.

    Args:
        handler: The path operation function.
        label: How errors name the route, e.g. `route GET /items/{item_id}`.
        path_params: The parameter names of the route path.
        dependencies: Route, router and app `dependencies=[...]`, run first.
        overrides: `app.dependency_overrides`.

    Raises:
        DeclarationError: naming the route and the dependency chain.
    """
    builder = _Builder(label, path_params, overrides)
    for dependency in dependencies:
        if dependency.dependency is None:
            raise DeclarationError(f"{label}: dependencies=[Depends()] needs a callable.")
        builder.add(dependency.dependency, dependency, [call_name(dependency.dependency)])
    handler_step = builder._step(handler, handler, "request", [])
    handler_step = dataclasses.replace(handler_step, needs=tuple(range(len(builder.steps))))
    builder.steps.append(handler_step)
    return _finish(builder.steps)


def _unique_bodies(steps: Sequence[Step]) -> list[Input]:
    """Every body parameter in call order; one declared by a dependency and by the
    handler is one field."""
    unique: dict[str, Input] = {}
    for step in steps:
        for item in step.body_inputs:
            unique.setdefault(item.lookup, item)
    return list(unique.values())


def _finish(steps: list[Step]) -> Plan:
    bodies = _unique_bodies(steps)
    form_fields = _form_fields(bodies, steps[-1].label)
    single = len(bodies) == 1 and not getattr(bodies[0].param, "embed", False)
    if form_fields is not None:
        # Form fields are keys of the form, unless one model takes the whole form.
        single = len(bodies) == 1 and _is_model(bodies[0].annotation)
    mode = BodyMode.NONE if not bodies else BodyMode.SINGLE if single else BodyMode.EMBEDDED
    adapter: TypeAdapter[Any] | None = None
    if mode is BodyMode.SINGLE:
        item = bodies[0]
        annotation = clean_annotation(item.annotation)
        if item.param.constraints:
            annotation = Annotated[(annotation, item.param.field_info())]
        try:
            adapter = TypeAdapter(annotation)
        except PydanticSchemaGenerationError:
            where = next(step.label for step in steps if item in step.body_inputs)
            raise DeclarationError(
                f"{where}: parameter {item.name!r} is read from the JSON body, but its type "
                f"{item.annotation!r} is not one pydantic can validate. Use a model, a "
                "dataclass or a standard type; for the request itself, annotate it with "
                "transom's Request."
            ) from None
    elif mode is BodyMode.EMBEDDED:
        steps = [
            dataclasses.replace(
                step, body_validator=_validator(list(step.body_inputs), by_alias=True)
            )
            for step in steps
        ]
    kinds = {kind for step in steps for _, kind, _ in step.args}
    generators = [step for step in steps if step.mode in (CallMode.ASYNC_GEN, CallMode.SYNC_GEN)]
    first_body = bodies[0].param if bodies else None
    return Plan(
        steps=tuple(steps),
        body_mode=mode,
        body_required=any(item.param.required for item in bodies),
        body_default=(
            first_body.default
            if first_body is not None and first_body.default is not PydanticUndefined
            else None
        ),
        single_body=bodies[0] if single else None,
        single_body_adapter=adapter,
        uses_temporal=ArgKind.RESPONSE in kinds,
        uses_background=ArgKind.BACKGROUND in kinds,
        function_stack=any(step.scope == "function" for step in generators),
        request_stack=any(step.scope == "request" for step in generators),
        form_fields=form_fields,
        form_extras=(
            form_fields is not None
            and single
            and clean_annotation(bodies[0].annotation).model_config.get("extra")
            in ("forbid", "allow")
        ),
    )


def _is_model(annotation: Any) -> bool:
    annotation = clean_annotation(annotation)
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _form_fields(bodies: list[Input], label: str) -> tuple[FormField, ...] | None:
    """The form keys of a form body, or `None` for a JSON body.

    Raises:
        DeclarationError: if form and JSON body parameters are mixed.
    """
    forms = [item for item in bodies if isinstance(item.param, FormParam)]
    if not forms:
        return None
    if len(forms) != len(bodies):
        json = next(item for item in bodies if not isinstance(item.param, FormParam))
        raise DeclarationError(
            f"{label}: {forms[0].name!r} is a form field and {json.name!r} a JSON body "
            "parameter: a "
            "request has one body. Declare both with Form()/File(), or both with Body()."
        )
    if len(forms) == 1 and _is_model(forms[0].annotation):
        model = clean_annotation(forms[0].annotation)
        return tuple(
            _form_field(field.alias or name, field.annotation, False)
            for name, field in model.model_fields.items()
        )
    return tuple(
        _form_field(item.lookup, item.annotation, isinstance(item.param, FileParam))
        for item in forms
    )


def _form_field(key: str, annotation: Any, is_file: bool) -> FormField:
    inner = clean_annotation(annotation)
    members = [arg for arg in get_args(inner) if arg is not type(None)]
    if get_origin(inner) in (typing.Union, types.UnionType) and len(members) == 1:
        inner = members[0]  # Optional[X]
    many = get_origin(inner) in (list, set, tuple, frozenset, collections.abc.Sequence)
    item = get_args(inner)[0] if many and get_args(inner) else inner
    return FormField(key, many, is_file and item is bytes)
