"""Cookies: the lenient `Cookie` request parser and the strict `Set-Cookie` builder.

This module owns the cookie rules of RFC 6265bis. It does no I/O and imports only
the standard library; it never uses `http.cookies`, so `Partitioned` works on every
supported Python and every rule is checked with a clear `CookieError`.

`set_cookie_line` (`build_set_cookie` for the request path) is on the hot path of
responses that set cookies: a cookie's name and attributes are validated and
formatted once per distinct combination and cached with its identity, so a
repeated `set_cookie` only checks the value (and the lifetime).
"""

from __future__ import annotations

import os
import re
import string
import sys
import time
import warnings
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz
from typing import Any, Literal, TypeAlias

from transom.http.caching import format_http_date
from transom.http.headers import is_token

__all__ = [
    "MAX_AGE_LIMIT",
    "UNSET",
    "CookieAttributes",
    "CookieError",
    "CookieIdentity",
    "CookieWarning",
    "SameSite",
    "build_set_cookie",
    "check_set_cookie_line",
    "cookie_identity",
    "dump_delete_cookie",
    "dump_set_cookie",
    "expiry_moment",
    "format_http_date",
    "parse_cookie_header",
    "set_cookie_line",
]


class _Unset:
    """The default of a cookie argument a call did not give (see `transom.http.policy`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

SameSite: TypeAlias = Literal["lax", "strict", "none"]
Expires: TypeAlias = "datetime | int | float | str"

#: RFC 6265bis caps a cookie's lifetime at 400 days.
MAX_AGE_LIMIT = 400 * 24 * 60 * 60
#: Name plus value may not exceed 4096 octets (RFC 6265bis section 5.6).
NAME_VALUE_LIMIT = 4096

# cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
# cookie-octet as a regex class: ! # $ % & ' ( ) * + - . / 0-9 : < = > ? @ A-Z [ ] ^ _ ` a-z { | } ~
_COOKIE_VALUE = re.compile(r"[!#-+\--:<-\[\]-~]*")
# Characters `http.cookies` leaves unquoted; anything else gets the value quoted.
_COMPAT_LEGAL = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~:")
# Inside quotes `http.cookies` keeps these as they are and escapes the rest in octal.
_COMPAT_KEPT = _COMPAT_LEGAL | frozenset(" ()/<=>?@[]{}")
_COMPAT_ESCAPES = {c: f"\\{c:03o}" for c in range(256) if chr(c) not in _COMPAT_KEPT}
_COMPAT_ESCAPES[ord('"')] = '\\"'
_COMPAT_ESCAPES[ord("\\")] = "\\\\"
_UNQUOTE = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))")

_SAMESITE = {"lax": "Lax", "strict": "Strict", "none": "None"}
_EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"


class CookieError(ValueError):
    """A cookie breaks a rule of RFC 6265bis; the message names the rule."""


class CookieWarning(UserWarning):
    """A cookie was accepted but changed, e.g. its Max-Age was capped at 400 days."""


#: What makes two `Set-Cookie` lines the same cookie to a browser: (name, domain, path).
CookieIdentity: TypeAlias = tuple[str, "str | None", "str | None"]


def cookie_identity(name: str, domain: str | None, path: str | None) -> CookieIdentity:
    """A cookie's identity: browsers compare domains case-insensitively, without a leading dot."""
    folded = (domain.lower().lstrip(".") or None) if domain else None
    return (name, folded, path or None)


@dataclass(frozen=True, slots=True)
class CookieAttributes:
    """The attributes a cookie is sent with, apart from its name, value and expiry.

    They identify a cookie together with its name (`domain` and `path`) and are
    what `delete_cookie` must repeat for a browser to really delete it.
    """

    path: str | None = "/"
    domain: str | None = None
    secure: bool = False
    httponly: bool = False
    samesite: SameSite | None = "lax"
    partitioned: bool = False


def parse_cookie_header(header: str) -> dict[str, str]:
    """Parse a `Cookie` request header into a `{name: value}` dict.

    Lenient by design: this never raises. Pairs without `=` or with an empty
    name are skipped, values wrapped in double quotes are unquoted, and for a
    name sent twice the first value wins (the browser sends the cookie with the
    most specific path first).
    """
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        name, sep, value = chunk.partition("=")
        if not sep:
            continue
        name = name.strip()
        if not name or name in cookies:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = _unquote(value[1:-1])
        cookies[name] = value
    return cookies


