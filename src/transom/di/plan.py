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

from pydantic import BaseModel, Field, PydanticSchemaGenerationError, TypeAdapter
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
from transom.di.extract import (
    Reads,
    SealedReader,
    default_number,
    extract_function,
    reads,
    sealed_number,
)
from transom.params import (
    BodyParam,
    CookieParam,
    Dependency,
    FileParam,
    FormParam,
    HeaderParam,
    Param,
    ParamSource,
)
from transom.requests import Request
from transom.security.base import SecurityBase
from transom.serialization import type_label

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
    #: A fresh `SecurityScopes` of the step's own `scopes`.
    SECURITY_SCOPES = 4


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
    #: A signed or encrypted cookie: the number of its reader (`di.extract.SEALED`).
    sealed: int | None = None
    #: A parameter-model field: the number of its default's maker (`di.extract.DEFAULTS`),
    #: the value it gets when the request leaves it out.
    default: int | None = None
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
    #: The OAuth2 scopes `Security()` declared on the chain to this step, outermost
    #: first, each once (what its `SecurityScopes` parameter receives).
    scopes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class FormField:
    """A key of a form body and how its values are handed to validation."""

    key: str
    #: Every value of the key (`list[str]`, `list[UploadFile]`), not only the last.
    many: bool
    #: Files read into `bytes` (`bytes` or `list[bytes]` declared with `File()`).
    as_bytes: bool
    #: A form model's optional field: its default stands in for an absent key, as
    #: in FastAPI (so a 422's `input` shows it).
    default: FieldInfo | None = None


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
    #: A form taken whole by a model (or a union of models) also gets the keys no
    #: field reads, as in FastAPI: `extra="forbid"` refuses them, a 422 shows them.
    form_extras: bool = False

    @property
    def label(self) -> str:
        """How errors name the route, e.g. `route GET /items/{item_id}` (the handler's label)."""
        return self.steps[-1].label

    @property
    def inputs(self) -> list[Input]:
        """Every validated request parameter (non-body), deduplicated by source and name,
        in FastAPI's order (as its OpenAPI document lists them): path parameters, then
        query, header and cookie ones, each kind in `_declared_order`."""
        seen: set[tuple[ParamSource, str]] = set()
        found: list[Input] = []
        for step in _declared_order(self.steps):
            for item in step.inputs:
                if (item.source, item.lookup) not in seen:
                    seen.add((item.source, item.lookup))
                    found.append(item)
        return sorted(found, key=lambda item: _SOURCE_ORDER[item.source])

    @property
    def body_inputs(self) -> list[Input]:
        """Every body parameter, in FastAPI's order (see `_unique_bodies`)."""
        return _unique_bodies(self.steps)


def _bare(call: Any) -> Any:
    """`call` without any `functools.partial` around it."""
    while isinstance(call, functools.partial):
        call = call.func
    return call


def _faces(call: Any) -> list[Any]:
    """The functions that say how `call` is called, as FastAPI looks for them.

    A decorator written with `functools.wraps` may hand a sync wrapper over an
    `async def` (or a generator function): what the wrapper returns is the
    wrapped function's coroutine or generator, so the wrapped function decides.
    Looked at: `call` without `partial`, what it wraps, and the `__call__` of
    either (itself bare and unwrapped), unless `call` unwraps to a class.
    """
    bare = _bare(call)
    faces = [bare, inspect.unwrap(bare)]
    if inspect.isclass(faces[1]):
        return faces
    for owner in faces[:2]:
        method = getattr(owner, "__call__", None)  # noqa: B004 - callable instances
        if method is not None:
            method = _bare(method)
            faces += [method, inspect.unwrap(method)]
    return faces


def _mode(call: Callable[..., Any]) -> CallMode:
    faces = _faces(call)
    if any(inspect.isasyncgenfunction(face) for face in faces):
        return CallMode.ASYNC_GEN
    if any(inspect.isgeneratorfunction(face) for face in faces):
        return CallMode.SYNC_GEN
    if any(inspect.iscoroutinefunction(face) for face in faces):
        return CallMode.ASYNC
    return CallMode.SYNC


