"""Responses: each one an ASGI app that sends itself.

A response keeps its headers as raw `(bytes, bytes)` pairs (`raw_headers`);
`headers` is a checked, mutable view over that same list, built on first use.
Cookies are kept one per identity (name, domain, path): setting the same cookie
twice replaces the first `Set-Cookie` line instead of sending both
(`set_cookie` and `delete_cookie` live in `transom.response_cookies`; the typed
headers, `set_cache_control`, `set_etag`, `set_last_modified`, `add_link` and
`add_vary`, in `transom.response_headers`).

Statuses that forbid a body (1xx, 204, 304) are sent with no body, no
`Content-Length` and no `Content-Type`, whatever the status was when the
response was built. Responses to `HEAD` keep their headers and drop the body.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import secrets
import stat
from collections.abc import AsyncIterable, Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar, Literal, TypeAlias
from urllib.parse import quote

import anyio
from typing_extensions import deprecated

from transom._types import Message, Receive, Scope, Send
from transom.background import BackgroundTask
from transom.concurrency import iterate_in_threadpool
from transom.encoders import from_plain_attributes, plain_data
from transom.exceptions import DeprecatedOptionWarning
from transom.http.cookies import UNSET, CookieAttributes, format_http_date
from transom.http.headers import MutableHeaders, RawHeaders, encode_value
from transom.http.media import dump_content_disposition
from transom.http.ranges import (
    MalformedRange,
    RangeNotSatisfiable,
    byteranges_length,
    byteranges_part,
    requested_ranges,
)
from transom.response_cookies import CookieSetter, CookieTable
from transom.response_headers import HeaderSetters
from transom.serialization import dump_json

__all__ = [
    "UNSET",
    "EventSourceResponse",
    "FileResponse",
    "HTMLResponse",
    "JSONResponse",
    "ORJSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
    "StreamingResponse",
    "UJSONResponse",
    "end_stream",
    "marking_start",
    "send_response",
    "start_message",
    "start_stream",
    "uses_start_path",
]

Content: TypeAlias = AsyncIterable[str | bytes] | Iterable[str | bytes]


#: Statuses whose responses never carry a body (RFC 9110 section 6.4.1): T8.
NO_BODY_STATUSES = frozenset((*range(100, 200), 204, 304))


def body_allowed(status_code: int) -> bool:
    """Whether a response with this status may carry a body (RFC 9110 section 6.4.1)."""
    return status_code >= 200 and status_code not in NO_BODY_STATUSES


_CONTENT_HEADERS = (b"content-length", b"content-type")


def strip_content_headers(raw: RawHeaders) -> RawHeaders:
    """The headers without `Content-Length` and `Content-Type`, for body-less statuses."""
    return [pair for pair in raw if pair[0] not in _CONTENT_HEADERS]


#: Scope key set to `True` when a response starts through the one start path
#: below; the error layers read it instead of wrapping every request's `send`.
STARTED_KEY = "transom.started"


def start_message(status: int, headers: RawHeaders) -> Message:
    """The `http.response.start` message: the one place a response's start is made.

    A status that forbids a body (T8) gets no `Content-Length` or
    `Content-Type`, whichever way its headers were built.
    """
    if status in NO_BODY_STATUSES:
        headers = strip_content_headers(headers)
    return {"type": "http.response.start", "status": status, "headers": headers}


async def send_response(
    scope: Scope, send: Send, status: int, headers: RawHeaders, body: bytes
) -> None:
    """Send a whole response whose body is known: start, then the body in one message.

    A status that forbids a body, or a `HEAD` request, sends an empty body.
    """
    # `start_message`'s rule, inline: this is every data response's path.
    if status in NO_BODY_STATUSES:
        headers = strip_content_headers(headers)
        body = b""
    elif scope["method"] == "HEAD":
        body = b""
    scope[STARTED_KEY] = True
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


#: Scope key set when the start was turned into a 304 (a conditional request
#: matched): a streamed body is then not produced at all.
NOT_MODIFIED_KEY = "transom.not_modified"


async def start_stream(scope: Scope, send: Send, status: int, headers: RawHeaders) -> bool:
    """Start a response whose body follows in chunks; return whether to send them.

    The caller sends each chunk with `more_body=True`, then `end_stream`.
    """
    scope[STARTED_KEY] = True
    await send(start_message(status, headers))
    return body_allowed(status) and scope["method"] != "HEAD" and NOT_MODIFIED_KEY not in scope


async def end_stream(send: Send) -> None:
    """End a streamed body."""
    await send({"type": "http.response.body", "body": b""})


def marking_start(scope: Scope, send: Send) -> Send:
    """Wrap the `send` of a sender that may bypass the start path (a foreign app)."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            scope[STARTED_KEY] = True
        await send(message)

    return wrapped