def _unquote(text: str) -> str:
    if "\\" not in text:
        return text
    return _UNQUOTE.sub(lambda m: chr(int(m[1], 8)) if m[1] else m[2], text)


def build_set_cookie(
    key: str,
    value: str = "",
    max_age: int | None = None,
    expires: Expires | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: SameSite | None = "lax",
    partitioned: bool = False,
    *,
    compat: bool = False,
) -> tuple[str, CookieAttributes]:
    """Check a cookie against RFC 6265bis; return its `Set-Cookie` value and attributes.

    Args:
        key: The cookie name, an RFC 9110 token.
        value: The value; cookie-octets only unless `compat` is true.
        max_age: Lifetime in seconds; above 400 days it is capped (with a warning).
        expires: An aware `datetime`, seconds from now, or an HTTP-date string,
            naming a moment within the years 1 to 9999 in UTC.
        path: The `Path` attribute; must start with `/`. `None` omits it.
        domain: The `Domain` attribute; `None` makes a host-only cookie.
        secure: Send only over HTTPS.
        httponly: Hide from page scripts.
        samesite: `"lax"`, `"strict"` or `"none"` (any case); `None` omits it.
        partitioned: CHIPS partitioned cookie; needs `secure`.
        compat: Quote a value that is not cookie-octets the way Starlette
            (`http.cookies`) does, instead of raising.

    Raises:
        CookieError: naming the rule the cookie breaks.
    """
    line, attributes, _ = set_cookie_line(
        key, value, max_age, expires, path, domain, secure, httponly, samesite, partitioned, compat
    )
    return line.decode("latin-1"), attributes


def set_cookie_line(
    key: str,
    value: str,
    max_age: int | None,
    expires: Expires | None,
    path: str | None,
    domain: str | None,
    secure: bool,
    httponly: bool,
    samesite: SameSite | None,
    partitioned: bool,
    compat: bool,
) -> tuple[bytes, CookieAttributes, CookieIdentity]:
    """`build_set_cookie` for the per-request path: the line as bytes, and its identity.

    Every argument is positional (a call with keywords costs more); the rules
    and the errors are those of `build_set_cookie`.
    """
    try:
        spec = _SPECS.get((key, path, domain, secure, httponly, samesite, partitioned))
    except TypeError:  # an unhashable argument: _new_spec names the rule it breaks
        spec = None
    if spec is None:
        spec = _new_spec(key, path, domain, secure, httponly, samesite, partitioned)
    # Letters and digits only (session ids, tokens) is the common case and the
    # cheapest check; anything else goes through the full cookie-octet rules.
    if compat or value.__class__ is not str or not (value.isalnum() and value.isascii()):
        value = _check_value(key, value, compat)
    if len(key) + len(value) > NAME_VALUE_LIMIT:
        raise CookieError(
            f"Cookie {key!r} is {len(key) + len(value)} bytes of name and value; browsers "
            f"ignore cookies over {NAME_VALUE_LIMIT} bytes (RFC 6265bis section 5.6). "
            "Store less in the cookie, e.g. a session id."
        )
    suffix, attributes, identity = spec
    if expires is None:
        if max_age is None:
            return f"{key}={value}{suffix}".encode("latin-1"), attributes, identity
        if max_age.__class__ is int and max_age <= MAX_AGE_LIMIT:
            line = f"{key}={value}; Max-Age={max_age}{suffix}"
            return line.encode("latin-1"), attributes, identity
    line = f"{key}={value}{_lifetime(key, max_age, expires)}{suffix}"
    return line.encode("latin-1"), attributes, identity


def dump_set_cookie(
    key: str,
    value: str = "",
    max_age: int | None = None,
    expires: Expires | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: SameSite | None = "lax",
    partitioned: bool = False,
    *,
    compat: bool = False,
) -> str:
    """Check a cookie against RFC 6265bis and return its `Set-Cookie` header value.

    See `build_set_cookie` for the arguments and the rules.

    Raises:
        CookieError: naming the rule the cookie breaks.
    """
    return build_set_cookie(
        key,
        value,
        max_age,
        expires,
        path,
        domain,
        secure,
        httponly,
        samesite,
        partitioned,
        compat=compat,
    )[0]


#: What is known of a cookie before its value: its attribute suffix, attributes and identity.
_Spec: TypeAlias = tuple[str, CookieAttributes, CookieIdentity]
#: (name, path, domain, secure, httponly, samesite, partitioned) -> its `_Spec`, for
#: every valid combination seen so far, up to a bound.
_SPECS: dict[tuple[object, ...], _Spec] = {}
_SPECS_LIMIT = 1024