def clean_annotation(annotation: Any) -> Any:
    """The annotation without transom markers (pydantic must not see them)."""
    if get_origin(annotation) is not Annotated:
        return annotation
    base, *extras = get_args(annotation)
    kept = [extra for extra in extras if not isinstance(extra, (Param, Dependency))]
    return Annotated[(base, *kept)] if kept else base


_typed_dict: Any = TypedDict  # called with a computed field dict, which type checkers refuse


def _validator(inputs: list[Input], by_alias: bool, where: str) -> SchemaValidator | None:
    """One validator of every value of `inputs`, into a dict of keyword arguments.

    Raises:
        DeclarationError: if a parameter's type is not one pydantic can validate.
    """
    if not inputs:
        return None
    # A TypedDict validates straight into the keyword arguments (a dict), with
    # defaults filled in: no model instance per request.
    fields: dict[str, Any] = {}
    for item in inputs:
        field: FieldInfo = item.param.field_info(alias=item.lookup if by_alias else None)
        # A sealed cookie's reader validates its payload; the value passes through here.
        annotation = Any if item.sealed is not None else clean_annotation(item.annotation)
        if item.sealed is not None:
            factory = field.default_factory
            field = Field(field.default) if factory is None else Field(default_factory=factory)
        annotated: Any = Annotated[(annotation, field)]
        fields[item.key] = Required[annotated] if item.param.required else NotRequired[annotated]
    params: Any = _typed_dict("Params", fields)
    try:
        validator: SchemaValidator = TypeAdapter(params).validator  # type: ignore[assignment]
    except PydanticSchemaGenerationError:
        raise _unreadable(where, _first_unreadable(inputs)) from None
    return validator


def _first_unreadable(inputs: list[Input]) -> Input:
    """The first of `inputs` whose type pydantic cannot build a schema for."""
    for item in inputs:
        try:
            TypeAdapter(clean_annotation(item.annotation))
        except PydanticSchemaGenerationError:
            return item
    return inputs[0]  # pragma: no cover - only the combination failed


