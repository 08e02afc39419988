"""Caching and conditional-request rules (RFC 9110 sections 8.8 and 13, RFC 9111), sans-IO.

This module owns:

- `CacheControl`: the response directives of `Cache-Control` (RFC 9111 section
  5.2.2, `immutable` from RFC 8246, `stale-while-revalidate` and
  `stale-if-error` from RFC 5861), checked when built and written in one
  canonical order (`CACHE_CONTROL_ORDER`);
- entity tags (RFC 9110 section 8.8.3): `dump_entity_tag` quotes and checks
  one, `parse_entity_tag` reads one, `parse_entity_tags` reads an
  `If-None-Match`/`If-Match` list, and the weak and strong comparisons;
- HTTP dates (RFC 9110 section 5.6.7): `format_http_date` writes an
  IMF-fixdate, `parse_http_date` reads the three forms a recipient must accept;
- `not_modified`: whether a `GET`/`HEAD` answer becomes a 304, and
  `not_modified_headers`, what that 304 keeps (RFC 9110 section 15.4.5);
- `failed_precondition`: which of `If-Match`, `If-Unmodified-Since` and (for
  unsafe methods) `If-None-Match` makes a request a 412;
- `check_vary_names`: the field names a `Vary` may list.

It does no I/O and imports only the standard library. Request headers are
read leniently (a malformed condition is ignored, never raised); values a
program sets are checked strictly and raise `ValueError` naming the rule.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from transom.http.headers import RawHeaders, is_token

__all__ = [
    "CACHE_CONTROL_ORDER",
    "NOT_MODIFIED_KEPT",
    "CacheControl",
    "EntityTag",
    "body_etag",
    "check_vary_names",
    "dump_entity_tag",
    "failed_precondition",
    "format_http_date",
    "not_modified",
    "not_modified_headers",
    "parse_entity_tag",
    "parse_entity_tags",
    "parse_http_date",
    "strong_match",
    "weak_match",
]

# --- HTTP dates ---------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTHS, 1)}
_MONTH = "|".join(_MONTHS)
_TIME = r"(\d\d):(\d\d):(\d\d)"
# IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
_IMF_FIXDATE = re.compile(rf"({'|'.join(_DAYS)}), (\d\d) ({_MONTH}) (\d{{4}}) {_TIME} GMT")
# rfc850-date: `Sunday, 06-Nov-94 08:49:37 GMT`.
_RFC850_DATE = re.compile(rf"({'|'.join(_LONG_DAYS)}), (\d\d)-({_MONTH})-(\d\d) {_TIME} GMT")
# asctime-date: `Sun Nov  6 08:49:37 1994`.
_ASCTIME_DATE = re.compile(rf"({'|'.join(_DAYS)}) ({_MONTH}) ([ \d]\d) {_TIME} (\d{{4}})")


def format_http_date(moment: datetime) -> str:
    """Format an aware datetime as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).

    Fractions of a second are dropped (truncated), as the format has none.
    """
    utc = moment.astimezone(UTC)
    return (
        f"{_DAYS[utc.weekday()]}, {utc.day:02d} {_MONTHS[utc.month - 1]} {utc.year:04d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d} GMT"
    )


def _two_digit_year(year: int, now: datetime | None) -> int:
    """RFC 9110 section 5.6.7: a year more than 50 years ahead is the last century's."""
    current = (now or datetime.now(UTC)).year
    full = current - current % 100 + year
    return full - 100 if full > current + 50 else full