def _check_path(path: str) -> None:
    _check_attribute("path", path)
    if not path.startswith("/"):
        raise CookieError(
            f"Cookie path {path!r} must start with '/' (RFC 6265bis section 5.6.4); "
            "browsers ignore any other path."
        )


def _samesite_attribute(samesite: object, secure: bool) -> str:
    """The `SameSite` attribute's value for `samesite` (already lower-cased if a string)."""
    attribute = _SAMESITE.get(samesite) if isinstance(samesite, str) else None
    if attribute is None:
        raise CookieError(
            f"Cookie samesite must be 'lax', 'strict', 'none' or None, got {samesite!r}."
        )
    if attribute == "None" and not secure:
        raise CookieError(
            "Cookie with samesite='none' requires secure=True; browsers reject "
            "SameSite=None without Secure (RFC 6265bis section 5.6.7)."
        )
    return attribute


def _new_spec(
    key: str,
    path: str | None,
    domain: str | None,
    secure: bool,
    httponly: bool,
    samesite: str | None,
    partitioned: bool,
) -> _Spec:
    """Check a cookie's name and attributes; return its attribute suffix, attributes and identity.

    Everything but the value and the lifetime is checked here, once per
    combination: repeated `set_cookie` calls only check the value.
    """
    if not isinstance(key, str) or not is_token(key):
        raise CookieError(
            f"Cookie name {key!r} is not a valid token (RFC 6265bis section 4.1.1): use "
            "only letters, digits and !#$%&'*+-.^_`|~."
        )
    cache_key = (key, path, domain, secure, httponly, samesite, partitioned)
    # An argument the call did not give (and no policy filled in): `set_cookie`'s default.
    path = "/" if path is UNSET else path
    domain = None if domain is UNSET else domain
    samesite = "lax" if samesite is UNSET else samesite
    secure = secure is not UNSET and bool(secure)
    httponly = httponly is not UNSET and bool(httponly)
    partitioned = partitioned is not UNSET and bool(partitioned)
    if isinstance(samesite, str):
        samesite = samesite.lower()
    parts: list[str] = []
    if domain is not None:
        _check_attribute("domain", domain)
        parts.append(f"; Domain={domain}")
    if path is not None:
        _check_path(path)
        parts.append(f"; Path={path}")
    if secure:
        parts.append("; Secure")
    if httponly:
        parts.append("; HttpOnly")
    if samesite is not None:
        parts.append(f"; SameSite={_samesite_attribute(samesite, secure)}")
    if partitioned:
        if not secure:
            raise CookieError(
                "Cookie with partitioned=True requires secure=True; browsers reject "
                "Partitioned without Secure (CHIPS)."
            )
        parts.append("; Partitioned")
    if key[:2] == "__":
        _check_prefix(key, path, domain, secure)
    attributes = CookieAttributes(path, domain, secure, httponly, samesite, partitioned)  # type: ignore[arg-type]
    spec = "".join(parts), attributes, cookie_identity(key, domain, path)
    with suppress(TypeError):  # unhashable arguments are checked above but not cached
        if len(_SPECS) < _SPECS_LIMIT:
            _SPECS[cache_key] = spec
    return spec


def dump_delete_cookie(key: str, attributes: CookieAttributes) -> str:
    """Return a `Set-Cookie` value that makes browsers delete cookie `key`."""
    header = dump_set_cookie(
        key,
        "",
        path=attributes.path,
        domain=attributes.domain,
        secure=attributes.secure,
        httponly=attributes.httponly,
        samesite=attributes.samesite,
        partitioned=attributes.partitioned,
    )
    name_value = f"{key}="
    return f"{name_value}; Max-Age=0; Expires={_EPOCH}{header[len(name_value) :]}"


def _check_value(key: str, value: str, compat: bool) -> str:
    if not isinstance(value, str):
        raise CookieError(
            f"Cookie {key!r} value must be a str, got {type(value).__name__} {value!r}."
        )
    if compat:
        return _compat_quote(key, value)
    if _COOKIE_VALUE.fullmatch(value):
        return value
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        if _COOKIE_VALUE.fullmatch(inner):
            return value
    raise CookieError(
        f"Cookie {key!r} value {value!r} contains characters outside cookie-octets "
        "(RFC 6265bis section 4.1.1: no spaces, double quotes, commas, semicolons, "
        "backslashes, control or non-ASCII characters). Encode the value (e.g. "
        "base64url or percent-encoding), or pass compat=True to quote it as Starlette does."
    )