def _unreadable(where: str, item: Input) -> DeclarationError:
    """The error for a parameter of a type pydantic cannot validate (`class Foo: pass`)."""
    read = "a form field" if isinstance(item.param, FormParam) else "read from the JSON body"
    if item.source is not ParamSource.BODY:
        read = f"a {item.source.value} parameter"
    return DeclarationError(
        f"{where}: parameter {item.name!r} is {read}, but its type "
        f"{type_label(clean_annotation(item.annotation))} is "
        "not one pydantic can validate. Use a model, a dataclass or a standard type; for "
        "the request itself, annotate it with transom's Request."
    )


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
        # Keyed by callable, `scope=` and the chain's scopes (sorted) if the step
        # uses scopes, else `()`: a dependency that never sees scopes is one call
        # however differently scoped its users are, as in FastAPI.
        self.cache: dict[tuple[Callable[..., Any], str, tuple[str, ...]], int] = {}
        # Whether a callable's own tree uses scopes (a `SecurityScopes` parameter,
        # a security scheme, or such a dependency); known once it has been added.
        self.tree_uses: dict[Callable[..., Any], bool] = {}
        self.step_uses: dict[int, bool] = {}
        self.active: list[Callable[..., Any]] = []

    def where(self, chain: list[str]) -> str:
        return f"{self.label}: dependency {' -> '.join(chain)}" if chain else self.label

    def add(
        self,
        original: Callable[..., Any],
        dependency: Dependency,
        chain: list[str],
        chain_scopes: tuple[str, ...] = (),
    ) -> int:
        scopes = _united(chain_scopes, dependency.scopes)
        # One instance per callable and scope: a `scope="function"` use and a
        # `scope="request"` use of one generator are two resources.
        scope = dependency.scope or "request"
        if dependency.use_cache:
            found = self._cached(original, scope, scopes, bool(dependency.scopes))
            if found is not None:
                return found
        if original in self.active:
            cycle = " -> ".join(call_name(c) for c in [*self.active, original])
            raise DeclarationError(f"{self.label}: dependency cycle {cycle}.")
        call = self.overrides.get(original, original)
        if not callable(call):
            raise DeclarationError(
                f"{self.where(chain)}: Depends() needs a callable, got {call!r}."
            )
        self.active.append(original)
        step = self._step(original, call, scope, chain, scopes, chain_scopes + dependency.scopes)
        self.active.pop()
        self.steps.append(step)
        index = len(self.steps) - 1
        tree = (
            isinstance(original, SecurityBase)
            or any(kind is ArgKind.SECURITY_SCOPES for _, kind, _ in step.args)
            or any(self.step_uses[need] for need in step.needs)
        )
        self.tree_uses[original] = tree
        uses = self.step_uses[index] = tree or bool(dependency.scopes)
        if dependency.use_cache:
            self.cache[(original, scope, tuple(sorted(scopes)) if uses else ())] = index
        return index

    def _cached(
        self, original: Callable[..., Any], scope: str, scopes: tuple[str, ...], own: bool
    ) -> int | None:
        """The step already added for this use of `original`, if any."""
        tree = self.tree_uses.get(original)
        if tree is None:
            return None  # never added: nothing cached
        key = tuple(sorted(scopes)) if own or tree else ()
        return self.cache.get((original, scope, key))

    def _step(
        self,
        original: Callable[..., Any],
        call: Callable[..., Any],
        scope: str,
        chain: list[str],
        scopes: tuple[str, ...] = (),
        chain_scopes: tuple[str, ...] = (),
    ) -> Step:
        """The step of `call`; `scopes` are its own (each once), `chain_scopes` every scope
        declared on the way to it, which its dependencies start from."""
        where = self.where(chain)
        args: list[tuple[str, ArgKind, int]] = []
        inputs: list[Input] = []
        body: list[Input] = []
        for parameter in signature_of(call, where).parameters.values():
            analysed = analyse_parameter(parameter, self.path_params, where)
            if analysed.dependency is not None:
                _check_scopes(call, scope, analysed.dependency, where)
                index = self._dependency(analysed, analysed.dependency, chain, where, chain_scopes)
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
            validator=_validator(inputs, by_alias=False, where=where),
            body_inputs=tuple(body),
            body_validator=None,
            args=tuple(args),
            needs=tuple(ref for _, kind, ref in args if kind is ArgKind.DEPENDENCY),
            original=original,
            reads=step_reads,
            extract=(
                None if step_reads is None else extract_function(step_reads, owner=where, runs=call)
            ),
            scopes=scopes,
        )

    def _dependency(
        self,
        analysed: Analysed,
        dependency: Dependency,
        chain: list[str],
        where: str,
        scopes: tuple[str, ...],
    ) -> int:
        """Add the step a `Depends()` parameter names; its index."""
        target = dependency.dependency or analysed.annotation
        if not callable(target):
            raise DeclarationError(
                f"{where}: parameter {analysed.name!r} uses Depends() without a "
                "callable and its annotation is not a class to call."
            )
        return self.add(target, dependency, [*chain, call_name(target)], scopes)

    def _input(self, analysed: Analysed, param: Param) -> Input:
        if isinstance(param, CookieParam) and param.sealed:
            return _sealed_input(analysed, param)
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


def _model_field_key(name: str, field: FieldInfo) -> str:
    """The key a model field is validated from: its validation alias (a string), alias or name.

    As in FastAPI, an `AliasPath` or `AliasChoices` is not a request name.
    """
    alias = field.validation_alias
    return alias if isinstance(alias, str) and alias else field.alias or name