def parse_http_date(value: str | bytes, *, now: datetime | None = None) -> datetime | None:
    """The moment an HTTP-date names, as an aware UTC datetime; `None` if it is not one.

    Accepts the three forms of RFC 9110 section 5.6.7 (IMF-fixdate, the obsolete
    RFC 850 and asctime forms), case-sensitively, with no surrounding text: a
    list of dates, a numeric offset or a date without time is not an HTTP-date.
    A leap second (`:60`) reads as `:59`. `now` decides the century of an RFC
    850 two-digit year (default: the current time).
    """
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip(" \t")
    found = _IMF_FIXDATE.fullmatch(text)
    if found is not None:
        day, month, year = found[2], found[3], int(found[4])
        clock = found.group(5, 6, 7)
    elif (found := _RFC850_DATE.fullmatch(text)) is not None:
        day, month, year = found[2], found[3], _two_digit_year(int(found[4]), now)
        clock = found.group(5, 6, 7)
    elif (found := _ASCTIME_DATE.fullmatch(text)) is not None:
        day, month, year = found[3], found[2], int(found[7])
        clock = found.group(4, 5, 6)
    else:
        return None
    hour, minute, second = (int(part) for part in clock)
    try:
        return datetime(
            year, _MONTH_NUMBERS[month], int(day), hour, minute, min(second, 59), tzinfo=UTC
        )
    except ValueError:  # 31 Feb, hour 25, year 0: the right shape, but no real moment
        return None


# --- Entity tags ----------------------------------------------------------------

#: An entity tag as `(weak, opaque)`: `W/"x"` is `(True, "x")`.
EntityTag = tuple[bool, str]

# etagc: %x21 / %x23-7E / obs-text (RFC 9110 section 8.8.3).
_ETAGC = r"[\x21\x23-\x7e\x80-\xff]"
_ENTITY_TAG = re.compile(rf'(W/)?"({_ETAGC}*)"')
_OPAQUE = re.compile(rf"{_ETAGC}*")


def body_etag(body: bytes) -> bytes:
    """A strong `ETag` value for `body`: its BLAKE2b digest, 128 bits, in hex.

    The same bytes always give the same tag (across processes and restarts:
    no key, no salt), different bytes a different one with overwhelming
    probability. BLAKE2b is in `hashlib` everywhere and hashes faster than MD5.
    """
    return b'"%s"' % hashlib.blake2b(body, digest_size=16).hexdigest().encode("ascii")


def dump_entity_tag(tag: str, weak: bool = False) -> str:
    """The `ETag` value for `tag`: quoted, with `W/` if `weak`.

    `tag` is the opaque tag without quotes (`v1` gives `"v1"`); a tag already
    written as an entity tag (`"v1"`, `W/"v1"`) is taken as it is (`weak=True`
    still makes it weak).

    Raises:
        ValueError: if `tag` is not a str of etagc characters (printable ASCII
            but space and `"`, or latin-1 text above 0x7F).
    """
    if not isinstance(tag, str):
        raise ValueError(f"An entity tag must be a str, got {type(tag).__name__} {tag!r}.")
    whole = _ENTITY_TAG.fullmatch(tag)
    if whole is not None:
        return f'W/"{whole[2]}"' if weak or whole[1] else tag
    if _OPAQUE.fullmatch(tag) is None:
        raise ValueError(
            f"Entity tag {tag!r} may contain only etagc characters (RFC 9110 section "
            "8.8.3): printable ASCII except space and '\"', or latin-1 text; encode "
            "the value (e.g. hex or base64url)."
        )
    return f'W/"{tag}"' if weak else f'"{tag}"'


def parse_entity_tag(value: str | bytes) -> EntityTag | None:
    """One entity tag (`"x"` or `W/"x"`) as `(weak, opaque)`, or `None` if it is not one."""
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    found = _ENTITY_TAG.fullmatch(text.strip(" \t"))
    if found is None:
        return None
    return bool(found[1]), found[2]


def parse_entity_tags(value: str | bytes) -> list[EntityTag] | None:
    """The entity tags of an `If-None-Match` or `If-Match` value; `None` for `*`.

    Read leniently: members that are not entity tags are skipped, so an
    unquoted `abc` matches nothing. Commas inside a quoted tag do not split.
    """
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if text.strip(" \t") == "*":
        return None
    return [(bool(found[1]), found[2]) for found in _ENTITY_TAG.finditer(text)]


def weak_match(first: EntityTag, second: EntityTag) -> bool:
    """The weak comparison: the opaque tags are equal, weak or not (RFC 9110 8.8.3.2)."""
    return first[1] == second[1]


def strong_match(first: EntityTag, second: EntityTag) -> bool:
    """The strong comparison: neither tag is weak and the opaque tags are equal."""
    return not first[0] and not second[0] and first[1] == second[1]


