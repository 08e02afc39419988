"""HTTP header collections and the rules for header names and values.

This module owns what a header may contain (RFC 9110 section 5) and how headers
of each kind combine. It does no I/O and imports only the standard library.

Names and values are checked when they are *set*, so a bad value raises at the
line of user code that set it, not later inside the server. Headers read from an
ASGI scope are trusted: the server has already parsed them.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Self, TypeAlias

__all__ = [
    "HeaderError",
    "HeaderKind",
    "Headers",
    "MutableHeaders",
    "RawHeaders",
    "encode_name",
    "encode_value",
    "header_kind",
    "replace_header",
]

RawHeaders: TypeAlias = list[tuple[bytes, bytes]]

#: RFC 9110 `tchar`: the characters a token (and so a field name) may contain.
TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits)
# Deleting every token character leaves an empty string exactly when the input is a token.
_TOKEN_DELETE = str.maketrans("", "", "".join(TOKEN_CHARS))
_NAME_CACHE: dict[str, bytes] = {}
_NAME_CACHE_LIMIT = 4096


class HeaderError(ValueError):
    """A header name or value breaks the rules of RFC 9110."""


def is_token(text: str) -> bool:
    """Tell whether `text` is a non-empty RFC 9110 token."""
    return bool(text) and text.isascii() and not text.translate(_TOKEN_DELETE)


def encode_name(name: str) -> bytes:
    """Check a header name and return it lower-cased as latin-1 bytes.

    Raises:
        HeaderError: if `name` is not an RFC 9110 token.
    """
    if not isinstance(name, str):  # before the cache: an unhashable name must not TypeError
        raise HeaderError(f"Header name must be a str, got {type(name).__name__} {name!r}.")
    cached = _NAME_CACHE.get(name)
    if cached is not None:
        return cached
    if not is_token(name):
        raise HeaderError(
            f"Header name {name!r} is not a valid token (RFC 9110 section 5.1): use only "
            "letters, digits and !#$%&'*+-.^_`|~, with no spaces or colons."
        )
    encoded = name.lower().encode("ascii")
    if len(_NAME_CACHE) < _NAME_CACHE_LIMIT:
        _NAME_CACHE[name] = encoded
    return encoded


def _lookup_name(key: str) -> bytes | None:
    """The lower-cased name to look `key` up by; None if no header can have it.

    Names are ASCII tokens: a key that is not ASCII finds nothing (and must not
    lower-case into one that would: 'X-\u212a', a Kelvin sign, folds to 'x-k').
    """
    if not isinstance(key, str) or not key.isascii():
        return None
    return key.lower().encode("ascii")


def encode_value(name: str, value: str) -> bytes:
    """Check a header value and return it as latin-1 bytes.

    A value may hold visible characters, spaces, tabs and latin-1 text, but no
    control characters: CR or LF would split the header, NUL is forbidden.
    Spaces and tabs around the value are trimmed.

    Raises:
        HeaderError: naming the header, the value and the broken rule.
    """
    if not isinstance(value, str):
        raise HeaderError(
            f"Header {name!r} value must be a str, got {type(value).__name__} {value!r}."
        )
    if value and (value[0] in " \t" or value[-1] in " \t"):
        # A field value has no outer whitespace (RFC 9110 section 5.5): it is trimmed,
        # as a recipient would, so the server never refuses the line later.
        value = value.strip(" \t")
    # Fast path: printable ASCII is always valid.
    if value.isascii() and value.isprintable():
        return value.encode("ascii")
    for char in value:
        code = ord(char)
        if char in "\r\n":
            raise HeaderError(
                f"Header {name!r} value {value!r} contains CR or LF, which would split "
                "the header (RFC 9110 section 5.5); remove the line break."
            )
        if code == 0:
            raise HeaderError(
                f"Header {name!r} value {value!r} contains NUL, which is forbidden in a "
                "field value (RFC 9110 section 5.5)."
            )
        if (code < 0x20 and char != "\t") or code == 0x7F:
            raise HeaderError(
                f"Header {name!r} value {value!r} contains the control character "
                f"{char!r}, which is forbidden in a field value (RFC 9110 section 5.5)."
            )
        if code > 0xFF:
            raise HeaderError(
                f"Header {name!r} value {value!r} contains {char!r}, which cannot be "
                "encoded as latin-1; percent-encode the value or use RFC 8187 encoding."
            )
    return value.encode("latin-1")


def replace_header(pairs: RawHeaders, name: bytes, value: bytes) -> None:
    """Set single-valued header `name` in `pairs`: the first line takes `value`, the
    others go; a new line at the end if there is none."""
    found = [index for index, pair in enumerate(pairs) if pair[0] == name]
    if not found:
        pairs.append((name, value))
        return
    pairs[found[0]] = (name, value)
    for index in reversed(found[1:]):
        del pairs[index]


def _checked_pair(key: str, value: str) -> tuple[bytes, bytes]:
    """A header set by user code as a checked raw pair (a raw `Set-Cookie` too)."""
    name, encoded = encode_name(key), encode_value(key, value)
    if name == b"set-cookie":
        _check_cookie_line(encoded)
    return name, encoded


def _check_cookie_line(value: bytes) -> None:
    # The cookie rules live in `cookies`, which imports this module.
    from transom.http.cookies import check_set_cookie_line

    check_set_cookie_line(value.decode("latin-1"))


#: The validators a conditional request is compared with (RFC 9110 section 8.8).
VALIDATOR_NAMES = frozenset((b"etag", b"last-modified"))


class HeaderKind(enum.Enum):
    """How two values of one header combine when responses are merged."""

    #: One value; a later or closer value replaces an earlier one.
    SINGLE = "single"
    #: A comma-separated list; values are united without duplicates.
    LIST = "list"
    #: `Set-Cookie`: one line per cookie identity (name, domain, path).
    SET_COOKIE = "set-cookie"


_LIST_HEADERS = frozenset(
    {
        b"vary",
        b"link",
        b"allow",
        b"via",
        b"server-timing",
        b"access-control-allow-headers",
        b"access-control-allow-methods",
        b"access-control-expose-headers",
    }
)


def header_kind(name: bytes) -> HeaderKind:
    """Return the merge kind of a lower-cased header name."""
    if name == b"set-cookie":
        return HeaderKind.SET_COOKIE
    if name in _LIST_HEADERS:
        return HeaderKind.LIST
    return HeaderKind.SINGLE


def _same(item: str) -> str:
    return item


def list_item_key(name: bytes) -> Callable[[str], str]:
    """How items of list header `name` compare for duplicates: case-insensitively
    (field names, methods, tokens), except `Link`, whose URLs are case-sensitive."""
    return _same if name == b"link" else str.lower


def split_list_value(value: str) -> list[str]:
    """Split a comma-separated header value into its non-empty, stripped items.

    Commas inside double-quoted strings and inside `<...>` (as in `Link`) do not
    split: `<a>; title="x, y", <b>` is two items.
    """
    if '"' not in value and "<" not in value:
        return [item for item in (part.strip() for part in value.split(",")) if item]
    items: list[str] = []
    start = 0
    quoted = bracketed = escaped = False
    for index, char in enumerate(value):
        if escaped:
            escaped = False
        elif quoted:
            escaped = char == "\\"
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == "<":
            bracketed = True
        elif char == ">":
            bracketed = False
        elif char == "," and not bracketed:
            items.append(value[start:index])
            start = index + 1
    items.append(value[start:])
    return [item for item in (part.strip() for part in items) if item]


class Headers(Mapping[str, str]):
    """An immutable, case-insensitive multidict of HTTP headers.

    Built from a mapping or a list of `(name, value)` str pairs (both checked),
    from `raw` lower-cased byte pairs, or from an ASGI `scope` (trusted).
    """

    __slots__ = ("_list",)

    _list: RawHeaders

    def __init__(
        self,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        raw: RawHeaders | None = None,
        scope: Mapping[str, Any] | None = None,
    ) -> None:
        if (headers is not None) + (raw is not None) + (scope is not None) > 1:
            raise TypeError("Pass at most one of 'headers', 'raw' or 'scope' to Headers().")
        if headers is not None:
            pairs = headers.items() if isinstance(headers, Mapping) else headers
            self._list = [_checked_pair(k, v) for k, v in pairs]
        elif raw is not None:
            self._list = raw
        elif scope is not None:
            # The ASGI spec allows an iterable; keep a list so edits stay local.
            self._list = list(scope["headers"])
        else:
            self._list = []

    @classmethod
    def view(cls, raw: RawHeaders) -> Self:
        """A view over `raw`, trusted as it is (what `cls(raw=raw)` does, minus the checks)."""
        view = cls.__new__(cls)
        view._list = raw
        return view

    @property
    def raw(self) -> RawHeaders:
        """The underlying `(name, value)` byte pairs, names lower-cased."""
        return self._list

    def keys(self) -> list[str]:  # type: ignore[override]
        return [key.decode("latin-1") for key, _ in self._list]

    def values(self) -> list[str]:  # type: ignore[override]
        return [value.decode("latin-1") for _, value in self._list]

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self._list]

    def multi_items(self) -> list[tuple[str, str]]:
        """All pairs, repeated names included, in order."""
        return self.items()

    def get(self, key: str, default: Any = None) -> Any:
        """The first value of header `key`, or `default`."""
        name = _NAME_CACHE.get(key) or _lookup_name(key)
        if name is None:
            return default
        for k, v in self._list:
            if k == name:
                return v.decode("latin-1")
        return default

    def getlist(self, key: str) -> list[str]:
        """Every value of header `key`, in order; empty if absent."""
        name = _lookup_name(key)
        return [v.decode("latin-1") for k, v in self._list if k == name]

    def mutablecopy(self) -> MutableHeaders:
        """A `MutableHeaders` holding a copy of these pairs."""
        return MutableHeaders(raw=self._list[:])

    def __getitem__(self, key: str) -> str:
        name = _lookup_name(key)
        for k, v in self._list:
            if k == name:
                return v.decode("latin-1")
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        name = _lookup_name(key)
        return any(k == name for k, _ in self._list)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._list)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return sorted(self._list) == sorted(other._list)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        items = self.items()
        if len({k for k, _ in items}) == len(items):
            return f"{type(self).__name__}({dict(items)!r})"
        return f"{type(self).__name__}(raw={self._list!r})"


class MutableHeaders(Headers):
    """Headers that can be changed; every name and value is checked when set."""

    __slots__ = ()

    def __setitem__(self, key: str, value: str) -> None:
        """Set `key` to `value`, replacing the first occurrence and dropping the rest."""
        name = _NAME_CACHE.get(key) or encode_name(key)
        if (
            value.__class__ is str
            and value.isascii()
            and value.isprintable()
            and value[:1] != " "
            and value[-1:] != " "
        ):
            encoded = value.encode("ascii")  # the common case, inlined
        else:
            encoded = encode_value(key, value)
        if name == b"set-cookie":
            _check_cookie_line(encoded)
            if self._took_cookie_line(encoded, replace=True):
                return
        elif name in VALIDATOR_NAMES:
            self._took_validator()
        pairs = self._list
        for pair in pairs:
            if pair[0] == name:
                break
        else:
            pairs.append((name, encoded))
            return
        replace_header(pairs, name, encoded)

    def __delitem__(self, key: str) -> None:
        """Remove every occurrence of `key`; absent keys are ignored."""
        name = _lookup_name(key)
        self._list[:] = [pair for pair in self._list if pair[0] != name]

    def __ior__(self, other: Mapping[str, str]) -> MutableHeaders:
        self.update(other)
        return self

    def __or__(self, other: Mapping[str, str]) -> MutableHeaders:
        new = self.mutablecopy()
        new.update(other)
        return new

    def setdefault(self, key: str, value: str) -> str:
        """Return the value of `key`, setting it to `value` first if absent."""
        name = encode_name(key)
        for k, v in self._list:
            if k == name:
                return v.decode("latin-1")
        self.append(key, value)
        return value

    def update(
        self, other: Mapping[str, str] | Sequence[tuple[str, str]] = (), /, **kwargs: str
    ) -> None:
        """Set each pair of `other` and `kwargs` as `__setitem__` does."""
        pairs = other.items() if isinstance(other, Mapping) else other
        for key, value in pairs:
            self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def append(self, key: str, value: str) -> None:
        """Add a value for `key`, keeping those already present."""
        pair = _checked_pair(key, value)
        if pair[0] == b"set-cookie" and self._took_cookie_line(pair[1], replace=False):
            return
        if pair[0] in VALIDATOR_NAMES:
            self._took_validator()
        self._list.append(pair)

    def _took_cookie_line(self, line: bytes, *, replace: bool) -> bool:
        """A hook for a checked raw `Set-Cookie` line: `True` if the owner stored it.

        Plain headers keep it as a header; a response that keeps a cookie table
        (the temporal response) stores it there instead.
        """
        return False

    def _took_validator(self) -> None:
        """A hook: an `ETag` or `Last-Modified` was set (the temporal response notes it,
        so a conditional request is evaluated only for responses that have one)."""

    def add_vary_header(self, vary: str) -> None:
        """Add the items of `vary` to the `Vary` header, without duplicates."""
        self.add_list_items("vary", vary)

    def add_list_items(self, key: str, value: str) -> None:
        """Unite the comma-separated items of `value` into list header `key`.

        Items already present (compared case-insensitively, but `Link` items
        exactly: see `list_item_key`) are not repeated;
        several lines of the header are folded into one.
        """
        current = self.getlist(key)
        items: list[str] = []
        seen: set[str] = set()
        fold = list_item_key(encode_name(key))
        for item in split_list_value(", ".join([*current, value])):
            folded = fold(item)
            if folded not in seen:
                seen.add(folded)
                items.append(item)
        self[key] = ", ".join(items)
