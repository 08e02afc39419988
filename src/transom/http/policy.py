"""The app-wide cookie policy: defaults for every cookie argument a call leaves out.

`CookiePolicy()` with no arguments means Secure, HttpOnly, `SameSite=Lax`,
`Path=/`, no `Domain`, not Partitioned. An argument a `set_cookie` or
`delete_cookie` call gives explicitly wins over the policy (`samesite=None`
included: no attribute); the policy fills in the rest; then `rewrite`, if
given, adjusts every cookie. The rules of `transom.http.cookies` (prefixes,
`SameSite=None` needs `Secure`, sizes) are checked after all of that.

Sans-IO and standard library only, like the rest of `transom.http`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from transom.http.cookies import UNSET, CookieError, Expires, SameSite, dump_set_cookie

__all__ = [
    "ATTRIBUTE_NAMES",
    "UNSET",
    "Attributes",
    "CookiePolicy",
    "Rewrite",
    "resolve_attributes",
]


#: `rewrite(name, attributes) -> attributes`, keyed by `ATTRIBUTE_NAMES`.
Rewrite: TypeAlias = Callable[[str, dict[str, Any]], Mapping[str, Any]]

#: The keyword names of `set_cookie` that `rewrite` receives and may return.
ATTRIBUTE_NAMES = (
    "max_age",
    "expires",
    "path",
    "domain",
    "secure",
    "httponly",
    "samesite",
    "partitioned",
)

#: (max_age, expires, path, domain, secure, httponly, samesite, partitioned)
Attributes: TypeAlias = tuple[
    "int | None", "Expires | None", "str | None", "str | None", bool, bool, "SameSite | None", bool
]

#: `set_cookie`'s own defaults, for an argument neither the call nor a policy gives.
_DEFAULTS: Attributes = (None, None, "/", None, False, False, "lax", False)


@dataclass(frozen=True, slots=True, eq=False)
class CookiePolicy:
    """Defaults for every cookie the app sets or deletes; see the module docstring.

    Args:
        secure: Send cookies over HTTPS only.
        httponly: Hide cookies from page scripts.
        samesite: `"lax"`, `"strict"`, `"none"` or `None` (no attribute).
        path: The `Path` attribute; `None` omits it.
        domain: The `Domain` attribute; `None` makes host-only cookies.
        partitioned: CHIPS partitioned cookies (needs `secure`).
        rewrite: `rewrite(name, attributes) -> attributes`, called for every
            cookie after the defaults are filled in, with a dict keyed by
            `set_cookie`'s keyword names (`max_age`, `expires`, `path`,
            `domain`, `secure`, `httponly`, `samesite`, `partitioned`); the
            keys it returns replace those values.

    Raises:
        CookieError: if the defaults themselves break a cookie rule.
    """

    secure: bool = True
    httponly: bool = True
    samesite: SameSite | None = "lax"
    path: str | None = "/"
    domain: str | None = None
    partitioned: bool = False
    rewrite: Rewrite | None = None

    def __post_init__(self) -> None:
        try:
            dump_set_cookie(
                "policy",
                path=self.path,
                domain=self.domain,
                secure=self.secure,
                httponly=self.httponly,
                samesite=self.samesite,
                partitioned=self.partitioned,
            )
        except CookieError as exc:
            raise CookieError(f"CookiePolicy: {exc}") from None
        if self.rewrite is not None and not callable(self.rewrite):
            raise CookieError(
                f"CookiePolicy rewrite must be a callable rewrite(name, attributes), "
                f"got {self.rewrite!r}."
            )


def resolve_attributes(
    policy: CookiePolicy | None,
    key: str,
    max_age: int | None,
    expires: Expires | None,
    path: str | None,
    domain: str | None,
    secure: bool,
    httponly: bool,
    samesite: SameSite | None,
    partitioned: bool,
) -> Attributes:
    """Every cookie argument resolved: given, else the policy's, else `set_cookie`'s default.

    Then the policy's `rewrite`, if any, adjusts them.

    Raises:
        CookieError: if `rewrite` returns something other than a mapping of
            `ATTRIBUTE_NAMES`.
    """
    given = (max_age, expires, path, domain, secure, httponly, samesite, partitioned)
    if policy is None:
        defaults = _DEFAULTS
    else:
        defaults = (
            None,
            None,
            policy.path,
            policy.domain,
            policy.secure,
            policy.httponly,
            policy.samesite,
            policy.partitioned,
        )
    resolved: Attributes = tuple(  # type: ignore[assignment]
        default if value is UNSET else value for value, default in zip(given, defaults, strict=True)
    )
    if policy is None or policy.rewrite is None:
        return resolved
    return _rewritten(policy.rewrite, key, resolved)


def _rewritten(rewrite: Rewrite, key: str, resolved: Attributes) -> Attributes:
    attributes = dict(zip(ATTRIBUTE_NAMES, resolved, strict=True))
    returned = rewrite(key, dict(attributes))
    if not isinstance(returned, Mapping):
        raise CookieError(
            f"CookiePolicy rewrite must return a mapping of cookie attributes for cookie "
            f"{key!r}, got {type(returned).__name__}."
        )
    unknown = sorted(str(name) for name in returned if name not in attributes)
    if unknown:
        raise CookieError(
            f"CookiePolicy rewrite returned {', '.join(map(repr, unknown))} for cookie "
            f"{key!r}; it may return only {', '.join(ATTRIBUTE_NAMES)}."
        )
    attributes.update(returned)
    result: Attributes = tuple(attributes[name] for name in ATTRIBUTE_NAMES)  # type: ignore[assignment]
    return result
