"""The temporal response and the one function that merges it into a final response.

Handlers and dependencies that declare a `response: Response` parameter share one
`TemporalResponse` per request. They set cookies, headers, the status and
background tasks on it; the route then merges it into whatever it sends:

- the response it builds from returned data (the temporal values win over the
  framework's defaults, but never over the computed `Content-Length`);
- a `Response` the handler returned, or an exception handler's response (what
  that response set itself wins on conflict).

Either way `merge_headers` combines headers by kind (see `HeaderKind`): one
`Set-Cookie` per cookie identity, list headers united, single headers replaced.
Once the response has started, the temporal response is frozen: changing it
then raises `ResponseStartedError` instead of being silently lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transom._types import Message, Send
from transom.background import BackgroundTask
from transom.exceptions import ResponseStartedError
from transom.http.cookies import CookieAttributes
from transom.http.headers import (
    HeaderKind,
    RawHeaders,
    header_kind,
    split_list_value,
)
from transom.responses import Response

__all__ = ["TemporalResponse", "merge_headers", "merging_send"]

SCOPE_KEY = "transom.temporal"

_FROZEN_MESSAGE = (
    "The temporal response can no longer change: the response has already started. "
    "Code after `yield` in a dependency runs after the response is sent unless it is "
    "declared with Depends(..., scope='function'); set headers and cookies before that."
)


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise ResponseStartedError(_FROZEN_MESSAGE)


class _HeaderList(list[tuple[bytes, bytes]]):
    """The raw headers of an open temporal response: a list, at list speed."""

    __slots__ = ()


class _FrozenHeaderList(list[tuple[bytes, bytes]]):
    """The raw headers of a temporal response once it has started: read-only."""

    __slots__ = ()

    append = extend = insert = clear = pop = remove = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse


class TemporalResponse(Response):
    """The response object injected into handlers and dependencies.

    It is a `Response`, so the familiar API works: `set_cookie`,
    `delete_cookie`, `headers[...] = ...`, `status_code = ...`, `background`.
    `status_code` is `None` until set.
    """

    # Class-level defaults: one is created per request that asks for it.
    frozen = False
    body = b""
    _cookies = None
    _status_code: int | None = None
    _background: BackgroundTask | None = None

    def __init__(self, declared_cookies: Mapping[str, CookieAttributes] | None = None) -> None:
        self.raw_headers = _HeaderList()
        if declared_cookies:
            self.declared_cookies = declared_cookies

    @property  # type: ignore[override]
    def status_code(self) -> int | None:
        return self._status_code

    @status_code.setter
    def status_code(self, value: int) -> None:
        if self.frozen:
            raise ResponseStartedError(_FROZEN_MESSAGE)
        self._status_code = value

    @property
    def background(self) -> BackgroundTask | None:
        return self._background

    @background.setter
    def background(self, value: BackgroundTask | None) -> None:
        if self.frozen:
            raise ResponseStartedError(_FROZEN_MESSAGE)
        self._background = value

    def freeze(self) -> None:
        """Refuse every later change; called when the response starts.

        The header list becomes read-only in place, so the `headers` view and
        the cookie setters built on it refuse too: a change after the start
        raises instead of being lost, with no check while the response is open.
        """
        self.frozen = True
        raw = self.raw_headers
        if type(raw) is _HeaderList:
            # Same layout, so the class of the list itself can change: every
            # holder of it (the `headers` view) is refused from now on.
            raw.__class__ = _FrozenHeaderList  # type: ignore[assignment]
            return
        # A list the user assigned: replace it, and point the view at the copy.
        frozen = self.raw_headers = _FrozenHeaderList(raw)
        if self._headers_view is not None:
            self._headers_view._list = frozen


def cookie_identity(value: bytes) -> tuple[bytes, bytes | None, bytes | None]:
    """The (name, domain, path) of a `Set-Cookie` value; domain folded, no leading dot."""
    name_value, *attributes = value.split(b";")
    domain: bytes | None = None
    path: bytes | None = None
    for attribute in attributes:
        key, _, item = attribute.partition(b"=")
        key = key.strip().lower()
        if key == b"domain":
            domain = item.strip().lower().lstrip(b".")
        elif key == b"path":
            path = item.strip()
    return name_value.partition(b"=")[0].strip(), domain, path


def _unite(current: bytes, extra: bytes) -> bytes:
    items = split_list_value(current.decode("latin-1"))
    seen = {item.lower() for item in items}
    for item in split_list_value(extra.decode("latin-1")):
        if item.lower() not in seen:
            seen.add(item.lower())
            items.append(item)
    return ", ".join(items).encode("latin-1")


def merge_headers(primary: RawHeaders, secondary: RawHeaders) -> RawHeaders:
    """Merge `secondary` headers into `primary` by kind; `primary` wins on conflict.

    - `Content-Length` is never taken from `secondary`;
    - `Set-Cookie`: a cookie of `secondary` is added unless `primary` sets one
      with the same identity (name, domain, path);
    - list headers (`Vary`, `Link`, ...): the items are united, without duplicates;
    - any other header is added only if `primary` lacks it; several values
      of it in `secondary` resolve to the last.
    """
    if not secondary:
        return primary
    merged = list(primary)
    present = {name for name, _ in primary}
    added: dict[bytes, int] = {}
    identities: set[tuple[bytes, bytes | None, bytes | None]] | None = None
    for name, value in secondary:
        kind = header_kind(name)
        if kind is HeaderKind.SET_COOKIE:
            if identities is None:
                identities = {cookie_identity(v) for n, v in primary if n == b"set-cookie"}
            if cookie_identity(value) not in identities:
                merged.append((name, value))
        elif kind is HeaderKind.LIST:
            for index, (existing, current) in enumerate(merged):
                if existing == name:
                    merged[index] = (name, _unite(current, value))
                    break
            else:
                merged.append((name, value))
        elif name in present or name == b"content-length":
            continue
        elif name in added:
            merged[added[name]] = (name, value)
        else:
            added[name] = len(merged)
            merged.append((name, value))
    return merged


def merging_send(send: Send, temporal: TemporalResponse) -> Send:
    """Wrap `send` so the response start carries the temporal headers (response wins)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and not temporal.frozen:
            temporal.freeze()
            headers = list(message.get("headers", ()))
            message = {**message, "headers": merge_headers(headers, list(temporal.raw_headers))}
        await send(message)

    return wrapped
