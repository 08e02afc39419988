"""Signed and encrypted cookie values: what `set_cookie(signed=True)` sends and a
`Cookie(signed=True)` parameter accepts.

A sealed value is base64url (no padding) of an *envelope* and its protection:

- signed: `envelope || HMAC-SHA256(envelope)`, readable by the client, not forgeable;
- encrypted: `nonce || AES-256-GCM(envelope)`, neither readable nor forgeable.

The envelope holds a version, the cookie's attributes (so a re-issue after key
rotation repeats them), its absolute expiry (0 for a session cookie) and the
payload as JSON. The cookie's name and `purpose` are authenticated (HMAC input /
AEAD associated data) but not stored, so a value copied into another cookie, or
read for another purpose, does not verify. A value that does not verify, is
expired, truncated, not canonical base64url or not JSON *opens* to `None`: it
is absent, never an error.

A value too long for one cookie is split into chunks named `name.0` ...
`name.N-1` (`MAX_CHUNKS` at most); `chunk_plan` says which cookies to set and
which stale ones to delete, `joined_value` reassembles them.

`CookieContext` is what the app puts in `COOKIE_CONTEXT` for each request it
runs when it has a key ring or a cookie policy: responses and cookie
parameters read it from there.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import re
import struct
import time
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from transom._types import Scope
from transom.http.cookies import (
    NAME_VALUE_LIMIT,
    CookieAttributes,
    CookieError,
    parse_cookie_header,
)
from transom.http.policy import CookiePolicy
from transom.keyring import TAG_BYTES, Keyring
from transom.serialization import dump_json

__all__ = [
    "CONTEXT_IN_USE",
    "COOKIE_CONTEXT",
    "MAX_CHUNKS",
    "CookieContext",
    "Opened",
    "Sealer",
    "associated_data",
    "chunk_plan",
    "current_context",
    "has_chunks",
    "joined_value",
    "open_payload",
    "open_value",
    "request_cookie_names",
    "seal_value",
]

logger = logging.getLogger("transom.cookies")

#: The most cookies one sealed value may be split into.
MAX_CHUNKS = 10
_VERSION = 1
_HEAD = struct.Struct(">BBQHB")  # version, flags, expiry, path length, domain length
_SAMESITE_BITS = {None: 0, "lax": 1, "strict": 2, "none": 3}
_SAMESITE_OF = {bits: name for name, bits in _SAMESITE_BITS.items()}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
#: The last character of canonical unpadded base64url text whose length is 2 or 3
#: modulo 4: the bits it carries beyond the data's last byte are zero.
_CANONICAL_LAST = {2: frozenset("AQgw"), 3: frozenset("AEIMQUYcgkosw048")}
_CHUNK_NAME = re.compile(r"(.+)\.(\d)")
#: The least room a chunk must leave for its part of the value.
_MIN_CHUNK = 256


@dataclass(frozen=True, slots=True)
class CookieContext:
    """What cookies need to know of the app and the request being answered."""

    keyring: Keyring | None
    policy: CookiePolicy | None
    #: The request's scope: which cookies it carried (for stale chunks).
    scope: Scope


#: Set by the app for each request when it has a key ring or a cookie policy.
COOKIE_CONTEXT: ContextVar[CookieContext | None] = ContextVar("transom_cookies", default=None)

current_context = COOKIE_CONTEXT.get

#: Not empty once an app with a key ring or a cookie policy exists: until then a
#: request has no cookie context, and the route need not look it up.
CONTEXT_IN_USE: list[bool] = []


@dataclass(frozen=True, slots=True)
class Opened:
    """A sealed value that verified: its payload, expiry, attributes and key."""

    #: The payload's JSON text, as sealed.
    payload: bytes
    #: Seconds since the epoch, or `None` for a session cookie.
    expiry: float | None
    attributes: CookieAttributes
    #: The position in the key ring of the key that verified it (0 the newest).
    key_index: int

    def value(self) -> Any:
        """The payload, decoded from JSON."""
        return json.loads(self.payload)


@functools.cache
def associated_data(key: str, purpose: str | None, encrypted: bool) -> bytes:
    """What a sealed value of cookie `key` for `purpose` authenticates without storing it.

    The HMAC input's prefix (signed) or the AEAD associated data (encrypted).
    Cached: cookie names and purposes come from the code, not from requests.
    """
    mode = b"e" if encrypted else b"s"
    purpose_bytes = b"" if purpose is None else purpose.encode("utf-8")
    return b"transom cookie\x00" + mode + b"\x00" + key.encode("latin-1") + b"\x00" + purpose_bytes


def _flags(attributes: CookieAttributes) -> int:
    return (
        attributes.secure
        | attributes.httponly << 1
        | attributes.partitioned << 2
        | _SAMESITE_BITS[attributes.samesite] << 3
        | (attributes.path is not None) << 5
        | (attributes.domain is not None) << 6
    )


def encode_payload(key: str, value: Any) -> bytes:
    """`value` as the JSON a sealed cookie carries (a `str` becomes a JSON string).

    Raises:
        CookieError: if the value cannot be serialised as JSON.
    """
    try:
        return dump_json(value)
    except (ValueError, TypeError) as exc:
        raise CookieError(
            f"Cookie {key!r} is signed or encrypted, so its value is sent as JSON; a "
            f"{type(value).__name__} cannot be: {exc}. Pass a str, a model or other "
            "JSON-serialisable data."
        ) from None


class Sealer:
    """Seals the values of one cookie: its name, purpose, attributes and mode fixed.

    Everything that does not change from one value to the next (the associated
    data, the packed attributes) is computed once, for a cookie set on every
    request, such as a session's.
    """

    __slots__ = ("associated", "domain", "encrypted", "flags", "path")

    def __init__(
        self, key: str, purpose: str | None, attributes: CookieAttributes, *, encrypted: bool
    ) -> None:
        self.associated = associated_data(key, purpose, encrypted)
        self.encrypted = encrypted
        self.flags = _flags(attributes)
        self.path = (attributes.path or "").encode("latin-1")
        self.domain = (attributes.domain or "").encode("latin-1")

    def seal(self, keyring: Keyring, payload: bytes, expiry: float | None) -> str:
        """The sealed value for `payload` (JSON text) expiring at `expiry`, under the newest key."""
        moment = 0 if expiry is None else max(1, int(expiry))
        path, domain = self.path, self.domain
        envelope = _HEAD.pack(_VERSION, self.flags, moment, len(path), len(domain))
        envelope += path + domain + payload
        if self.encrypted:
            sealed = keyring.encrypt(envelope, self.associated)
        else:
            sealed = envelope + keyring.sign(self.associated + envelope)
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def seal_value(
    keyring: Keyring,
    key: str,
    purpose: str | None,
    payload: bytes,
    expiry: float | None,
    attributes: CookieAttributes,
    *,
    encrypted: bool,
) -> str:
    """The sealed cookie value for `payload` (JSON text), under the newest key."""
    return Sealer(key, purpose, attributes, encrypted=encrypted).seal(keyring, payload, expiry)


def _decode(text: str) -> bytes | None:
    """Canonical unpadded base64url only: any other spelling of the same bytes is refused.

    Canonical means the alphabet, no padding, a length that is not 1 modulo 4,
    and a last character whose unused bits are zero: exactly the texts that
    encoding their bytes gives back.
    """
    tail = len(text) % 4
    if tail == 1 or not _BASE64URL.fullmatch(text):
        return None
    if tail and text[-1] not in _CANONICAL_LAST[tail]:
        return None
    standard = text.encode("ascii").translate(_TO_STANDARD) + b"=" * (-tail % 4)
    try:
        return binascii.a2b_base64(standard)
    except binascii.Error:  # pragma: no cover - the checks above rule these out
        return None


def _envelope(
    keyring: Keyring, key: str, associated: bytes, text: str, encrypted: bool
) -> tuple[bytes, int] | None:
    """The envelope of sealed value `text` and the position of the key that opened it."""
    data = _decode(text)
    if data is None:
        _rejected(key, "it is not canonical base64url")
        return None
    if encrypted:
        opened = keyring.decrypt(data, associated)
        if opened is None:
            _rejected(key, "no key of the key ring decrypts it")
            return None
        return opened
    envelope, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
    found = None
    if len(data) > TAG_BYTES:
        found = keyring.verify(associated + envelope, tag)
    if found is None:
        _rejected(key, "no key of the key ring verifies its signature")
        return None
    return envelope, found


def open_value(
    keyring: Keyring,
    key: str,
    purpose: str | None,
    text: str,
    *,
    encrypted: bool,
    now: float | None = None,
) -> Opened | None:
    """The sealed value `text` of cookie `key` opened, or `None` if it is not valid now.

    Each rejection is logged at debug level on `transom.cookies`, with the reason
    and never the value.
    """
    associated = associated_data(key, purpose, encrypted)
    opened = _envelope(keyring, key, associated, text, encrypted)
    if opened is None:
        return None
    envelope, index = opened
    head = _head(key, envelope, time.time() if now is None else now)
    if head is None:
        return None
    flags, moment, path_length, domain_length = head
    start = _HEAD.size
    path = envelope[start : start + path_length].decode("latin-1")
    domain = envelope[start + path_length : start + path_length + domain_length].decode("latin-1")
    payload = envelope[start + path_length + domain_length :]
    attributes = CookieAttributes(
        path=path if flags & 32 else None,
        domain=domain if flags & 64 else None,
        secure=bool(flags & 1),
        httponly=bool(flags & 2),
        samesite=_SAMESITE_OF.get(flags >> 3 & 3),  # type: ignore[arg-type]
        partitioned=bool(flags & 4),
    )
    return Opened(payload, float(moment) if moment else None, attributes, index)


def open_payload(
    keyring: Keyring, key: str, associated: bytes, text: str, *, encrypted: bool, now: float
) -> tuple[bytes, int] | None:
    """`open_value` for a reader that needs only the payload and the key's position.

    `associated` is `associated_data(key, purpose, encrypted)`. The value is
    checked exactly as by `open_value` (signature or decryption, version,
    expiry); its attributes are not decoded.
    """
    opened = _envelope(keyring, key, associated, text, encrypted)
    if opened is None:
        return None
    envelope, index = opened
    head = _head(key, envelope, now)
    if head is None:
        return None
    return envelope[_HEAD.size + head[2] + head[3] :], index


def _head(key: str, envelope: bytes, now: float) -> tuple[int, int, int, int] | None:
    """An opened envelope's flags, expiry and lengths, if its version is known and unexpired."""
    if len(envelope) < _HEAD.size:
        _rejected(key, "its envelope is truncated")
        return None
    version, flags, moment, path_length, domain_length = _HEAD.unpack_from(envelope)
    if version != _VERSION:
        _rejected(key, f"its envelope has version {version}")
        return None
    if moment and now >= moment:
        _rejected(key, "it has expired")
        return None
    return flags, moment, path_length, domain_length