def uses_start_path(response: Any) -> bool:
    """Whether `response` is sent by transom's own start path (so it marks the start).

    A `Response` subclass that overrides `__call__`, and any other ASGI
    response, may send its start some other way: give it `marking_start`.
    """
    cls = type(response)
    return cls.__call__ in _OWN_SENDERS or getattr(cls, "sends_through_start_path", False)


#: Scope key of a list where after-response work is deferred (see `run_after_response`).
DEFERRED_KEY = "transom.deferred"


async def run_after_response(scope: Scope, task: BackgroundTask) -> None:
    """Run `task` now, or defer it if a wrapper that buffers the response asked to.

    `@app.middleware("http")` buffers the downstream response; it sets a list
    under `DEFERRED_KEY` and runs the deferred tasks after it has really sent
    the response, so background work never delays the client.
    """
    deferred: list[BackgroundTask] | None = scope.get(DEFERRED_KEY)
    if deferred is not None:
        deferred.append(task)
    else:
        await task()


class Response(CookieSetter, HeaderSetters):
    """A response with a body of bytes.

    Args:
        content: `bytes` or `str` (encoded with `charset`), or `None` for no body.
        status_code: The HTTP status.
        headers: Extra headers, checked as they are set.
        media_type: The `Content-Type`; `text/*` types get `; charset=utf-8`.
        background: A task to run after the response is sent.
    """

    media_type: ClassVar[str | None] = None
    charset: ClassVar[str] = "utf-8"
    #: Whether `init_headers` sets `Content-Length` from `body` (not for streamed bodies).
    sized: ClassVar[bool] = True
    #: Cookies the route declared (`response_cookies=`), for `delete_cookie`.
    declared_cookies: Mapping[str, CookieAttributes] = MappingProxyType({})

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type  # type: ignore[misc]
        self.background = background
        self.body = self.render(content)
        self.raw_headers: RawHeaders = []
        if headers:
            view = MutableHeaders(raw=self.raw_headers)
            for key, value in headers.items():
                view.append(key, value)
        self._cookies: CookieTable | None = None
        self.init_headers()

    def render(self, content: Any) -> bytes:
        """Turn `content` into the body bytes."""
        if content is None:
            return b""
        if isinstance(content, bytes):
            return content
        if isinstance(content, str):
            return content.encode(self.charset)
        if isinstance(content, (bytearray, memoryview)):
            return bytes(content)
        raise TypeError(
            f"{type(self).__name__} content must be bytes or str, got "
            f"{type(content).__name__}; use JSONResponse to send data as JSON."
        )

    def init_headers(self) -> None:
        """Add `Content-Length` and `Content-Type`.

        `Content-Length` is always computed here; a `Content-Type` given in
        `headers` wins over the media type. Both are dropped when the response
        is sent with a status that forbids a body, so changing the status
        later works either way.
        """
        raw = self.raw_headers
        if any(pair[0] == b"content-length" for pair in raw):
            raw[:] = [pair for pair in raw if pair[0] != b"content-length"]
        if self.sized:
            raw.append((b"content-length", str(len(self.body)).encode("ascii")))
        content_type = self.content_type()
        if content_type is not None and not any(pair[0] == b"content-type" for pair in raw):
            raw.append((b"content-type", content_type))

    def content_type(self) -> bytes | None:
        """The `Content-Type` value from the media type and charset, if any."""
        media_type = self.media_type
        if media_type is None:
            return None
        if media_type.startswith("text/") and "charset=" not in media_type.lower():
            media_type = f"{media_type}; charset={self.charset}"
        return encode_value("content-type", media_type)

    _headers_view: MutableHeaders | None = None

    @property
    def headers(self) -> MutableHeaders:
        """A checked, mutable view over `raw_headers` (kept while that list is the same)."""
        view = self._headers_view
        if view is None or view._list is not self.raw_headers:
            view = self._headers_view = MutableHeaders.view(self.raw_headers)
        return view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_response(scope, send, self.status_code, self.raw_headers, self.body)
        if self.background is not None:
            await run_after_response(scope, self.background)


