"""Route options: what the user declared, kept apart from what a route resolves to.

A path operation's options come from its own declaration and from every layer
above it: the router it was declared on, each `include_router` call (its
keyword arguments and the including router), up to the app. A route keeps
what its user declared (`declared`) and the layers (`RouteLayer`, outermost
first), and resolves them once, in `resolve_options`:

- `tags`, `dependencies` and `callbacks` (the OpenAPI callbacks documented on
  each operation): outermost first, the route's own last;
- `responses`: merged, the closest layer winning per status;
- `response_class`: the route's own, else the closest layer's
  `default_response_class`, else `JSONResponse`;
- `deprecated`: set by the route or any layer; `include_in_schema`: every layer
  and the route must agree;
- `generate_unique_id_function`: the route's own, else the closest layer's;
- `cache_control` and `etag`: the route's own, else the closest layer's
  (`etag=False` turns off an `etag=True` from further out);
- `strict_content_type`: the route's own, else the closest layer's, else `True`
  (a JSON body sent without a `Content-Type` is refused, as FastAPI does).

An option given as `Default(value)` (`transom.datastructures`, FastAPI's
marker for a value left at its default) counts as not declared: on a route,
`value` is used only where no layer says anything (for `response_model`, the
return annotation is asked instead); on a layer it says nothing.

Including a router again adds layers; it never overwrites what a user set.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from types import MappingProxyType
from typing import Any, TypedDict

from transom.datastructures import DefaultPlaceholder
from transom.http.caching import CacheControl
from transom.metadata import Declarations, ResponseCookie, ResponseHeader
from transom.params import Dependency
from transom.responses import JSONResponse, Response
from transom.routing.router import BaseRoute
from transom.serialization import IncEx, check_response_models

__all__ = [
    "RouteLayer",
    "RouteOptions",
    "caching_declarations",
    "check_caching",
    "check_options",
    "check_strict_content_type",
    "combined_declarations",
    "resolve_options",
]


class RouteOptions(TypedDict, total=False):
    """The keyword options of a path operation, as in FastAPI."""

    response_model: Any
    status_code: int | None
    tags: list[str | Enum] | None
    dependencies: Sequence[Dependency] | None
    summary: str | None
    description: str | None
    response_description: str
    responses: dict[int | str, dict[str, Any]] | None
    deprecated: bool | None
    operation_id: str | None
    response_model_include: IncEx
    response_model_exclude: IncEx
    response_model_by_alias: bool
    response_model_exclude_unset: bool
    response_model_exclude_defaults: bool
    response_model_exclude_none: bool
    include_in_schema: bool
    response_class: type[Response]
    name: str | None
    openapi_extra: dict[str, Any] | None
    response_headers: Sequence[ResponseHeader] | None
    response_cookies: Sequence[ResponseCookie] | None
    max_body_size: int | None
    generate_unique_id_function: Callable[[Any], str] | None
    cache_control: CacheControl | None
    etag: bool | None
    callbacks: Sequence[BaseRoute] | None
    strict_content_type: bool | None


_NO_RESPONSES: Mapping[int | str, dict[str, Any]] = MappingProxyType({})
_NO_DECLARATIONS = Declarations()


@dataclasses.dataclass(frozen=True, slots=True)
class RouteLayer:
    """What one router, or one `include_router` call, adds to the routes below it.

    `None` means the layer says nothing (so `default_response_class=None`
    leaves the choice to the layers further out).
    """

    tags: tuple[str | Enum, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    responses: Mapping[int | str, dict[str, Any]] = dataclasses.field(
        default_factory=lambda: _NO_RESPONSES
    )
    deprecated: bool | None = None
    include_in_schema: bool = True
    default_response_class: type[Response] | None = None
    declarations: Declarations = _NO_DECLARATIONS
    #: How operation ids are made for the routes below (`generate_unique_id_function`).
    generate_unique_id: Callable[[Any], str] | None = None
    #: The `Cache-Control` of the successful answers of the routes below.
    cache_control: CacheControl | None = None
    #: Whether data responses of the routes below get an `ETag` of their body.
    etag: bool | None = None
    #: The OpenAPI callbacks documented on each operation below (routes, not served).
    callbacks: tuple[BaseRoute, ...] = ()
    #: Whether the routes below refuse a JSON body sent without a `Content-Type`.
    strict_content_type: bool | None = None

    @classmethod
    def of(
        cls,
        *,
        tags: Sequence[str | Enum] | None = None,
        dependencies: Sequence[Dependency] | None = None,
        responses: Mapping[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        default_response_class: type[Response] | None = None,
        response_headers: Sequence[ResponseHeader] | None = None,
        response_cookies: Sequence[ResponseCookie] | None = None,
        generate_unique_id_function: Callable[[Any], str] | None = None,
        cache_control: CacheControl | None = None,
        etag: bool | None = None,
        callbacks: Sequence[BaseRoute] | None = None,
        strict_content_type: bool | None = None,
        where: str = "APIRouter",
    ) -> RouteLayer:
        """A layer from keyword arguments as routers and `include_router` take them.

        `default_response_class` and `generate_unique_id_function` given as
        `Default(...)` say nothing, as in FastAPI.
        """
        check_caching(cache_control, etag, where)
        check_response_models(responses or {}, where)
        check_strict_content_type(strict_content_type, where)
        return cls(
            tuple(tags or ()),
            tuple(dependencies or ()),
            MappingProxyType(dict(responses or {})),
            deprecated,
            include_in_schema,
            _said(default_response_class),
            Declarations().plus(response_headers, response_cookies),
            _said(generate_unique_id_function),
            cache_control,
            etag,
            tuple(callbacks or ()),
            strict_content_type,
        )


def _said(value: Any) -> Any:
    """`value`, or `None` (nothing said) for a `Default(...)` placeholder."""
    return None if isinstance(value, DefaultPlaceholder) else value


_KNOWN = frozenset(RouteOptions.__annotations__)


def check_options(declared: Mapping[str, Any], label: str) -> None:
    """Refuse an option a path operation does not have, e.g. a typo.

    Raises:
        TypeError: naming the option, the route and the closest known option.
    """
    for name in declared:
        if name not in _KNOWN:
            close = difflib.get_close_matches(name, _KNOWN, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"{label}: unknown path operation option {name!r}.{hint}")
    check_caching(_said(declared.get("cache_control")), _said(declared.get("etag")), label)
    check_strict_content_type(_said(declared.get("strict_content_type")), label)


def resolve_options(declared: RouteOptions, layers: Sequence[RouteLayer]) -> RouteOptions:
    """The options a route runs with: `declared` over `layers` (outermost first)."""
    own: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for name, value in declared.items():
        if isinstance(value, DefaultPlaceholder):
            defaults[name] = value.value
        else:
            own[name] = value
    # `Default(x)` for the response model means "infer it", as in FastAPI.
    defaults.pop("response_model", None)
    resolved: Any = {**defaults, **own}
    resolved["tags"] = [*(tag for layer in layers for tag in layer.tags), *(own.get("tags") or ())]
    resolved["dependencies"] = [
        *(dependency for layer in layers for dependency in layer.dependencies),
        *(own.get("dependencies") or ()),
    ]
    resolved["callbacks"] = [
        *(callback for layer in layers for callback in layer.callbacks),
        *(own.get("callbacks") or ()),
    ]
    responses: dict[int | str, dict[str, Any]] = {}
    for layer in layers:
        responses.update(layer.responses)
    responses.update(own.get("responses") or {})
    resolved["responses"] = responses
    if own.get("deprecated") or any(layer.deprecated for layer in layers):
        resolved["deprecated"] = True
    if not all(layer.include_in_schema for layer in layers):
        resolved["include_in_schema"] = False
    _closest(resolved, own, defaults, layers)
    return resolved  # type: ignore[no-any-return]


#: Options the route, else the closest layer that sets them, decides: the layer's
#: field, and what a route gets when no layer sets it (or its `Default(...)`).
_CLOSEST: Mapping[str, tuple[str, Any]] = MappingProxyType(
    {
        "generate_unique_id_function": ("generate_unique_id", None),
        "cache_control": ("cache_control", None),
        "etag": ("etag", False),
        "strict_content_type": ("strict_content_type", True),
        "response_class": ("default_response_class", JSONResponse),
    }
)


def _closest(
    resolved: dict[str, Any],
    own: Mapping[str, Any],
    defaults: Mapping[str, Any],
    layers: Sequence[RouteLayer],
) -> None:
    """The options the closest layer that sets them decides, unless the route does."""
    for option, (field, fallback) in _CLOSEST.items():
        if own.get(option) is not None:
            continue
        resolved[option] = next(
            (
                getattr(layer, field)
                for layer in reversed(layers)
                if getattr(layer, field) is not None
            ),
            defaults.get(option, fallback),
        )


def combined_declarations(layers: Sequence[RouteLayer]) -> Declarations:
    """The header and cookie declarations of `layers`, outermost first."""
    combined = Declarations()
    for layer in layers:
        combined = combined + layer.declarations
    return combined


def check_caching(cache_control: object, etag: object, where: str) -> None:
    """Refuse a `cache_control=` that is not a `CacheControl`, or an `etag=` that is not a bool.

    Raises:
        TypeError: naming where it was declared and what to pass.
    """
    if cache_control is not None and not isinstance(cache_control, CacheControl):
        raise TypeError(
            f"{where}: cache_control= takes a CacheControl, got {cache_control!r}; e.g. "
            "cache_control=CacheControl(max_age=60, public=True)."
        )
    if etag is not None and not isinstance(etag, bool):
        raise TypeError(f"{where}: etag= takes True or False, got {etag!r}.")


def check_strict_content_type(strict: object, where: str) -> None:
    """Refuse a `strict_content_type=` that is not a bool (or `None`, saying nothing).

    Raises:
        TypeError: naming where it was declared.
    """
    if strict is not None and not isinstance(strict, bool):
        raise TypeError(f"{where}: strict_content_type= takes True or False, got {strict!r}.")


#: Statuses `cache_control=` applies to: every success, and the 304 standing for one.
CACHE_CONTROL_STATUSES = ("2XX", 304)
#: Statuses `etag=True` sends its `ETag` with: a 200, and the 304 standing for it.
ETAG_STATUSES = (200, 304)


def caching_declarations(options: RouteOptions) -> tuple[ResponseHeader, ...]:
    """The headers a route's resolved `cache_control=` and `etag=` send, as declarations.

    So they are documented (OpenAPI), exposed by CORS (`expose_headers="declared"`),
    and `Cache-Control` is sent as a static header unless the route sets its own.
    """
    declared: list[ResponseHeader] = []
    cache_control = options.get("cache_control")
    if cache_control is not None:
        declared.append(
            ResponseHeader(
                "Cache-Control",
                description="How caches may store and reuse this response (RFC 9111).",
                required=True,
                example=str(cache_control),
                value=str(cache_control),
                statuses=CACHE_CONTROL_STATUSES,
            )
        )
    if options.get("etag"):
        declared.append(
            ResponseHeader(
                "ETag",
                description=(
                    "A strong entity tag of the body; send it back in If-None-Match "
                    "to get a 304 Not Modified while it is unchanged."
                ),
                example='"5d41402abc4b2a76b9719d911017c592"',
                statuses=ETAG_STATUSES,
            )
        )
    return tuple(declared)