# --- Conditional GET and HEAD: the 304 -----------------------------------------

#: The headers a 304 keeps of the 200 it stands for (RFC 9110 section 15.4.5);
#: `Set-Cookie` lines are kept too.
NOT_MODIFIED_KEPT = frozenset(
    {b"cache-control", b"content-location", b"date", b"etag", b"expires", b"vary"}
)


def _request_conditions(
    request_headers: Iterable[tuple[bytes, bytes]],
) -> tuple[bytes | None, list[bytes]]:
    """`If-None-Match` (its lines joined) and the `If-Modified-Since` lines of a request."""
    if_none_match: bytes | None = None
    if_modified_since: list[bytes] = []
    for name, value in request_headers:
        if name == b"if-none-match":
            if_none_match = value if if_none_match is None else if_none_match + b", " + value
        elif name == b"if-modified-since":
            if_modified_since.append(value)
    return if_none_match, if_modified_since


def _validators(headers: RawHeaders) -> tuple[bytes | None, bytes | None]:
    etag = last_modified = None
    for name, value in headers:
        if name == b"etag":
            etag = value
        elif name == b"last-modified":
            last_modified = value
    return etag, last_modified


def not_modified(
    method: str, request_headers: Iterable[tuple[bytes, bytes]], headers: RawHeaders
) -> bool:
    """Whether a 200 with `headers` to this request should be answered 304 instead.

    Only `GET` and `HEAD` are answered 304 (RFC 9110 section 13.2.2).
    `If-None-Match` (`*`, or a list compared weakly to the `ETag`) decides alone
    when present; otherwise `If-Modified-Since` is compared to `Last-Modified`:
    not modified when the last modification is not after it. An
    `If-Modified-Since` that is not one valid HTTP-date is ignored.

    Args:
        method: The request method.
        request_headers: The request's raw headers, names lower-cased.
        headers: The response's raw headers, names lower-cased.
    """
    if method != "GET" and method != "HEAD":
        return False
    if_none_match, if_modified_since = _request_conditions(request_headers)
    if if_none_match is None and not if_modified_since:
        return False
    etag, last_modified = _validators(headers)
    if if_none_match is not None:
        if etag is not None and if_none_match == etag:  # the common revalidation, unparsed
            return True
        tags = parse_entity_tags(if_none_match)
        if tags is None:  # `*`: any current representation
            return True
        current = None if etag is None else parse_entity_tag(etag)
        return current is not None and any(weak_match(tag, current) for tag in tags)
    if len(if_modified_since) != 1 or last_modified is None:
        return False
    since = parse_http_date(if_modified_since[0])
    modified = parse_http_date(last_modified)
    return since is not None and modified is not None and modified <= since


def not_modified_headers(headers: RawHeaders) -> RawHeaders:
    """The headers a 304 keeps of the 200 it replaces: `NOT_MODIFIED_KEPT` and `Set-Cookie`."""
    kept = NOT_MODIFIED_KEPT
    return [pair for pair in headers if pair[0] in kept or pair[0] == b"set-cookie"]


# --- Preconditions of state-changing requests: the 412 ---------------------------


_PRECONDITIONS = (b"if-match", b"if-none-match", b"if-unmodified-since")


def _lines(request_headers: Iterable[tuple[bytes, bytes]]) -> dict[bytes, list[bytes]]:
    """The lines of each precondition header the request sent."""
    found: dict[bytes, list[bytes]] = {}
    for name, value in request_headers:
        if name in _PRECONDITIONS:
            found.setdefault(name, []).append(value)
    return found


def _if_match_holds(value: bytes, etag: EntityTag | None, exists: bool) -> bool:
    tags = parse_entity_tags(value)
    if tags is None:
        return exists
    return exists and etag is not None and any(strong_match(tag, etag) for tag in tags)


def _if_none_match_holds(value: bytes, etag: EntityTag | None, exists: bool) -> bool:
    tags = parse_entity_tags(value)
    if tags is None:
        return not exists
    return not (exists and etag is not None and any(weak_match(tag, etag) for tag in tags))