class PlainTextResponse(Response):
    """A `text/plain` response."""

    media_type = "text/plain"


class HTMLResponse(Response):
    """A `text/html` response."""

    media_type = "text/html"


class JSONResponse(Response):
    """A JSON response, serialised to bytes by pydantic-core.

    `content` may hold anything pydantic can serialise: dicts, lists, models,
    dataclasses, datetimes, UUIDs, decimals. Non-finite floats become `null`.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dump_json(content)


_FASTER_WITHOUT = (
    "{name} is deprecated, as in FastAPI: Transom already writes JSON as bytes with "
    "pydantic-core (faster, and no extra package); return the data with a return "
    "annotation or response_model= and use the default JSONResponse."
)


@deprecated(_FASTER_WITHOUT.format(name="ORJSONResponse"), category=DeprecatedOptionWarning)
class ORJSONResponse(JSONResponse):
    """A JSON response written by `orjson` (installed separately: `pip install orjson`).

    Deprecated, as in FastAPI (it warns with `DeprecatedOptionWarning`): the
    default `JSONResponse` is already written by pydantic-core.

    The content follows the same rules as `JSONResponse` (FastAPI's
    `jsonable_encoder`); non-finite floats become `null`, as orjson writes them.
    """

    def render(self, content: Any) -> bytes:
        try:
            import orjson
        except ImportError:  # pragma: no cover - the dev extra installs it
            raise RuntimeError("ORJSONResponse needs orjson: pip install orjson") from None
        data = plain_data(content)
        return orjson.dumps(data, default=from_plain_attributes, option=orjson.OPT_NON_STR_KEYS)


@deprecated(_FASTER_WITHOUT.format(name="UJSONResponse"), category=DeprecatedOptionWarning)
class UJSONResponse(JSONResponse):
    """A JSON response written by `ujson` (installed separately: `pip install ujson`).

    Deprecated, as in FastAPI (it warns with `DeprecatedOptionWarning`).
    """

    def render(self, content: Any) -> bytes:
        try:
            import ujson
        except ImportError:  # pragma: no cover - the dev extra installs it
            raise RuntimeError("UJSONResponse needs ujson: pip install ujson") from None
        text: str = ujson.dumps(
            plain_data(content), ensure_ascii=False, default=from_plain_attributes
        )
        return text.encode()


class RedirectResponse(Response):
    """A redirect to `url` (307 by default, so the method and body are kept)."""

    def __init__(
        self,
        url: str | Any,
        status_code: int = 307,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(
            content=b"", status_code=status_code, headers=headers, background=background
        )
        location = quote(str(url), safe=":/%#?=@[]!$&'()*+,;~")
        self.raw_headers.append((b"location", encode_value("location", location)))


class StreamingResponse(Response):
    """A response whose body comes from an iterator, sent chunk by chunk.

    Sync iterators are advanced in a worker thread. If the client disconnects,
    iteration stops.
    """

    sized = False

    def __init__(
        self,
        content: Content,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.body_iterator = content
        super().__init__(None, status_code, headers, media_type, background)

    async def _chunks(self) -> AsyncIterable[bytes]:
        content = self.body_iterator
        iterator = content if isinstance(content, AsyncIterable) else iterate_in_threadpool(content)
        async for chunk in iterator:
            yield chunk if isinstance(chunk, bytes) else chunk.encode(self.charset)

    async def _stream(self, scope: Scope, send: Send) -> None:
        if await start_stream(scope, send, self.status_code, self.raw_headers):
            async for chunk in self._chunks():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await end_stream(send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        failure: Exception | None = None
        async with anyio.create_task_group() as group:

            async def stream_then_cancel() -> None:
                nonlocal failure
                try:
                    await self._stream(scope, send)
                except Exception as exc:
                    # Raised as it is below, not wrapped in the task group's
                    # ExceptionGroup: one error, one traceback in the server's log.
                    failure = exc
                group.cancel_scope.cancel()

            group.start_soon(stream_then_cancel)
            while (await receive())["type"] != "http.disconnect":
                pass
            group.cancel_scope.cancel()
        if failure is not None:
            raise failure
        if self.background is not None:
            await run_after_response(scope, self.background)


class EventSourceResponse(StreamingResponse):
    """A `text/event-stream` response: the `response_class` of a path operation that
    yields Server-Sent Events (see `transom.sse`)."""

    media_type = "text/event-stream"


class FileResponse(Response):
    """A file sent in chunks, with `Last-Modified`, `ETag` and an optional download name.

    Args:
        path: The file to send.
        filename: If given, sent as `Content-Disposition` (RFC 6266, with an
            RFC 5987 `filename*` for non-ASCII names).
        content_disposition_type: `"attachment"` (download) or `"inline"`.
        stat_result: A known `os.stat` result, to skip the stat call.
    """

    chunk_size: ClassVar[int] = 64 * 1024
    sized = False

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        filename: str | None = None,
        stat_result: os.stat_result | None = None,
        content_disposition_type: Literal["attachment", "inline"] = "attachment",
    ) -> None:
        self.path = os.fspath(path)
        self.filename = filename
        self.stat_result = stat_result
        if media_type is None:
            guessed, _ = mimetypes.guess_type(filename or self.path)
            media_type = guessed or "application/octet-stream"
        super().__init__(None, status_code, headers, media_type, background)
        self.raw_headers.append((b"accept-ranges", b"bytes"))
        if filename is not None:
            disposition = dump_content_disposition(content_disposition_type, filename)
            self.raw_headers.append((b"content-disposition", disposition.encode("latin-1")))
        if stat_result is not None:
            self._set_stat_headers(stat_result)

    def _set_stat_headers(self, result: os.stat_result) -> None:
        modified = format_http_date(datetime.fromtimestamp(result.st_mtime, UTC))
        tag = hashlib.md5(f"{result.st_mtime}-{result.st_size}".encode(), usedforsecurity=False)
        self.raw_headers[:] = [
            pair
            for pair in self.raw_headers
            if pair[0] not in (b"content-length", b"last-modified", b"etag")
        ]
        self.raw_headers += [
            (b"content-length", str(result.st_size).encode("ascii")),
            (b"last-modified", modified.encode("ascii")),
            (b"etag", f'"{tag.hexdigest()}"'.encode("ascii")),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.stat_result is None:
            try:
                self.stat_result = await anyio.to_thread.run_sync(os.stat, self.path)
            except FileNotFoundError:
                raise RuntimeError(f"FileResponse: file {self.path!r} does not exist.") from None
            if not stat.S_ISREG(self.stat_result.st_mode):
                raise RuntimeError(f"FileResponse: {self.path!r} is not a regular file.")
            self._set_stat_headers(self.stat_result)
        try:
            ranges = self._ranges(scope, self.stat_result.st_size)
        except MalformedRange as exc:
            await PlainTextResponse(str(exc), 400)(scope, receive, send)
            return
        except RangeNotSatisfiable as exc:
            refused = PlainTextResponse(exc.args[0], 416)
            refused.raw_headers.append((b"content-range", f"bytes */{exc.size}".encode()))
            await refused(scope, receive, send)
            return
        if not ranges:
            await self._send(scope, send, self.status_code, self.raw_headers, [])
        else:
            await self._send_ranges(scope, send, ranges, self.stat_result.st_size)
        if self.background is not None:
            await run_after_response(scope, self.background)

    def _ranges(self, scope: Scope, size: int) -> list[tuple[int, int]]:
        """The byte ranges the request asks for (only of a 200 to a GET or HEAD)."""
        if self.status_code != 200 or scope.get("method") not in ("GET", "HEAD"):
            return []
        wanted: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in (b"range", b"if-range"):
                wanted.setdefault(name, value.decode("latin-1"))
        headers = dict(self.raw_headers)
        return requested_ranges(
            wanted.get(b"range"),
            wanted.get(b"if-range"),
            size,
            headers[b"etag"].decode("latin-1"),
            headers[b"last-modified"].decode("latin-1"),
        )

    async def _send_ranges(
        self, scope: Scope, send: Send, ranges: list[tuple[int, int]], size: int
    ) -> None:
        """A 206: one range as it is, several as `multipart/byteranges`."""
        headers = [pair for pair in self.raw_headers if pair[0] != b"content-length"]
        if len(ranges) == 1:
            start, end = ranges[0]
            headers += [
                (b"content-range", f"bytes {start}-{end - 1}/{size}".encode("ascii")),
                (b"content-length", str(end - start).encode("ascii")),
            ]
            await self._send(scope, send, 206, headers, [(b"", start, end)])
            return
        boundary = secrets.token_hex(13)
        content_type = dict(headers)[b"content-type"].decode("latin-1")
        length = byteranges_length(boundary, content_type, ranges, size)
        headers = [pair for pair in headers if pair[0] != b"content-type"]
        headers += [
            (b"content-type", f"multipart/byteranges; boundary={boundary}".encode("ascii")),
            (b"content-length", str(length).encode("ascii")),
        ]
        parts = [
            (byteranges_part(boundary, content_type, start, end, size), start, end)
            for start, end in ranges
        ]
        await self._send(scope, send, 206, headers, parts, f"\r\n--{boundary}--".encode())

    async def _send(
        self,
        scope: Scope,
        send: Send,
        status: int,
        headers: RawHeaders,
        parts: list[tuple[bytes, int, int]],
        closing: bytes = b"",
    ) -> None:
        """Start, then the whole file (no `parts`) or each part: its header, then its bytes."""
        if await start_stream(scope, send, status, headers):
            async with await anyio.open_file(self.path, "rb") as file:
                if not parts:
                    while chunk := await file.read(self.chunk_size):
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                for index, (head, start, end) in enumerate(parts):
                    lead = head if index == 0 or not head else b"\r\n" + head
                    if lead:
                        await send({"type": "http.response.body", "body": lead, "more_body": True})
                    await file.seek(start)
                    while start < end:
                        chunk = await file.read(min(self.chunk_size, end - start))
                        if not chunk:
                            raise RuntimeError(f"FileResponse: {self.path!r} became shorter.")
                        start += len(chunk)
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if closing:
                    await send({"type": "http.response.body", "body": closing, "more_body": True})
        await end_stream(send)


#: The `__call__` of every response class whose start goes through `send_response`
#: or `start_stream`.
_OWN_SENDERS = frozenset({Response.__call__, StreamingResponse.__call__, FileResponse.__call__})
