"""`GZipMiddleware`: compress responses for clients that accept gzip.

A response is compressed when the request's `Accept-Encoding` accepts `gzip`
(q-values honoured: `gzip;q=0` refuses it), its body is at least
`minimum_size` bytes (or it streams), it is not already encoded
(`Content-Encoding`), not a partial response (206), has a body at all, and its
`Content-Type` is not one that is compressed already or must not be buffered
(images, audio, video, archives, fonts, `text/event-stream`). A streamed body
stays streamed: each chunk is compressed and flushed as it comes.

Every response of at least `minimum_size` bytes that could have been
compressed gets `Vary: Accept-Encoding` (merged into any `Vary` it has), so a
cache never hands a gzipped body to a client that cannot read it.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.http.headers import MutableHeaders

__all__ = ["DEFAULT_EXCLUDED_CONTENT_TYPES", "GZipMiddleware"]

#: Content types left alone: compressed already, or streamed to be read as they come.
DEFAULT_EXCLUDED_CONTENT_TYPES = (
    "application/grpc",
    "application/gzip",
    "application/x-gzip",
    "application/zip",
    "audio/*",
    "font/woff",
    "font/woff2",
    "image/avif",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/webp",
    "text/event-stream",
    "video/*",
)


def accepts_gzip(value: str) -> bool:
    """Whether an `Accept-Encoding` value accepts gzip (RFC 9110 section 12.5.3)."""
    gzip: float | None = None
    star: float | None = None
    for item in value.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, number = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        if name in ("gzip", "x-gzip"):
            gzip = quality
        elif name == "*":
            star = quality
    chosen = gzip if gzip is not None else star
    return chosen is not None and chosen > 0


class GZipMiddleware:
    """Compress responses with gzip when the client accepts it.

    Args:
        app: The app to wrap.
        minimum_size: Bodies smaller than this (in bytes) are sent as they are.
        compresslevel: 1 (fastest) to 9 (smallest).
        exclude_content_types: Media types (`type/*` allowed) never compressed.

    Raises:
        ValueError: for a `compresslevel` outside 1-9 or a negative `minimum_size`.
    """

    def __init__(
        self,
        app: ASGIApp,
        minimum_size: int = 500,
        compresslevel: int = 9,
        *,
        exclude_content_types: Sequence[str] = DEFAULT_EXCLUDED_CONTENT_TYPES,
    ) -> None:
        if not 1 <= compresslevel <= 9:
            raise ValueError(f"compresslevel must be 1 to 9, got {compresslevel!r}.")
        if minimum_size < 0:
            raise ValueError(f"minimum_size must be >= 0, got {minimum_size!r}.")
        self.app = app
        self.minimum_size = minimum_size
        self.compresslevel = compresslevel
        self.exclude_content_types = frozenset(kind.lower() for kind in exclude_content_types)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        values = [v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-encoding"]
        value = ", ".join(values)
        responder = _Responder(self, send, accepts_gzip(value))
        await self.app(scope, receive, responder.send)

    def excluded(self, content_type: str) -> bool:
        media = content_type.partition(";")[0].strip().lower()
        kinds = {media, media.partition("/")[0] + "/*"}
        if media.startswith("application/grpc+"):
            kinds.add("application/grpc")
        return not kinds.isdisjoint(self.exclude_content_types)


class _Responder:
    """One response through the middleware: holds the start until the first body."""

    def __init__(self, options: GZipMiddleware, send: Send, accepts: bool) -> None:
        self.options = options
        self._send = send
        self.accepts = accepts
        self.start: Message | None = None
        self.passthrough = False
        self.compressor: zlib._Compress | None = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self._on_start(message)
            if self.passthrough:
                await self._send(message)
            return
        if kind != "http.response.body" or self.passthrough:
            await self._send(message)
            return
        if self.start is not None:
            await self._first_body(message, self.start)
            return
        await self._send(self._compressed(message))

    def _on_start(self, message: Message) -> None:
        headers = MutableHeaders(raw=list(message.get("headers", ())))
        status = message["status"]
        self.passthrough = (
            "content-encoding" in headers
            or status == 206
            or status < 200
            or status in (204, 304)
            or self.options.excluded(headers.get("content-type", ""))
        )
        self.start = {**message, "headers": headers.raw}

    async def _first_body(self, message: Message, start: Message) -> None:
        self.start = None
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if not more and len(body) < self.options.minimum_size:
            await self._send(start)
            await self._send(message)
            return
        headers = MutableHeaders(raw=start["headers"])
        headers.add_vary_header("Accept-Encoding")
        if not self.accepts:
            await self._send(start)
            await self._send(message)
            self.passthrough = True
            return
        self.compressor = zlib.compressobj(self.options.compresslevel, zlib.DEFLATED, 31)
        message = self._compressed(message)
        headers["Content-Encoding"] = "gzip"
        if more:
            del headers["Content-Length"]
        else:
            headers["Content-Length"] = str(len(message["body"]))
        await self._send(start)
        await self._send(message)

    def _compressed(self, message: Message) -> Message:
        compressor = self.compressor
        assert compressor is not None
        more = message.get("more_body", False)
        data = compressor.compress(message.get("body", b""))
        data += compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
        return {**message, "body": data}
