"""The outermost layer: an unhandled exception becomes a plain 500, then is re-raised.

The 500 carries none of the temporal response's headers or cookies (nothing
was meant to be sent for a failed request). The exception is re-raised, as
Starlette does, so the server logs it (uvicorn: "Exception in ASGI
application" with the full traceback), an outer ASGI middleware (tracing,
error reporting) sees it, and `TestClient(raise_server_exceptions=True)`
raises it. It is not logged here too: under a server that would print every
traceback twice. Instead the exception gets a note naming the request
(`Request: GET /items (answered with a 500).`), which the server's traceback
shows under the error.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.concurrency import run_in_threadpool
from transom.exceptions import ClientDisconnect
from transom.requests import HTTPConnection, Request
from transom.responses import PlainTextResponse, Response

__all__ = ["ServerErrorMiddleware", "StartTracker", "call_handler"]

logger = logging.getLogger("transom.error")


class StartTracker:
    """A `send` that remembers whether the response has started."""

    __slots__ = ("send", "started")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


async def call_handler(
    handler: Callable[[Any, Any], Any], request: HTTPConnection, exc: Any
) -> Any:
    """Call an exception handler, sync ones in a worker thread."""
    if inspect.iscoroutinefunction(handler):
        return await handler(request, exc)
    return await run_in_threadpool(handler, request, exc)


class ServerErrorMiddleware:
    """Send a 500 for any exception no other layer handled.

    Args:
        app: The app to wrap.
        handler: Optional `handler(request, exc) -> Response` for the 500.
        debug: Put the exception's type and message in the body (never in production).
    """

    def __init__(
        self,
        app: ASGIApp,
        handler: Callable[[Request, Exception], Any] | None = None,
        debug: bool = False,
    ) -> None:
        self.app = app
        self.handler = handler
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracker = StartTracker(send)
        try:
            await self.app(scope, receive, tracker)
        except Exception as exc:
            await self.last_resort(scope, receive, send, exc, started=tracker.started)

    async def last_resort(
        self, scope: Scope, receive: Receive, send: Send, exc: Exception, *, started: bool
    ) -> None:
        """Answer an exception nothing handled: note the request on it, send the 500, re-raise it.

        A client that went away while its body was read (`ClientDisconnect`) is
        no error of the app: it is logged at debug level, nothing is sent, and
        it is not re-raised.
        """
        if isinstance(exc, ClientDisconnect):
            logger.debug("Client disconnected during %s %s", scope.get("method"), scope.get("path"))
            return
        _note_request(exc, scope, started)
        if not started:
            response = await self._response(Request(scope, receive), exc)
            await response(scope, receive, send)
        raise exc

    async def _response(self, request: Request, exc: Exception) -> Response:
        if self.handler is not None:
            try:
                response: Response = await call_handler(self.handler, request, exc)
            except Exception:
                logger.exception("The handler for unhandled errors failed; sending a plain 500.")
            else:
                return response
        if self.debug:
            return PlainTextResponse(f"Internal Server Error\n\n{type(exc).__name__}: {exc}", 500)
        return PlainTextResponse("Internal Server Error", status_code=500)


def _note_request(exc: BaseException, scope: Scope, started: bool) -> None:
    """Name the request on the exception (PEP 678), once, for the server's log."""
    answer = "the response had started, so it was cut short" if started else "answered with a 500"
    note = f"Request: {scope.get('method')} {scope.get('path')} ({answer})."
    if note not in getattr(exc, "__notes__", ()):
        exc.add_note(note)
