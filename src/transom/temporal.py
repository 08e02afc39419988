"""The temporal response, and the `send` that shapes a response built elsewhere with it.

Handlers and dependencies that declare a `response: Response` parameter share one
`TemporalResponse` per request. They set cookies, headers, the status and
background tasks on it; the route then merges it into whatever it sends:

- the response it builds from returned data (the temporal values win over the
  framework's defaults, but never over the computed `Content-Length`);
- a `Response` the handler returned, or an exception handler's response (what
  that response set itself wins on conflict).

Either way the one merge, `transom.http.merge.merge_headers`, combines headers
by kind: one `Set-Cookie` per cookie identity, list headers united, single
headers replaced. The merge goes into the headers sent for this request, never
into an object the app holds.

Once the response has started, the temporal response is frozen: changing it
then raises `ResponseStartedError` instead of being silently lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from transom._types import Message, Scope, Send
from transom.background import BackgroundTask
from transom.exceptions import ResponseStartedError
from transom.http.caching import not_modified, not_modified_headers
from transom.http.cookies import CookieAttributes, CookieIdentity
from transom.http.headers import MutableHeaders, RawHeaders
from transom.http.merge import add_list_value, merge_headers, set_cookie_identity
from transom.response_cookies import CookieSetter, plain_set_cookie
from transom.responses import NOT_MODIFIED_KEY, Response, start_message

__all__ = [
    "ContextTemporalResponse",
    "Finish",
    "TemporalResponse",
    "is_conditional",
    "not_modified_answer",
    "shaping_send",
    "vary_on_cookies",
]

SCOPE_KEY = "transom.temporal"

#: `finish(status, headers) -> headers`: a route's last word on the headers it sends.
Finish: TypeAlias = Callable[[int, RawHeaders], RawHeaders]

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


class _ValidatedHeaderList(_HeaderList):
    """The raw headers of an open temporal response that has an `ETag` or `Last-Modified`.

    Marking the list (not the response) lets `freeze` report it without an
    attribute read on the request path.
    """

    __slots__ = ()


class _FrozenHeaderList(list[tuple[bytes, bytes]]):
    """The raw headers of a temporal response once it has started: read-only."""

    __slots__ = ()

    append = extend = insert = clear = pop = remove = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse


class _TemporalHeaders(MutableHeaders):
    """The temporal response's `headers`: a raw `Set-Cookie` joins its cookie table.

    So a raw line replaces the earlier line of the same cookie identity, as a
    second `set_cookie` does (T5), and the data merge can take the lines as
    one per identity without parsing them. An `ETag` or `Last-Modified` set
    through it marks the response as one a conditional request is compared with.
    """

    __slots__ = ("_owner",)

    _owner: TemporalResponse

    def _took_cookie_line(self, line: bytes, *, replace: bool) -> bool:
        owner = self._owner
        if replace:  # `headers["Set-Cookie"] = ...` replaces every cookie line
            self._list[:] = [pair for pair in self._list if pair[0] != b"set-cookie"]
            owner._cookies = None
        name, domain, path = set_cookie_identity(line)
        owner.store_cookie(name, line, CookieAttributes(path, domain))
        return True

    def _took_validator(self) -> None:
        self._owner._noted_validator()


class TemporalResponse(Response):
    """The response object injected into handlers and dependencies.

    It is a `Response`, so the familiar API works: `set_cookie`,
    `delete_cookie`, `headers[...] = ...`, `status_code = ...`, `background`.
    `status_code` is `None` until set.
    """

    # Class-level defaults: one is created per request that asks for it. The
    # status and background are plain attributes while the response is open
    # (no property call per read on the request path); `freeze` changes the
    # class to one whose properties refuse changes.
    frozen = False
    body = b""
    _cookies = None
    status_code: int | None = None  # type: ignore[assignment]
    background: BackgroundTask | None = None

    def __init__(
        self,
        declared_cookies: Mapping[str, CookieAttributes] | None = None,
        kept_on_error: frozenset[str] = frozenset(),
    ) -> None:
        self.raw_headers = _HeaderList()
        if declared_cookies:
            self.declared_cookies = declared_cookies
        if kept_on_error:
            self.kept_on_error = kept_on_error

    @property
    def headers(self) -> MutableHeaders:
        """A checked view over the headers; a raw `Set-Cookie` counts as a set cookie."""
        view = self._headers_view
        raw = self.raw_headers
        if view is None or view._list is not raw:
            # What `_TemporalHeaders.view(raw)` does, a call less on the request path.
            view = _TemporalHeaders.__new__(_TemporalHeaders)
            view._list = raw
            view._owner = self
            self._headers_view = view
        return view

    def error_headers(self) -> RawHeaders:
        """The headers an error response keeps (T7): all but the cookies this request set.

        Cookie deletions, and cookies set with `keep_on_error=True`, stay.
        """
        cookies: dict[CookieIdentity, tuple[bytes, CookieAttributes, bool]] = self._cookies or {}
        drops = {line for line, _, kept in cookies.values() if not kept}
        if not drops:
            return list(self.raw_headers)
        return [
            pair for pair in self.raw_headers if pair[0] != b"set-cookie" or pair[1] not in drops
        ]

    def _noted_validator(self) -> None:
        self.has_validators = True
        raw = self.raw_headers
        if type(raw) is _HeaderList:
            raw.__class__ = _ValidatedHeaderList

    def freeze(self) -> bool:
        """Refuse every later change; called when the response starts.

        The header list becomes read-only in place, so the `headers` view and
        the cookie setters built on it refuse too: a change after the start
        raises instead of being lost, with no check while the response is open.

        Returns whether an `ETag` or `Last-Modified` was set (`has_validators`):
        the data path learns it without reading another attribute.
        """
        self.__class__ = _StartedTemporalResponse
        raw = self.raw_headers
        if type(raw) is _HeaderList:
            # Same layout, so the class of the list itself can change: every
            # holder of it (the `headers` view) is refused from now on.
            raw.__class__ = _FrozenHeaderList  # type: ignore[assignment]
            return False
        if type(raw) is _ValidatedHeaderList:
            raw.__class__ = _FrozenHeaderList  # type: ignore[assignment]
            return True
        # A list the user assigned: replace it, and point the view at the copy.
        frozen = self.raw_headers = _FrozenHeaderList(raw)
        if self._headers_view is not None:
            self._headers_view._list = frozen
        return self.has_validators

    # No key ring or cookie policy for this request (the route decides): set_cookie
    # checks the cookie and nothing else. See `ContextTemporalResponse`.
    set_cookie = plain_set_cookie


class ContextTemporalResponse(TemporalResponse):
    """The temporal response of a request whose app has a key ring or a cookie policy."""

    set_cookie = CookieSetter.set_cookie


class _StartedTemporalResponse(TemporalResponse):
    """A temporal response whose response has started: the status and background are read-only."""

    frozen = True

    @property  # type: ignore[override]
    def status_code(self) -> int | None:
        status: int | None = self.__dict__.get("status_code")
        return status

    @status_code.setter
    def status_code(self, value: int | None) -> None:
        raise ResponseStartedError(_FROZEN_MESSAGE)

    @property
    def background(self) -> BackgroundTask | None:
        background: BackgroundTask | None = self.__dict__.get("background")
        return background

    @background.setter
    def background(self, value: BackgroundTask | None) -> None:
        raise ResponseStartedError(_FROZEN_MESSAGE)


def vary_on_cookies(temporal: TemporalResponse | None, scope: Scope) -> TemporalResponse:
    """Mark this request's response as depending on its cookies (`Vary: Cookie`).

    A request that read its cookies gets a temporal response if it had none,
    so every way of answering (data, a returned response, an error) carries
    the header, merged by kind with the response's own `Vary`.
    """
    if temporal is None:
        temporal = TemporalResponse()
        scope[SCOPE_KEY] = temporal
    if not temporal.frozen:
        # After the handler: what it set on `Vary` is there to be united with.
        add_list_value(temporal.raw_headers, b"vary", b"Cookie")
    return temporal


def shaping_send(
    send: Send,
    temporal: TemporalResponse | None,
    finish: Finish | None = None,
    *,
    error: bool = False,
    scope: Scope | None = None,
    again: bool = False,
) -> Send:
    """Wrap `send` so the start of a response built elsewhere carries this request's shaping.

    For a response a handler returned, or an exception handler's response: the
    temporal headers are merged into the start message sent now (that
    response's own headers win), never into the response object, which may be
    shared between requests. `finish(status, headers)` then applies the route's
    last rules (its declared headers), and the start goes out through
    `start_message`, so a status that forbids a body sends no content headers.
    An `error` response keeps only `error_headers()` (T7).

    Given the `scope` of a conditional `GET` or `HEAD`, a 200 (or 206) whose
    validators match the request's becomes a 304 (`revalidated`).

    A temporal response that is frozen was merged already (into the response
    built from the handler's data) and is not merged again, unless `again`: the
    response sent replaces the one it was merged into (a custom route handler's).
    """
    revalidating = False

    async def shaping(message: Message) -> None:
        nonlocal revalidating
        if message["type"] == "http.response.start":
            status = message["status"]
            headers: RawHeaders = list(message.get("headers", ()))
            if temporal is not None and (again or not temporal.frozen):
                if not temporal.frozen:
                    temporal.freeze()
                own = temporal.error_headers() if error else list(temporal.raw_headers)
                headers = merge_headers(headers, own)
            if finish is not None:
                headers = finish(status, headers)
            if scope is not None and (status == 200 or status == 206):
                revalidated = not_modified_answer(scope, headers)
                if revalidated is not None:
                    status, headers, revalidating = 304, revalidated, True
            message = {**message, **start_message(status, headers)}
        elif revalidating and message["type"] == "http.response.body":
            if message.get("more_body", False):
                return  # a 304 has no body: what the response still sends is dropped
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return shaping


def not_modified_answer(scope: Scope, headers: RawHeaders) -> RawHeaders | None:
    """The headers of the 304 that answers this request instead of a 200, or `None`.

    For a `GET` or `HEAD` whose `If-None-Match` or `If-Modified-Since` shows the
    client holds the representation `headers` describe: the 304 keeps the
    caching headers and the cookies (`not_modified_headers`), and the scope is
    marked so a streamed body is not produced at all (`start_stream`).
    """
    if not not_modified(scope["method"], scope["headers"], headers):
        return None
    scope[NOT_MODIFIED_KEY] = True
    return not_modified_headers(headers)


def is_conditional(scope: Scope) -> bool:
    """Whether the request is a `GET` or `HEAD` with `If-None-Match` or `If-Modified-Since`."""
    method = scope["method"]
    if method != "GET" and method != "HEAD":
        return False
    for name, _ in scope["headers"]:
        if name == b"if-none-match" or name == b"if-modified-since":
            return True
    return False