def failed_precondition(
    method: str,
    request_headers: Iterable[tuple[bytes, bytes]],
    etag: EntityTag | None,
    last_modified: datetime | None,
    *,
    exists: bool = True,
) -> str | None:
    """The request header whose condition fails for the resource, or `None` (RFC 9110 13.2.2).

    - `If-Match`: `*` holds if the resource `exists`; a list holds if one tag
      matches `etag` by the strong comparison (a weak tag never does).
    - Without `If-Match`, `If-Unmodified-Since` holds unless `last_modified` is
      after it (ignored when it is not one valid HTTP-date, or the resource has
      no modification date).
    - For methods other than `GET` and `HEAD`, `If-None-Match` fails when `*`
      and the resource `exists`, or when a listed tag matches `etag` weakly.
      (For `GET` and `HEAD` a matching `If-None-Match` means 304, see
      `not_modified`.)

    Args:
        method: The request method.
        request_headers: The request's raw headers, names lower-cased.
        etag: The resource's current entity tag, if it has one.
        last_modified: When the resource last changed (aware), if known.
        exists: Whether the resource currently exists.
    """
    lines = _lines(request_headers)
    if_match = lines.get(b"if-match")
    if if_match is not None:
        if not _if_match_holds(b", ".join(if_match), etag, exists):
            return "If-Match"
    elif _modified_since(lines.get(b"if-unmodified-since", []), last_modified):
        return "If-Unmodified-Since"
    if_none_match = lines.get(b"if-none-match")
    if if_none_match is None or method == "GET" or method == "HEAD":
        return None
    holds = _if_none_match_holds(b", ".join(if_none_match), etag, exists)
    return None if holds else "If-None-Match"


def _modified_since(lines: list[bytes], last_modified: datetime | None) -> bool:
    """Whether `last_modified` is after the one valid date of `lines` (else: no condition)."""
    since = parse_http_date(lines[0]) if len(lines) == 1 else None
    if since is None or last_modified is None:
        return False
    return last_modified.replace(microsecond=0) > since


# --- Vary -------------------------------------------------------------------------


def check_vary_names(names: Iterable[str]) -> list[str]:
    """The field names for `Vary`, checked: each an RFC 9110 token (or `*`).

    Raises:
        ValueError: naming the first name that is not a token.
    """
    checked: list[str] = []
    for name in names:
        if not isinstance(name, str) or not is_token(name):
            raise ValueError(
                f"Vary lists field names, and {name!r} is not one (RFC 9110 section "
                "12.5.5): a name is a token of letters, digits and !#$%&'*+-.^_`|~; pass "
                "each name as its own argument, e.g. add_vary('Accept', 'Origin')."
            )
        checked.append(name)
    return checked


# --- Cache-Control ----------------------------------------------------------------

#: The order `CacheControl` writes its directives in.
CACHE_CONTROL_ORDER = (
    "public",
    "private",
    "no-cache",
    "no-store",
    "max-age",
    "s-maxage",
    "must-revalidate",
    "proxy-revalidate",
    "no-transform",
    "immutable",
    "stale-while-revalidate",
    "stale-if-error",
)

_AGES = ("max_age", "s_maxage", "stale_while_revalidate", "stale_if_error")
_FLAGS = (
    "public",
    "private",
    "no_cache",
    "no_store",
    "must_revalidate",
    "proxy_revalidate",
    "no_transform",
    "immutable",
)

#: `(a, b, why)`: directives that must not be combined (RFC 9111, 8246, 5861).
_CONFLICTS = (
    ("public", "private", "a response is either for shared caches too or for one user only"),
    ("private", "s_maxage", "s-maxage is for shared caches, which private excludes"),
    (
        "private",
        "proxy_revalidate",
        "proxy-revalidate is for shared caches, which private excludes",
    ),
    ("no_store", "public", "no-store forbids storing what public allows to store"),
    ("no_store", "max_age", "no-store forbids storing, so there is no freshness lifetime"),
    ("no_store", "s_maxage", "no-store forbids storing, so there is no freshness lifetime"),
    ("no_store", "immutable", "no-store forbids storing, so nothing stays fresh unchanged"),
    ("no_store", "stale_while_revalidate", "no-store forbids storing, so nothing is stale"),
    ("no_store", "stale_if_error", "no-store forbids storing, so nothing is stale"),
    ("no_cache", "immutable", "no-cache asks to revalidate every use, immutable to never"),
    (
        "no_cache",
        "stale_while_revalidate",
        "no-cache forbids using a stored response before revalidating it",
    ),
    (
        "must_revalidate",
        "stale_while_revalidate",
        "must-revalidate forbids serving a stale response",
    ),
    ("must_revalidate", "stale_if_error", "must-revalidate forbids serving a stale response"),
)