def _compat_quote(key: str, value: str) -> str:
    if all(char in _COMPAT_LEGAL for char in value):
        return value
    if any(ord(char) > 0xFF for char in value):
        raise CookieError(
            f"Cookie {key!r} value {value!r} has characters that cannot be sent in a "
            "header even when quoted; encode the value (e.g. base64url)."
        )
    return '"' + value.translate(_COMPAT_ESCAPES) + '"'


def _check_prefix(key: str, path: str | None, domain: str | None, secure: bool) -> None:
    folded = key.lower()
    if folded.startswith("__secure-") and not secure:
        raise CookieError(
            f"Cookie {key!r} uses the __Secure- prefix, which requires secure=True "
            "(RFC 6265bis section 4.1.3.1)."
        )
    if folded.startswith("__host-") and (not secure or path != "/" or domain is not None):
        raise CookieError(
            f"Cookie {key!r} uses the __Host- prefix, which requires secure=True, "
            f"path='/' and no domain (RFC 6265bis section 4.1.3.2); got secure={secure!r}, "
            f"path={path!r}, domain={domain!r}."
        )


def _check_attribute(name: str, value: str) -> None:
    if not isinstance(value, str):
        raise CookieError(f"Cookie {name} must be a str, got {type(value).__name__} {value!r}.")
    if ";" in value or not value.isprintable() or not value.isascii() or not value.strip():
        raise CookieError(
            f"Cookie {name} {value!r} must be non-empty printable ASCII without ';' "
            "(RFC 6265bis section 4.1.1)."
        )
    if value != value.strip():
        # Browsers trim it; the line must not end in a space, and the identity must agree.
        raise CookieError(f"Cookie {name} {value!r} must not start or end with whitespace.")


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _caller_level() -> int:
    """The `stacklevel` of the first caller outside Transom, for a warning to point at it."""
    level, frame = 2, sys._getframe(2)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        level, frame = level + 1, frame.f_back
    return level


def _lifetime(key: str, max_age: int | None, expires: Expires | None) -> str:
    parts = ""
    if max_age is not None:
        if isinstance(max_age, bool) or not isinstance(max_age, int):
            raise CookieError(
                f"Cookie {key!r} max_age must be an int number of seconds, got {max_age!r}."
            )
        if max_age > MAX_AGE_LIMIT:
            warnings.warn(
                f"Cookie {key!r} max_age={max_age} is more than 400 days; browsers cap it "
                f"(RFC 6265bis section 5.6.2), so it was sent as Max-Age={MAX_AGE_LIMIT}.",
                CookieWarning,
                stacklevel=_caller_level(),
            )
            max_age = MAX_AGE_LIMIT
        parts = f"; Max-Age={max_age}"
    if expires is not None:
        parts += f"; Expires={_expires(key, expires)}"
    return parts


def _expires(key: str, expires: Expires) -> str:
    if isinstance(expires, datetime):
        return format_http_date(_aware_utc(key, expires))
    if isinstance(expires, (int, float)) and not isinstance(expires, bool):
        try:
            later = datetime.fromtimestamp(time.time(), UTC) + timedelta(seconds=expires)
        except (OverflowError, ValueError):  # huge, infinite or NaN seconds
            raise _out_of_range(key, f"{expires!r} seconds from now") from None
        return format_http_date(later)
    if isinstance(expires, str):
        return format_http_date(_parse_expires(key, expires))
    raise CookieError(
        f"Cookie {key!r} expires must be an aware datetime, a number of seconds or an "
        f"HTTP date string, got {type(expires).__name__} {expires!r}."
    )


def expiry_moment(key: str, max_age: int | None, expires: Expires | None) -> float | None:
    """When a cookie set now with `max_age`/`expires` expires, in seconds since the epoch.

    `Max-Age` wins over `Expires`, as in browsers; `None` for a session cookie.
    A lifetime over 400 days counts as 400 days (browsers cap it).

    Raises:
        CookieError: if `max_age` or `expires` is not a valid lifetime.
    """
    now = time.time()
    if max_age is not None:
        if isinstance(max_age, bool) or not isinstance(max_age, int):
            raise CookieError(
                f"Cookie {key!r} max_age must be an int number of seconds, got {max_age!r}."
            )
        return now + min(max_age, MAX_AGE_LIMIT)
    if expires is None:
        return None
    _expires(key, expires)  # the same checks as the attribute
    if isinstance(expires, datetime):
        moment = _aware_utc(key, expires).timestamp()
    elif isinstance(expires, str):
        moment = _parse_expires(key, expires).timestamp()
    else:
        moment = now + expires
    return min(moment, now + MAX_AGE_LIMIT)


