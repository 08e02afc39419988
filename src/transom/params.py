"""Parameter markers: `Path`, `Query`, `Header`, `Cookie`, `Body`, `Depends` and `Security`.

Used as defaults (`q: str = Query("x")`) or in `Annotated` (`Annotated[str,
Query()]`), exactly as in FastAPI. A marker only records what the user declared;
`transom.di` turns it into a validation plan once, when the route is added.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypedDict, Unpack

from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from transom.exceptions import DeprecatedOptionWarning

__all__ = [
    "Body",
    "BodyParam",
    "Cookie",
    "CookieParam",
    "Dependency",
    "Depends",
    "File",
    "FileParam",
    "Form",
    "FormParam",
    "Header",
    "HeaderParam",
    "Param",
    "ParamOptions",
    "ParamSource",
    "Path",
    "PathParam",
    "Query",
    "QueryParam",
    "Security",
    "SecurityDependency",
]


class ParamSource(enum.Enum):
    """Where in the request a parameter comes from (the first item of an error `loc`)."""

    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"
    BODY = "body"


class ParamOptions(TypedDict, total=False):
    """The keyword options every parameter marker accepts (FastAPI's)."""

    default_factory: Callable[[], Any] | None
    alias: str | None
    alias_priority: int | None
    validation_alias: str | None
    serialization_alias: str | None
    title: str | None
    description: str | None
    gt: float | None
    ge: float | None
    lt: float | None
    le: float | None
    multiple_of: float | None
    min_length: int | None
    max_length: int | None
    pattern: str | None
    regex: str | None
    discriminator: str | None
    strict: bool | None
    allow_inf_nan: bool | None
    max_digits: int | None
    decimal_places: int | None
    examples: list[Any] | None
    example: Any
    openapi_examples: dict[str, dict[str, Any]] | None
    deprecated: bool | None
    include_in_schema: bool
    json_schema_extra: dict[str, Any] | None


_DOC_KEYS = ("title", "description", "examples", "json_schema_extra")
_CONSTRAINT_KEYS = (
    "gt",
    "ge",
    "lt",
    "le",
    "multiple_of",
    "min_length",
    "max_length",
    "pattern",
    "discriminator",
    "strict",
    "allow_inf_nan",
    "max_digits",
    "decimal_places",
    "alias_priority",
    "serialization_alias",
)
_UNSET: Any = object()


class Param:
    """A request parameter declaration; the base of the markers `Path()`, `Query()`, ...

    Options (see `ParamOptions`): `default_factory`, `alias` (the name in the
    request) and `validation_alias` (the same, winning over `alias`),
    documentation (`title`, `description`, `examples`, `openapi_examples`,
    `deprecated`, `json_schema_extra`, `include_in_schema`) and constraints
    (`gt`, `ge`, `lt`, `le`, `multiple_of`, `min_length`, `max_length`,
    `pattern`, `strict`, `allow_inf_nan`, `max_digits`, `decimal_places`, ...),
    enforced by pydantic. `regex=` and `example=` are FastAPI's deprecated
    spellings of `pattern=` and `examples=`/`openapi_examples=`.
    """

    source: ParamSource = ParamSource.QUERY

    def __init__(self, default: Any = PydanticUndefined, **options: Unpack[ParamOptions]) -> None:
        self.default = PydanticUndefined if default is ... else default
        self.default_factory = options.get("default_factory")
        self.alias = options.get("alias")
        self.validation_alias = _checked_validation_alias(options.get("validation_alias"))
        self.description = options.get("description")
        self.deprecated = options.get("deprecated")
        self.include_in_schema = options.get("include_in_schema", True)
        self.examples = options.get("examples")
        self.openapi_examples = options.get("openapi_examples")
        self.example = options.get("example", _UNSET)
        given: dict[str, Any] = dict(options)
        if given.get("regex") is not None:
            warnings.warn(
                "regex= is deprecated; use pattern=", DeprecatedOptionWarning, stacklevel=3
            )
            given.setdefault("pattern", given["regex"])
        if self.example is not _UNSET:
            warnings.warn(
                "example= is deprecated; use examples= (or openapi_examples=)",
                DeprecatedOptionWarning,
                stacklevel=3,
            )
        self.constraints: dict[str, Any] = {
            key: given[key] for key in (*_DOC_KEYS, *_CONSTRAINT_KEYS) if given.get(key) is not None
        }

    @property
    def request_name(self) -> str | None:
        """The name the request carries the value under, if not the parameter's own."""
        return self.validation_alias or self.alias

    @property
    def has_example(self) -> bool:
        """Whether the deprecated `example=` was given."""
        return self.example is not _UNSET

    @property
    def required(self) -> bool:
        return self.default is PydanticUndefined and self.default_factory is None

    def field_info(self, alias: str | None = None) -> FieldInfo:
        """A pydantic `FieldInfo` with this marker's default and constraints.

        `alias` is the key the value is validated from (used for body fields).
        """
        field: FieldInfo
        if self.default_factory is not None:
            field = Field(default_factory=self.default_factory, alias=alias, **self.constraints)
        else:
            field = Field(self.default, alias=alias, **self.constraints)
        return field

    def with_default(self, default: Any) -> Param:
        """A copy of this marker whose default is `default` (from `x: T = default`)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.default = PydanticUndefined if default is ... else default
        return clone

    def merged(self, other: Param) -> Param:
        """This marker with `other`'s options over its own, for `Annotated[T, Query(gt=2),
        Query(lt=10)]`: both constraints apply, as in FastAPI."""
        clone = other.with_default(other.default)
        clone.constraints = {**self.constraints, **other.constraints}
        return clone

    def __repr__(self) -> str:
        # FastAPI's form: `Query(PydanticUndefined)`, `Body([])`.
        name = type(self).__name__.removesuffix("Param") or "Param"
        return f"{name}({self.default})"


def _checked_validation_alias(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError(
            f"validation_alias of a request parameter is the name read from the request and "
            f"must be a string, got {value!r}. AliasPath and AliasChoices work on the fields "
            "of a model (a parameter model or a body model)."
        )
    return value


class PathParam(Param):
    source = ParamSource.PATH


class QueryParam(Param):
    source = ParamSource.QUERY


class HeaderParam(Param):
    source = ParamSource.HEADER

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        convert_underscores: bool = True,
        **options: Unpack[ParamOptions],
    ) -> None:
        super().__init__(default, **options)
        self.convert_underscores = convert_underscores


class CookieParam(Param):
    """A request cookie; `signed=True` or `encrypted=True` for one sealed by `set_cookie`.

    A sealed cookie's payload is validated as the parameter's type (a model
    included, not FastAPI's cookie-parameter model); one that does not
    verify, has expired or does not fit the type is absent.
    """

    source = ParamSource.COOKIE

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        signed: bool = False,
        encrypted: bool = False,
        purpose: str | None = None,
        **options: Unpack[ParamOptions],
    ) -> None:
        super().__init__(default, **options)
        if signed and encrypted:
            raise ValueError(
                "Cookie(signed=True, encrypted=True): choose one; an encrypted cookie is "
                "authenticated too."
            )
        if purpose is not None and not (signed or encrypted):
            raise ValueError("Cookie(purpose=...) is for signed or encrypted cookies only.")
        if purpose is not None and not isinstance(purpose, str):
            raise ValueError(f"Cookie purpose must be a str, got {purpose!r}.")
        self.signed = signed
        self.encrypted = encrypted
        self.purpose = purpose

    @property
    def sealed(self) -> bool:
        """Signed or encrypted: read through the app's key ring."""
        return self.signed or self.encrypted


class BodyParam(Param):
    source = ParamSource.BODY

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        embed: bool = False,
        media_type: str = "application/json",
        **options: Unpack[ParamOptions],
    ) -> None:
        super().__init__(default, **options)
        self.embed = embed
        self.media_type = media_type


class FormParam(BodyParam):
    """A field of a form body (`application/x-www-form-urlencoded` or multipart)."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        media_type: str = "application/x-www-form-urlencoded",
        **options: Unpack[ParamOptions],
    ) -> None:
        super().__init__(default, embed=True, media_type=media_type, **options)


class FileParam(FormParam):
    """A file of a `multipart/form-data` body (`bytes` or `UploadFile`)."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        media_type: str = "multipart/form-data",
        **options: Unpack[ParamOptions],
    ) -> None:
        super().__init__(default, media_type=media_type, **options)


def Path(default: Any = ..., **options: Unpack[ParamOptions]) -> Any:  # noqa: N802
    """A path parameter, e.g. `item_id` in `/items/{item_id}`. Always required."""
    return PathParam(default, **options)


def Query(default: Any = ..., **options: Unpack[ParamOptions]) -> Any:  # noqa: N802
    """A query-string parameter; `list[...]` types collect repeated keys."""
    return QueryParam(default, **options)


def Header(  # noqa: N802
    default: Any = ..., *, convert_underscores: bool = True, **options: Unpack[ParamOptions]
) -> Any:
    """A request header; `user_agent` reads `user-agent` unless `convert_underscores=False`."""
    return HeaderParam(default, convert_underscores=convert_underscores, **options)


def Cookie(  # noqa: N802
    default: Any = ...,
    *,
    signed: bool = False,
    encrypted: bool = False,
    purpose: str | None = None,
    **options: Unpack[ParamOptions],
) -> Any:
    """A request cookie; `signed=True`/`encrypted=True` for a sealed one (see `CookieParam`)."""
    return CookieParam(default, signed=signed, encrypted=encrypted, purpose=purpose, **options)


def Body(  # noqa: N802
    default: Any = ...,
    *,
    embed: bool = False,
    media_type: str = "application/json",
    **options: Unpack[ParamOptions],
) -> Any:
    """The JSON body, or with `embed=True` (or several body parameters) one key of it."""
    return BodyParam(default, embed=embed, media_type=media_type, **options)


def Form(  # noqa: N802
    default: Any = ...,
    *,
    media_type: str = "application/x-www-form-urlencoded",
    **options: Unpack[ParamOptions],
) -> Any:
    """A form field; `Annotated[Model, Form()]` takes the whole form as one model."""
    return FormParam(default, media_type=media_type, **options)


def File(  # noqa: N802
    default: Any = ..., *, media_type: str = "multipart/form-data", **options: Unpack[ParamOptions]
) -> Any:
    """A file of a multipart form: as `bytes`, or as an `UploadFile` (spooled, not in memory)."""
    return FileParam(default, media_type=media_type, **options)


class Dependency:
    """A dependency: the parameter receives what `dependency` returns (or yields).

    Args:
        dependency: The callable; defaults to the parameter's annotation (a class).
        use_cache: Call it once per request however often it is needed (default).
        scope: For dependencies that `yield`: `"request"` (default) runs the code
            after `yield` once the response has been sent; `"function"` runs it
            right after the handler, before the response starts, so headers and
            cookies it sets on the temporal response are sent.
    """

    __slots__ = ("dependency", "scope", "use_cache")

    #: OAuth2 scopes this use adds to the chain; only `Security()` declares some.
    scopes: tuple[str, ...] = ()

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        use_cache: bool = True,
        scope: Literal["request", "function"] | None = None,
    ) -> None:
        if scope not in (None, "request", "function"):
            raise ValueError(f"Depends scope must be 'request' or 'function', got {scope!r}.")
        self.dependency = dependency
        self.use_cache = use_cache
        self.scope = scope

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__qualname__", repr(self.dependency))
        return f"Depends({name})"

    def _key(self) -> tuple[Any, ...]:
        return (type(self), self.dependency, self.use_cache, self.scope)

    def __eq__(self, other: object) -> bool:
        # Two declarations of the same dependency are equal, as in FastAPI.
        if not isinstance(other, Dependency):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


def Depends(  # noqa: N802
    dependency: Callable[..., Any] | None = None,
    *,
    use_cache: bool = True,
    scope: Literal["request", "function"] | None = None,
) -> Any:
    """Declare a dependency; see `Dependency` for the arguments."""
    return Dependency(dependency, use_cache=use_cache, scope=scope)


class SecurityDependency(Dependency):
    """A dependency that adds OAuth2 scopes to its chain, declared with `Security()`.

    The dependency, and every dependency it needs, sees the scopes of the whole
    chain from the route in a `SecurityScopes` parameter, and the route's
    OpenAPI `security` lists them for the schemes on that chain.
    """

    __slots__ = ("scopes",)

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        scopes: Sequence[str] | None = None,
        use_cache: bool = True,
        scope: Literal["request", "function"] | None = None,
    ) -> None:
        super().__init__(dependency, use_cache=use_cache, scope=scope)
        if isinstance(scopes, str) or not all(isinstance(item, str) for item in scopes or ()):
            raise TypeError(
                f"Security scopes must be a list of strings, got {scopes!r}; "
                "write scopes=['items:read'], not scopes='items:read'."
            )
        self.scopes = tuple(scopes or ())

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__qualname__", repr(self.dependency))
        return f"Security({name}, scopes={list(self.scopes)!r})"

    def _key(self) -> tuple[Any, ...]:
        return (*super()._key(), self.scopes)


def Security(  # noqa: N802 - FastAPI's name
    dependency: Callable[..., Any] | None = None,
    *,
    scopes: Sequence[str] | None = None,
    use_cache: bool = True,
) -> Any:
    """Declare a dependency, as `Depends`, that requires the OAuth2 `scopes` (`["items:read"]`).

    A `SecurityScopes` parameter of the dependency, or of any dependency it
    needs, receives the scopes of the whole chain, outermost first.
    """
    return SecurityDependency(dependency, scopes=scopes, use_cache=use_cache)
