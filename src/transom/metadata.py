"""Declared response metadata: the headers and cookies a route sends.

A declaration is written once, on the app, a router or a route
(`response_headers=[...]`, `response_cookies=[...]`; the closest layer wins by
name), and is used three times:

- in the OpenAPI document, as response `headers` of the statuses it applies to;
- by CORS (`expose_headers="declared"`), so browsers can read declared headers;
- at run time: a declared cookie gives `delete_cookie` the attributes it must
  repeat, a header with a static `value` is sent by transom, and with
  declaration checks on (`TestClient`, or `Transom(debug=True)`) a response that
  lacks a header declared `required` raises `ResponseContractError`.

Declarations are checked when they are made: a bad header name, a cookie that
breaks the cookie rules, or one name declared twice differently on one layer
raises at startup.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypeVar

from transom.exceptions import ResponseContractError
from transom.http.cookies import CookieAttributes, SameSite, dump_set_cookie
from transom.http.headers import encode_name, encode_value

__all__ = [
    "CHECK_DECLARATIONS_KEY",
    "Declarations",
    "ResponseContractError",
    "ResponseCookie",
    "ResponseHeader",
    "applies_to",
    "layer_declarations",
]

Statuses = Collection[int | str] | None

#: Scope key that turns on the required-header check (set by `TestClient`).
CHECK_DECLARATIONS_KEY = "transom.check_declarations"


def applies_to(statuses: Statuses, status: int | str) -> bool:
    """Whether a declaration for `statuses` covers `status`.

    `None` means the route's own successful answers: every status below 400.
    Error responses (an `HTTPException`, a 422) are produced outside the route,
    so headers sent with them must name their statuses (`404`, `"4XX"`).
    """
    text = str(status)
    if statuses is None:
        return text[:1] in ("1", "2", "3")
    return any(str(item) == text or str(item) == f"{text[0]}XX" for item in statuses)


@dataclasses.dataclass(frozen=True, slots=True)
class ResponseHeader:
    """A response header a route sends.

    Args:
        name: The header name (an RFC 9110 token).
        description: What it means, for the API's readers.
        annotation: Its type, for the OpenAPI schema (default `str`).
        required: The route always sends it (checked in tests and debug mode).
        example: An example value for the docs.
        deprecated: Documented as deprecated.
        value: A static value transom sends itself, unless the route sets one.
        statuses: The statuses it is sent with (`200`, `"4XX"`, ...); `None`: every
            status below 400 (the route's own successful answers).
    """

    name: str
    description: str = ""
    annotation: Any = str
    required: bool = False
    example: Any = None
    deprecated: bool = False
    value: str | None = None
    statuses: Statuses = None

    def __post_init__(self) -> None:
        encode_name(self.name)
        if self.value is not None:
            encode_value(self.name, self.value)
        if self.statuses is not None:
            object.__setattr__(self, "statuses", tuple(self.statuses))

    @property
    def key(self) -> str:
        """The name, folded: declarations of one header compare by this."""
        return self.name.lower()


@dataclasses.dataclass(frozen=True, slots=True)
class ResponseCookie:
    """A cookie a route sets, with the attributes it is sent with.

    The attributes are checked now against the cookie rules (`CookieError`),
    and `delete_cookie(name)` repeats them so browsers really delete it.
    """

    name: str
    description: str = ""
    path: str | None = "/"
    domain: str | None = None
    secure: bool = False
    httponly: bool = False
    samesite: SameSite | None = "lax"
    partitioned: bool = False
    max_age: int | None = None
    statuses: Statuses = None
    #: Keep this cookie on an error response when the request set it (T7).
    keep_on_error: bool = False

    def __post_init__(self) -> None:
        self._line()  # checks the name and attributes now
        if self.statuses is not None:
            object.__setattr__(self, "statuses", tuple(self.statuses))

    @property
    def key(self) -> str:
        return self.name

    @property
    def attributes(self) -> CookieAttributes:
        """The attributes `delete_cookie` must repeat."""
        return CookieAttributes(
            self.path, self.domain, self.secure, self.httponly, self.samesite, self.partitioned
        )

    def describe(self) -> str:
        """The cookie and its attributes as a `Set-Cookie` line (value elided), for docs."""
        return self._line().replace(f"{self.name}=", f"{self.name}=<value>", 1)

    def _line(self) -> str:
        return dump_set_cookie(
            self.name,
            "",
            max_age=self.max_age,
            path=self.path,
            domain=self.domain,
            secure=self.secure,
            httponly=self.httponly,
            samesite=self.samesite,
            partitioned=self.partitioned,
        )


D = TypeVar("D", ResponseHeader, ResponseCookie)


def _check_layer(declared: Iterable[D], where: str) -> list[D]:
    seen: dict[tuple[str, tuple[Any, ...] | None], D] = {}
    result: list[D] = []
    for item in declared:
        statuses = None if item.statuses is None else tuple(str(s) for s in item.statuses)
        previous = seen.get((item.key, statuses))
        if previous is not None:
            if previous != item:
                kind = "header" if isinstance(item, ResponseHeader) else "cookie"
                raise ValueError(
                    f"{where}: response {kind} {item.name!r} is declared twice, differently: "
                    f"{previous!r} and {item!r}. Declare it once per layer."
                )
            continue
        seen[(item.key, statuses)] = item
        result.append(item)
    return result


def layer_declarations(layers: Sequence[Iterable[D] | None], where: str) -> tuple[D, ...]:
    """Combine declarations from the outermost layer to the closest; the closest wins.

    Within one layer the same name (for the same statuses) declared twice
    differently is an error.
    """
    merged: dict[tuple[str, tuple[str, ...] | None], D] = {}
    for layer in layers:
        for item in _check_layer(layer or (), where):
            statuses = None if item.statuses is None else tuple(str(s) for s in item.statuses)
            merged[(item.key, statuses)] = item
    return tuple(merged.values())


@dataclasses.dataclass(frozen=True, slots=True)
class Declarations:
    """The declaration layers above a route, outermost first (app, routers)."""

    headers: tuple[tuple[ResponseHeader, ...], ...] = ()
    cookies: tuple[tuple[ResponseCookie, ...], ...] = ()

    def plus(
        self,
        headers: Iterable[ResponseHeader] | None,
        cookies: Iterable[ResponseCookie] | None,
    ) -> Declarations:
        """These layers with one more, closer layer."""
        return Declarations(
            (*self.headers, tuple(headers or ())), (*self.cookies, tuple(cookies or ()))
        )

    def __add__(self, closer: Declarations) -> Declarations:
        return Declarations(self.headers + closer.headers, self.cookies + closer.cookies)