def check_set_cookie_line(line: str) -> None:
    """Check a `Set-Cookie` value set as a raw header against the cookie rules.

    `headers["Set-Cookie"] = ...`, `Response(headers=...)` and
    `HTTPException(headers=...)` go through here, so a raw line cannot send
    what `set_cookie` refuses: a bad name or value, a `__Secure-` or `__Host-`
    cookie without its attributes, `SameSite=None` or `Partitioned` without
    `Secure`, a name and value over 4096 bytes.

    Raises:
        CookieError: naming the rule, and pointing to `set_cookie`.
    """
    name_value, *attributes = line.split(";")
    key, equals, value = name_value.partition("=")
    key, value = key.strip(), value.strip()
    try:
        if not equals or not is_token(key):
            raise CookieError(f"Set-Cookie {line!r} does not start with a valid name=value.")
        _check_value(key, value, compat=False)
        if len(key) + len(value) > NAME_VALUE_LIMIT:
            raise CookieError(f"Cookie {key!r} is over {NAME_VALUE_LIMIT} bytes.")
        found: dict[str, str] = {}
        for attribute in attributes:
            name, _, item = attribute.partition("=")
            found[name.strip().lower()] = item.strip()
        secure = "secure" in found
        if key[:2] == "__":
            _check_prefix(key, found.get("path"), found.get("domain"), secure)
        if "samesite" in found:
            _samesite_attribute(found["samesite"].lower(), secure)
        if "partitioned" in found and not secure:
            raise CookieError(f"Cookie {key!r} is Partitioned without Secure (CHIPS).")
    except CookieError as exc:
        raise CookieError(
            f"{exc} Set cookies with response.set_cookie(), which checks and formats them."
        ) from None


def _out_of_range(key: str, what: str) -> CookieError:
    return CookieError(
        f"Cookie {key!r} expires {what} is out of range: Expires is an IMF-fixdate in GMT "
        "(RFC 6265bis section 4.1.1), whose four-digit year holds only moments from year "
        "1 to 9999 in UTC. Pass a nearer date, or max_age for a lifetime in seconds."
    )


def _aware_utc(key: str, expires: datetime) -> datetime:
    """`expires` in UTC, checked to be aware and to stay within `datetime`'s years."""
    try:
        offset = expires.utcoffset()
    except ValueError as exc:  # a tzinfo whose offset is a day or more
        raise CookieError(
            f"Cookie {key!r} expires {expires!r} has no valid UTC offset ({exc}); use "
            "timezone.utc or a zoneinfo.ZoneInfo."
        ) from None
    if offset is None:
        raise CookieError(
            f"Cookie {key!r} expires {expires!r} is a naive datetime; pass an aware "
            "one, e.g. datetime.now(timezone.utc) + timedelta(days=1)."
        )
    try:
        # Near year 1 or 9999 the offset can carry the moment out of datetime's range.
        return expires.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _out_of_range(key, repr(expires)) from None


def _parse_expires(key: str, expires: str) -> datetime:
    """The moment an HTTP-date string names, in UTC."""
    parsed = parsedate_tz(expires)
    if parsed is None or ";" in expires:
        raise CookieError(
            f"Cookie {key!r} expires {expires!r} is not an HTTP date such as "
            "'Wed, 21 Oct 2015 07:28:00 GMT'."
        )
    year, month, day, hour, minute, second = parsed[:6]
    if not 1 <= year <= 9999:
        raise _out_of_range(key, repr(expires))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (OverflowError, ValueError):  # e.g. 31 Feb or hour 25: parsed, but not a real date
        raise CookieError(
            f"Cookie {key!r} expires {expires!r} is not an HTTP date such as "
            "'Wed, 21 Oct 2015 07:28:00 GMT': it names no real date or time."
        ) from None
    try:
        return moment - timedelta(seconds=parsed[9] or 0)
    except OverflowError:  # a real date whose offset carries it past year 1 or 9999
        raise _out_of_range(key, repr(expires)) from None
