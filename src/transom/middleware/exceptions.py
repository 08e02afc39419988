"""Turning exceptions into responses with the registered handlers.

Handlers are looked up by status code (for `HTTPException`) and then along the
exception's class hierarchy. The response a handler returns gets the request's
temporal headers and cookies merged in, the handler's own headers winning
(contract rule T7). An exception without a handler goes on to the server-error
layer, which sends a bare 500.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from transom._types import ASGIApp, Receive, Scope, Send
from transom.exceptions import (
    ClientDisconnect,
    HTTPException,
    InvalidJSONBody,
    RequestValidationError,
)
from transom.middleware.errors import ServerErrorMiddleware, call_handler
from transom.requests import COOKIES_READ_KEY, Request
from transom.responses import (
    STARTED_KEY,
    JSONResponse,
    Response,
    body_allowed,
    marking_start,
    uses_start_path,
)
from transom.serialization import dump_json
from transom.temporal import SCOPE_KEY, TemporalResponse, shaping_send, vary_on_cookies

__all__ = [
    "ExceptionHandler",
    "ExceptionMiddleware",
    "http_exception_handler",
    "request_validation_exception_handler",
]

ExceptionHandler = Callable[[Request, Any], Any]


async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """`{"detail": ...}` with the exception's status and headers."""
    headers = dict(exc.headers) if exc.headers else None
    if not body_allowed(exc.status_code):
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


async def request_validation_exception_handler(
    request: Request, exc: RequestValidationError
) -> Response:
    """422 with FastAPI's body: `{"detail": [{"type", "loc", "msg", "input", ...}]}`."""
    body = dump_json({"detail": exc.errors()}, fallback=str)
    return Response(body, status_code=422, media_type="application/json")


async def invalid_json_handler(request: Request, exc: InvalidJSONBody) -> Response:
    """400 for a body that `request.json()` could not decode."""
    return JSONResponse({"detail": str(exc)}, status_code=400)


class ExceptionMiddleware:
    """Catch exceptions from the router and respond with the matching handler.

    It learns that a response has started from `STARTED_KEY` in the scope: the
    one start path (`transom.responses.send_response` / `start_stream`) sets
    it, and every sender that may bypass that path (a mounted app, another
    library's response, a response class with its own `__call__`) is given a
    `marking_start` send by whoever calls it. Wrapping every request's `send`
    instead costs about 6k instructions per request (`bench/instructions.py`).
    """

    def __init__(
        self,
        app: ASGIApp,
        handlers: Mapping[Any, ExceptionHandler],
        server_errors: ServerErrorMiddleware | None = None,
    ) -> None:
        self.app = app
        # With no middleware in between, the server-error layer is folded in
        # here, so one `send` wrapper serves both.
        self.server_errors = server_errors
        self.status_handlers: dict[int, ExceptionHandler] = {}
        self.class_handlers: dict[type[BaseException], ExceptionHandler] = {
            HTTPException: http_exception_handler,
            RequestValidationError: request_validation_exception_handler,
            InvalidJSONBody: invalid_json_handler,
        }
        for key, handler in handlers.items():
            if isinstance(key, int):
                self.status_handlers[key] = handler
            else:
                self.class_handlers[_own_class(key)] = handler

    def _lookup(self, exc: Exception) -> ExceptionHandler | None:
        if isinstance(exc, HTTPException) and exc.status_code in self.status_handlers:
            return self.status_handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.class_handlers:
                return self.class_handlers[cls]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            await self._websocket(scope, receive, send)
            return
        if kind != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            await self._handle(scope, receive, send, exc)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """Answer `exc` with its handler; anything that fails goes to the 500 layer."""
        handler = None if isinstance(exc, ClientDisconnect) else self._lookup(exc)
        if handler is None:
            await self._unhandled(scope, receive, send, exc)
            return
        try:
            if scope.get(STARTED_KEY, False):
                raise RuntimeError(
                    "An exception with a handler was raised after the response started; "
                    "it cannot be turned into a response."
                ) from exc
            response = await call_handler(handler, Request(scope, receive), exc)
            if not uses_start_path(response):
                send = marking_start(scope, send)
            temporal: TemporalResponse | None = scope.get(SCOPE_KEY)
            if scope.get(COOKIES_READ_KEY):  # e.g. a 422 for a cookie parameter
                temporal = vary_on_cookies(temporal, scope)
            await response(scope, receive, shaping_send(send, temporal, error=True))
        except Exception as failure:
            # A handler that fails (or can no longer answer) still gets the app's
            # own 500, logged once, instead of the server's bare one.
            await self._unhandled(scope, receive, send, failure)

    async def _unhandled(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        if self.server_errors is None:
            raise exc  # the server-error layer further out answers it
        started = scope.get(STARTED_KEY, False)
        await self.server_errors.last_resort(scope, receive, send, exc, started=started)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route a WebSocket handshake; one no route accepts is refused (HTTP 403)."""
        try:
            await self.app(scope, receive, send)
        except HTTPException:
            # Raised by the router before anything was accepted: no route takes it.
            await send({"type": "websocket.close", "code": 1008})


def _own_class(key: type[BaseException]) -> type[BaseException]:
    """Transom's `HTTPException` for Starlette's, which ported FastAPI code registers.

    Transom raises its own class (the router's 404 too): a handler registered for
    Starlette's would otherwise never fire.
    """
    if (key.__module__, key.__qualname__) == ("starlette.exceptions", "HTTPException"):
        return HTTPException
    return key