def _check_scopes(call: Callable[..., Any], scope: str, dependency: Dependency, where: str) -> None:
    """A `yield` dependency torn down after the response cannot use one torn down before it.

    Raises:
        DeclarationError: for a request-scoped generator depending on a function-scoped one.
    """
    generator = _mode(call) in (CallMode.ASYNC_GEN, CallMode.SYNC_GEN)
    if generator and scope == "request" and dependency.scope == "function":
        raise DeclarationError(
            f'{where}: The dependency "{getattr(call, "__name__", call_name(call))}" has a '
            'scope of "request", it cannot depend on dependencies with scope "function": '
            'those end before it does. Declare it with Depends(..., scope="function") as well.'
        )


def _sealed_input(analysed: Analysed, param: CookieParam) -> Input:
    """A signed or encrypted cookie: read by a `SealedReader`, validated as its type."""
    lookup = lookup_name(analysed.name, param)
    annotation = clean_annotation(analysed.annotation)
    constraints = {key: value for key, value in param.constraints.items() if key in _CONSTRAINTS}
    if constraints:
        annotation = Annotated[annotation, Field(**constraints)]
    number = sealed_number(
        (lookup, param.purpose, param.encrypted, annotation),
        lambda: SealedReader(lookup, param.purpose, param.encrypted, annotation),
    )
    return Input(
        analysed.name,
        analysed.name,
        param.source,
        lookup,
        False,
        analysed.annotation,
        param,
        sealed=number,
    )


_CONSTRAINTS = ("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length", "pattern")