def _rejected(key: str, reason: str) -> None:
    logger.debug("Cookie %r was ignored: %s.", key, reason)


def joined_value(cookies: Mapping[str, str], key: str) -> str | None:
    """The value of cookie `key` as sent: the cookie itself, or its chunks joined.

    Chunks are read from `key.0` on while they are present, `MAX_CHUNKS` at
    most; a missing or swapped chunk gives a value that does not open.
    """
    value = cookies.get(key)
    if value is not None:
        return value
    parts: list[str] = []
    for index in range(MAX_CHUNKS):
        part = cookies.get(f"{key}.{index}")
        if part is None:
            break
        parts.append(part)
    return "".join(parts) if parts else None


def request_cookie_names(scope: Scope) -> set[str]:
    """The names of the cookies a request carried (each `Cookie` header parsed leniently)."""
    names: set[str] = set()
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            names.update(parse_cookie_header(value.decode("latin-1")))
    return names


def chunk_plan(
    key: str, value: str, overhead: int, present: set[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Which cookies to set for sealed `value`, and which stale ones to delete.

    Args:
        key: The cookie's name.
        value: The sealed value.
        overhead: The length of a `Set-Cookie` line for `key.0` with an empty
            value (the name, `=`, the lifetime and the attributes).
        present: The names of the cookies the request (or this response)
            already has, so that stale chunks, or the plain cookie beside
            new chunks, are deleted.

    Raises:
        CookieError: if the value needs more than `MAX_CHUNKS` cookies.
    """
    if overhead - 2 + len(value) < NAME_VALUE_LIMIT:  # `key=...` is 2 bytes shorter than `key.0=`
        cookies = [(key, value)]
    else:
        size = NAME_VALUE_LIMIT - 1 - overhead
        if size < _MIN_CHUNK:
            raise CookieError(
                f"Cookie {key!r}: its name and attributes take {overhead} bytes of a "
                f"Set-Cookie line, and the attributes leave no room for the value in "
                f"{NAME_VALUE_LIMIT} bytes. Shorten the path or domain."
            )
        count = -(-len(value) // size)
        if count > MAX_CHUNKS:
            raise CookieError(
                f"Cookie {key!r} is {len(value)} bytes once sealed: more than {MAX_CHUNKS} "
                f"cookies of {size} bytes. Store less in it, e.g. an id whose data is kept "
                "on the server (RedisSessionBackend for sessions)."
            )
        cookies = [(f"{key}.{i}", value[i * size : (i + 1) * size]) for i in range(count)]
    kept = {name for name, _ in cookies}
    stale = sorted(
        name for name in present if name not in kept and (name == key or _chunk_of(name) == key)
    )
    return cookies, stale


def has_chunks(key: str, names: Iterable[str]) -> bool:
    """Whether `names` (cookie names) hold a chunk of cookie `key`, as `chunk_plan` sees them."""
    prefix = key + "."
    return any(name.startswith(prefix) and _chunk_of(name) == key for name in names)


def _chunk_of(name: str) -> str | None:
    match = _CHUNK_NAME.fullmatch(name)
    return match[1] if match else None