def _given(setting: int | bool | None) -> bool:
    """Whether a directive is present: a flag set to `True`, or an age (0 included)."""
    return setting is not None and setting is not False


def _directive(field: str) -> str:
    return field.replace("_", "-")


@dataclasses.dataclass(frozen=True, slots=True)
class CacheControl:
    """The directives of a response's `Cache-Control` (RFC 9111 section 5.2.2).

    Checked when built; `str()` gives the header value, directives in the
    order of `CACHE_CONTROL_ORDER`:

    >>> str(CacheControl(max_age=60, public=True, stale_while_revalidate=30))
    'public, max-age=60, stale-while-revalidate=30'

    Args:
        max_age: Seconds the response stays fresh.
        s_maxage: Seconds it stays fresh in shared caches (overrides `max_age` there).
        public: Any cache may store it, even one that otherwise would not.
        private: Only the user's own (browser) cache may store it.
        no_cache: Caches must revalidate it with the server before each use.
        no_store: No cache may store it.
        must_revalidate: Once stale, it must not be used without revalidating.
        proxy_revalidate: `must_revalidate`, for shared caches only.
        immutable: It will not change while fresh: no revalidation on reload (RFC 8246).
        stale_while_revalidate: Seconds it may be served stale while a cache
            revalidates it in the background (RFC 5861).
        stale_if_error: Seconds it may be served stale when revalidating fails (RFC 5861).
        no_transform: Intermediaries must not transform the content.

    Raises:
        ValueError: for an age that is not a non-negative `int`, a flag that is
            not a `bool`, no directive at all, or two directives that contradict
            each other (`public` with `private`, `no_store` with `max_age`, ...).
    """

    max_age: int | None = None
    s_maxage: int | None = None
    public: bool = False
    private: bool = False
    no_cache: bool = False
    no_store: bool = False
    must_revalidate: bool = False
    proxy_revalidate: bool = False
    immutable: bool = False
    stale_while_revalidate: int | None = None
    stale_if_error: int | None = None
    no_transform: bool = False
    _value: str = dataclasses.field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in _AGES:
            age = getattr(self, name)
            if age is not None and (type(age) is not int or age < 0):
                raise ValueError(
                    f"Cache-Control {_directive(name)} must be a non-negative int of "
                    f"seconds (RFC 9111 section 1.2.2), got {name}={age!r}."
                )
        for name in _FLAGS:
            flag = getattr(self, name)
            if type(flag) is not bool:
                raise ValueError(
                    f"Cache-Control {_directive(name)} is a flag: pass {name}=True or "
                    f"False, got {name}={flag!r}."
                )
        for first, second, why in _CONFLICTS:
            if _given(getattr(self, first)) and _given(getattr(self, second)):
                raise ValueError(
                    f"Cache-Control {_directive(first)} and {_directive(second)} contradict "
                    f"each other: {why} (RFC 9111 section 5.2.2). Keep one of them."
                )
        if self.immutable and self.max_age is None and self.s_maxage is None:
            raise ValueError(
                "Cache-Control immutable needs a freshness lifetime: it says the response "
                "will not change while fresh (RFC 8246 section 2); add max_age=..."
            )
        value = self._render()
        if not value:
            raise ValueError(
                "Cache-Control needs at least one directive, e.g. max_age=60 or no_store=True."
            )
        object.__setattr__(self, "_value", value)

    def _render(self) -> str:
        parts: list[str] = []
        for directive in CACHE_CONTROL_ORDER:
            setting = getattr(self, directive.replace("-", "_"))
            if setting is True:
                parts.append(directive)
            elif _given(setting):
                parts.append(f"{directive}={setting}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return self._value