def _model_input(name: str, model: type[BaseModel], param: Param) -> Input:
    """A parameter model: each field read from the request by its own name, as FastAPI does.

    A field's request name is its validation alias or alias, else its name (for
    headers with underscores converted, as the marker says); it is validated
    under that key.
    """
    fields = []
    for field_name, field in model.model_fields.items():
        key = _model_field_key(field_name, field)
        marker = type(param)(
            PydanticUndefined if field.is_required() else field.default,
            alias=field.alias,
            validation_alias=key if key != (field.alias or field_name) else None,
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
        default = default_number((model, field_name), field)
        fields.append(
            Input(
                key, field_name, param.source, lookup, sequence, annotation, marker, default=default
            )
        )
    # The values no field reads go in too: `extra="forbid"` refuses them, and a 422
    # shows everything that was sent, as FastAPI's does.
    return Input(
        name, name, param.source, name, False, model, param, fields=tuple(fields), extras=True
    )


_SPECIAL_ARGS = {
    Special.REQUEST: ArgKind.REQUEST,
    Special.RESPONSE: ArgKind.RESPONSE,
    Special.BACKGROUND: ArgKind.BACKGROUND,
    Special.SECURITY_SCOPES: ArgKind.SECURITY_SCOPES,
}


def _united(chain: tuple[str, ...], own: tuple[str, ...]) -> tuple[str, ...]:
    """A step's scopes: those declared on the way to it, then each of its own not among
    them yet (FastAPI 0.141 keeps a scope repeated further up the chain twice)."""
    if not own:
        return chain
    return chain + tuple(dict.fromkeys(scope for scope in own if scope not in chain))


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
    first: list[int] = []
    for dependency in dependencies:
        if dependency.dependency is None:
            raise DeclarationError(f"{label}: dependencies=[Depends()] needs a callable.")
        first.append(
            builder.add(dependency.dependency, dependency, [call_name(dependency.dependency)])
        )
    handler_step = builder._step(handler, handler, "request", [])
    handler_step = dataclasses.replace(handler_step, needs=(*first, *handler_step.needs))
    builder.steps.append(handler_step)
    return _finish(builder.steps)


#: The order in which FastAPI lists the kinds of parameters.
_SOURCE_ORDER = {source: index for index, source in enumerate(ParamSource)}


def _declared_order(steps: Sequence[Step]) -> list[Step]:
    """The steps in FastAPI's order of declarations: a callable before the dependencies
    it needs, from the handler down (its route's `dependencies=[...]` first)."""
    ordered: list[Step] = []
    seen: set[int] = set()

    def visit(index: int) -> None:
        seen.add(index)
        ordered.append(steps[index])
        for need in steps[index].needs:
            if need not in seen:
                visit(need)

    if steps:
        visit(len(steps) - 1)
    return ordered


def _unique_bodies(steps: Sequence[Step]) -> list[Input]:
    """Every body parameter, each name once, in `_declared_order`, as the OpenAPI body
    schema lists them. (Each step validates its own when it is reached, so errors come
    in call order.)"""
    unique: dict[str, Input] = {}
    for step in _declared_order(steps):
        for item in step.body_inputs:
            unique.setdefault(item.lookup, item)
    return list(unique.values())


def _finish(steps: list[Step]) -> Plan:
    bodies = _unique_bodies(steps)
    form_fields = _form_fields(bodies, steps[-1].label)
    single = len(bodies) == 1 and not getattr(bodies[0].param, "embed", False)
    if form_fields is not None:
        # Form fields are keys of the form, unless one model (or a union of models)
        # takes the whole form.
        single = len(bodies) == 1 and (
            _is_model(bodies[0].annotation) or _is_model_union(bodies[0].annotation)
        )
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
            raise _unreadable(where, item) from None
    elif mode is BodyMode.EMBEDDED:
        steps = [
            dataclasses.replace(
                step,
                body_validator=_validator(list(step.body_inputs), by_alias=True, where=step.label),
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
        # A sealed cookie that an older key opened is re-issued on the temporal response.
        uses_temporal=ArgKind.RESPONSE in kinds
        or any(item.sealed is not None for step in steps for item in step.inputs),
        uses_background=ArgKind.BACKGROUND in kinds,
        function_stack=any(step.scope == "function" for step in generators),
        request_stack=any(step.scope == "request" for step in generators),
        form_fields=form_fields,
        form_extras=form_fields is not None and single,
    )


def _is_model(annotation: Any) -> bool:
    annotation = clean_annotation(annotation)
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_model_union(annotation: Any) -> bool:
    """`ModelA | ModelB`: a form taken whole by whichever member it validates as."""
    annotation = clean_annotation(annotation)
    if get_origin(annotation) not in (typing.Union, types.UnionType):
        return False
    return all(_is_model(member) for member in get_args(annotation))


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
    if len(forms) == 1 and _is_model_union(forms[0].annotation):
        return ()  # every key, under its own name (`form_extras`)
    if len(forms) == 1 and _is_model(forms[0].annotation):
        model = clean_annotation(forms[0].annotation)
        return tuple(
            dataclasses.replace(
                _form_field(_model_field_key(name, field), field.annotation, False),
                default=_stand_in_default(field),
            )
            for name, field in model.model_fields.items()
        )
    return tuple(
        _form_field(item.lookup, item.annotation, isinstance(item.param, FileParam))
        for item in forms
    )


def _stand_in_default(field: FieldInfo) -> FieldInfo | None:
    """The field, if its default can stand in for an absent form key before validation."""
    if field.is_required() or field.default_factory_takes_validated_data:
        return None  # a factory of the validated data runs in validation only
    return field


def _form_field(key: str, annotation: Any, is_file: bool) -> FormField:
    inner = clean_annotation(annotation)
    members = [arg for arg in get_args(inner) if arg is not type(None)]
    if get_origin(inner) in (typing.Union, types.UnionType) and len(members) == 1:
        inner = members[0]  # Optional[X]
    # `list[str]`, or a bare `list`, `set`, `tuple`
    many = (get_origin(inner) or inner) in (list, set, tuple, frozenset, collections.abc.Sequence)
    item = get_args(inner)[0] if many and get_args(inner) else inner
    return FormField(key, many, is_file and item is bytes)
