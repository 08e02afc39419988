"""Reading signatures: what each parameter of a handler or dependency asks for.

Runs once per route when it is added (and again if dependency overrides
change). Every mistake is raised here as a `DeclarationError` whose message
names the route and the dependency chain, never later during a request.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import inspect
import ipaddress
import pathlib
import types
import typing
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, get_args, get_origin

import typing_extensions
from pydantic import AnyUrl, BaseModel, Json
from pydantic_core import PydanticUndefined

from transom.background import BackgroundTasks
from transom.datastructures import UploadFile
from transom.exceptions import DeclarationError
from transom.params import (
    BodyParam,
    Dependency,
    FileParam,
    HeaderParam,
    Param,
    ParamSource,
    PathParam,
    QueryParam,
)
from transom.requests import HTTPConnection
from transom.responses import Response
from transom.security.oauth2 import SecurityScopes
from transom.serialization import check_not_pydantic_v1, type_label

__all__ = [
    "DeclarationError",
    "Special",
    "analyse_parameter",
    "call_name",
    "infer_response_model",
    "is_param_model",
    "is_scalar",
    "is_sequence",
    "signature_of",
]


class Special(enum.Enum):
    """Parameters filled from the request context rather than validated."""

    REQUEST = "request"
    RESPONSE = "response"
    BACKGROUND = "background"
    SECURITY_SCOPES = "security scopes"


_SCALARS = (
    str,
    int,
    float,
    bool,
    bytes,
    decimal.Decimal,
    uuid.UUID,
    datetime.datetime,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    enum.Enum,
    pathlib.PurePath,
    # Parsed from one string too, as FastAPI reads them from a query or header.
    AnyUrl,
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
)
_SEQUENCES = (list, set, frozenset, tuple, Sequence, typing.Sequence)


def _strip(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _union_args(annotation: Any) -> tuple[Any, ...] | None:
    if get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(arg for arg in get_args(annotation) if arg is not type(None))
    return None


def _reads_json(annotation: Any) -> bool:
    """`Json[X]` (pydantic's): one string holding JSON, whatever `X` is."""
    while get_origin(annotation) is Annotated:
        base, *extras = get_args(annotation)
        if any(extra is Json or type(extra) is Json for extra in extras):
            return True
        annotation = base
    return False


def is_scalar(annotation: Any) -> bool:
    """Whether a value of this type can come from one query string item."""
    if _reads_json(annotation):
        return True
    annotation = _strip(annotation)
    members = _union_args(annotation)
    if members is not None:
        return all(is_scalar(member) for member in members)
    if annotation is Any or get_origin(annotation) is Literal:
        return True
    return isinstance(annotation, type) and issubclass(annotation, _SCALARS)


def is_sequence(annotation: Any) -> bool:
    """Whether this is a sequence of scalars (`list[int]`, `set[str] | None`, ...)."""
    if _reads_json(annotation):
        return False  # `Json[list[str]]` is one value: `?items=["a","b"]`
    annotation = _strip(annotation)
    members = _union_args(annotation)
    if members is not None:
        return len(members) == 1 and is_sequence(members[0])
    origin = get_origin(annotation) or annotation
    if origin not in _SEQUENCES:
        return False
    args = [arg for arg in get_args(annotation) if arg is not Ellipsis]
    return all(is_scalar(arg) for arg in args)


def call_name(call: Callable[..., Any]) -> str:
    """A readable name of a callable, for error messages."""
    name = getattr(call, "__qualname__", None) or getattr(type(call), "__qualname__", None)
    return name or repr(call)


def signature_of(call: Callable[..., Any], where: str) -> inspect.Signature:
    """The signature of `call` with string annotations evaluated."""
    try:
        return inspect.signature(call, eval_str=True)
    except (NameError, SyntaxError) as exc:
        # The return annotation is never needed for a dependency: a name imported
        # only under TYPE_CHECKING may stand there.
        signature = _parameters_evaluated(call)
        if signature is not None:
            return signature
        raise DeclarationError(
            f"{where}: cannot evaluate the annotations of {call_name(call)}: {exc}. "
            "Import the names used in annotations at module level."
        ) from None
    except (TypeError, ValueError) as exc:
        raise DeclarationError(
            f"{where}: {call_name(call)!r} is not a callable with a signature: {exc}."
        ) from None


def _parameters_evaluated(call: Callable[..., Any]) -> inspect.Signature | None:
    """`call`'s signature with its parameter annotations evaluated, its return one not."""
    try:
        plain = inspect.signature(call)
        names = getattr(inspect.unwrap(call), "__globals__", {})
        parameters = [
            # As `eval_str=True` does: annotations are the program's own code.
            parameter.replace(annotation=eval(parameter.annotation, names))
            if isinstance(parameter.annotation, str)
            else parameter
            for parameter in plain.parameters.values()
        ]
    except (NameError, SyntaxError, TypeError, ValueError):
        return None
    return plain.replace(parameters=parameters, return_annotation=inspect.Signature.empty)


@dataclasses.dataclass(frozen=True, slots=True)
class Analysed:
    """One parameter, classified.

    Exactly one of `param`, `dependency` and `special` is set.
    """

    name: str
    annotation: Any
    param: Param | None = None
    dependency: Dependency | None = None
    special: Special | None = None


def unalias(annotation: Any) -> Any:
    """The value of a `type X = ...` alias (PEP 695, or typing_extensions' `TypeAliasType`)."""
    while isinstance(annotation, _TYPE_ALIASES):
        annotation = annotation.__value__
    return annotation


_TYPE_ALIASES: tuple[type[Any], ...] = tuple(
    {
        getattr(typing, "TypeAliasType", typing_extensions.TypeAliasType),
        typing_extensions.TypeAliasType,
    }
)


def _markers(annotation: Any) -> tuple[Any, list[Any]]:
    annotation = unalias(annotation)
    if get_origin(annotation) is not Annotated:
        return annotation, []
    base, *extras = get_args(annotation)
    return base, [extra for extra in extras if isinstance(extra, (Param, Dependency))]


def analyse_parameter(
    parameter: inspect.Parameter, path_params: frozenset[str], where: str
) -> Analysed:
    """Classify one parameter of a handler or dependency."""
    name = parameter.name
    if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
        raise DeclarationError(
            f"{where}: parameter {name!r} is *args or **kwargs, which transom cannot fill; "
            "declare each parameter by name."
        )
    annotation, marker, default = _declaration(parameter, where)
    if isinstance(marker, Dependency):
        return Analysed(name, annotation, dependency=marker)
    if marker is None:
        special = _special(annotation)
        if special is not None:
            return Analysed(name, annotation, special=special)
    param = marker if marker is not None else _default_param(name, annotation, path_params)
    param = _with_default(param, default, name, where)
    if isinstance(marker, PathParam) and not param.required:
        raise DeclarationError(
            f"{where}: parameter {name!r} is declared with Path() and a default "
            f"({param.default!r}). Path parameters cannot have a default value: a path "
            "parameter always comes from the path. Remove the default."
        )
    if isinstance(param, PathParam):
        param = _checked_path(param, name, path_params, where)
    check_not_pydantic_v1(annotation, f"{where}: parameter {name!r}")
    _check_readable(param, annotation, name, where)
    # The full annotation (its `Annotated` metadata carries constraints); none means Any.
    declared = unalias(parameter.annotation)
    return Analysed(name, Any if declared is inspect.Parameter.empty else declared, param=param)


def _marker_name(marker: object) -> str:
    """`Query`, `Header`, `Depends`, ...: how the marker is written in a declaration."""
    if isinstance(marker, Dependency):
        return "Depends"
    return type(marker).__name__.removesuffix("Param")


def _two_markers(annotated: object, default: object, name: str, where: str) -> str:
    """The message for a marker given both in `Annotated[...]` and as the default."""
    inside, after = _marker_name(annotated), _marker_name(default)
    if inside == after:
        both = f"`{inside}` in `Annotated` and default value together"
    else:
        both = f"`{inside}` in `Annotated` and `{after}` as a default value together"
    return f"{where}: Cannot specify {both} for {name!r}; use one of them."


def _declaration(parameter: inspect.Parameter, where: str) -> tuple[Any, Any, Any]:
    """The parameter's annotation without markers, its one marker (or `None`), its default.

    A marker may be given in `Annotated[...]` or as the default, not both.
    """
    name = parameter.name
    annotation, markers = _markers(parameter.annotation)
    for marker in markers:
        if isinstance(marker, PathParam):
            continue  # a path parameter has no default at all (checked with the default)
        if isinstance(marker, Param) and not marker.required and marker.default_factory is None:
            kind = _marker_name(marker)
            raise DeclarationError(
                f"{where}: `{kind}` default value cannot be set in `Annotated` for "
                f"{name!r}. Set the default value with `=` instead: "
                f"`{name}: Annotated[..., {kind}()] = {marker.default!r}`, not "
                f"`{kind}(default={marker.default!r})`."
            )
    default = parameter.default
    if isinstance(default, (Param, Dependency)):
        if markers:
            raise DeclarationError(_two_markers(markers[0], default, name, where))
        markers, default = [default], inspect.Parameter.empty
    if len(markers) > 1:
        markers = [_merged_markers(markers, name, where)]
    if annotation is inspect.Parameter.empty:
        annotation = Any
    return annotation, markers[0] if markers else None, default


def _merged_markers(markers: list[Any], name: str, where: str) -> Param:
    """Several markers of one kind (`Query(gt=2), Query(lt=10)`) are one, as in FastAPI."""
    first = markers[0]
    if not all(isinstance(marker, Param) and type(marker) is type(first) for marker in markers):
        raise DeclarationError(
            f"{where}: parameter {name!r} has several markers {markers!r}; use one."
        )
    merged: Param = first
    for marker in markers[1:]:
        merged = merged.merged(marker)
    return merged


def _with_default(param: Param, default: Any, name: str, where: str) -> Param:
    """`param` with the default given after `=`, if any (a marker's own default excludes it)."""
    if default is inspect.Parameter.empty:
        return param
    if not param.required:
        raise DeclarationError(
            f"{where}: parameter {name!r} has a default both in its marker and after "
            "'='; give it once."
        )
    return param.with_default(default)


def _checked_path(param: PathParam, name: str, path_params: frozenset[str], where: str) -> Param:
    """A path parameter must be in the route path, and is always required."""
    if name not in path_params and (param.request_name or name) not in path_params:
        raise DeclarationError(
            f"{where}: parameter {name!r} is declared with Path() but the route path "
            f"has no '{{{param.request_name or name}}}'."
        )
    if param.default is not PydanticUndefined and param.default is not None:
        return param.with_default(PydanticUndefined)
    return param


def is_param_model(param: Param, annotation: Any) -> bool:
    """A pydantic model declared with `Query()`, `Header()` or `Cookie()`: its fields are
    the parameters (FastAPI's parameter models)."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return (
        param.source in (ParamSource.QUERY, ParamSource.HEADER, ParamSource.COOKIE)
        and not getattr(param, "sealed", False)
        and isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
    )


def _check_readable(param: Param, annotation: Any, name: str, where: str) -> None:
    """Anything but a body parameter is read from one string (or a list of them, but a
    path parameter from exactly one)."""
    if isinstance(param, PathParam) and not is_scalar(annotation):
        raise DeclarationError(
            f"{where}: parameter {name!r} is a Path parameter of type "
            f"{type_label(annotation)}, but a path parameter is one segment of the path, "
            "a single string; use a scalar type (str, int, float, bool, a UUID, an Enum, "
            "a Literal...)."
        )
    if param.source is ParamSource.BODY or is_scalar(annotation) or is_sequence(annotation):
        return
    if getattr(param, "sealed", False):  # a signed or encrypted cookie carries JSON
        return
    if is_param_model(param, annotation):
        return
    kind = _marker_name(param)
    raise DeclarationError(
        f"{where}: {kind} parameter {name!r} must be one of the supported types: its type "
        f"{type_label(annotation)} cannot be read from a single string; use a scalar type, "
        "a list of scalars, or Body()."
    )


#: Starlette's classes by (module, name): code ported from FastAPI often imports
#: them, and Transom's own classes have their API, so they mean the same here.
_STARLETTE_SPECIAL = {
    ("starlette.requests", "Request"): Special.REQUEST,
    ("starlette.requests", "HTTPConnection"): Special.REQUEST,
    ("starlette.responses", "Response"): Special.RESPONSE,
    ("starlette.background", "BackgroundTasks"): Special.BACKGROUND,
}


def _special(annotation: Any) -> Special | None:
    if not isinstance(annotation, type):
        return None
    starlette = _STARLETTE_SPECIAL.get((annotation.__module__, annotation.__name__))
    if starlette is not None:
        return starlette
    if issubclass(annotation, HTTPConnection):
        return Special.REQUEST
    if issubclass(annotation, Response):
        return Special.RESPONSE
    if issubclass(annotation, BackgroundTasks):
        return Special.BACKGROUND
    if issubclass(annotation, SecurityScopes):
        return Special.SECURITY_SCOPES
    return None


def _default_param(name: str, annotation: Any, path_params: frozenset[str]) -> Param:
    if name in path_params:
        return PathParam()
    if _mentions_upload_file(annotation):
        return FileParam(PydanticUndefined)  # `file: UploadFile` needs no File(), as in FastAPI
    if is_scalar(annotation):
        return QueryParam(PydanticUndefined)
    return BodyParam(PydanticUndefined)


def _mentions_upload_file(annotation: Any) -> bool:
    """`UploadFile`, `UploadFile | None`, `list[UploadFile]`, ..."""
    if annotation is UploadFile:
        return True
    return any(_mentions_upload_file(arg) for arg in get_args(annotation))


def lookup_name(name: str, param: Param) -> str:
    """The name to look up in the request: the (validation) alias, or the converted name."""
    alias = param.request_name
    if alias is not None:
        return alias.lower() if isinstance(param, HeaderParam) else alias
    if isinstance(param, HeaderParam):
        return name.replace("_", "-").lower() if param.convert_underscores else name.lower()
    return name


def _is_response_class(annotation: Any) -> bool:
    """A transom response class, or another library's ASGI response class (async `__call__`)."""
    if not isinstance(annotation, type):
        return False
    return issubclass(annotation, Response) or inspect.iscoroutinefunction(
        getattr(annotation, "__call__", None)  # noqa: B004
    )


def infer_response_model(endpoint: Callable[..., Any], label: str) -> Any:
    """The return annotation to use as response model, or `None` when there is none.

    A response class is no model: the handler answers with its own response.

    Raises:
        DeclarationError: for a union of a response class and data (`Response | dict`),
            as FastAPI: the data would go unvalidated and unfiltered without a word.
    """
    try:
        annotation = inspect.signature(endpoint, eval_str=True).return_annotation
    except (NameError, TypeError, ValueError):
        return None
    if annotation in (inspect.Signature.empty, None, type(None)) or _is_response_class(annotation):
        return None
    if get_origin(annotation) in (typing.Union, types.UnionType) and any(
        _is_response_class(arg) for arg in get_args(annotation)
    ):
        raise DeclarationError(
            f"{label}: the return annotation {annotation!r} joins a response class and data, "
            "which is not a valid Pydantic field type. Set the path operation parameter "
            "response_model=None to return either unvalidated, or response_model= to the "
            "data's type to validate the data (a returned response is sent as it is)."
        )
    return annotation
