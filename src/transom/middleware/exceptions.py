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
    WebSocketException,
    WebSocketRequestValidationError,
)
from transom.http.websocket import clip_close_reason
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
from transom.websockets import (
    WEBSOCKET_KEY,
    WebSocket,
    WebSocketState,
    denial_scope,
    denial_send,
)

__all__ = [
    "ExceptionHandler",
    "ExceptionMiddleware",
    "http_exception_handler",
    "request_validation_exception_handler",
    "websocket_exception_handler",
    "websocket_request_validation_exception_handler",
]

#: `handler(request, exc)`, or `handler(websocket, exc)` for a WebSocket's exceptions.
ExceptionHandler = Callable[[Any, Any], Any]


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


async def websocket_exception_handler(websocket: WebSocket, exc: WebSocketException) -> None:
    """Close the connection with the exception's code and reason (a refused handshake: 403)."""
    if websocket.application_state is not WebSocketState.DISCONNECTED:
        await websocket.close(exc.code, exc.reason)


async def websocket_request_validation_exception_handler(
    websocket: WebSocket, exc: WebSocketRequestValidationError
) -> None:
    """Close with 1008 (policy violation), as FastAPI does; the reason names the first error.

    FastAPI sends the whole error list as the reason, which does not fit a close
    frame (123 bytes) for most errors; the reason here is one line, clipped.
    """
    await websocket.close(1008, _validation_reason(exc))


def _validation_reason(exc: WebSocketRequestValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = ".".join(str(part) for part in first.get("loc", ()))
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return clip_close_reason(f"{loc}: {first.get('msg', 'invalid')}{more}")


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
            WebSocketException: websocket_exception_handler,
            WebSocketRequestValidationError: websocket_request_validation_exception_handler,
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
        """Run a WebSocket connection; an exception with a handler is answered on it.

        The handler gets the route's `WebSocket`. A response it returns refuses
        the handshake (the server's denial-response extension), or, where that
        cannot be, closes the connection: with 1008 before `accept()`, after it
        with 1008 for a 4xx and 1011 otherwise.
        """
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            handler = self._lookup(exc)
            if handler is None:
                raise  # the server logs it and closes the connection (1011) or answers 500
            websocket: WebSocket = scope.get(WEBSOCKET_KEY) or WebSocket(scope, receive, send)
            answer = await call_handler(handler, websocket, exc)
            if answer is not None:
                await _send_websocket_answer(websocket, answer, exc)


async def _send_websocket_answer(websocket: WebSocket, response: Any, exc: Exception) -> None:
    """Send a handler's response on a WebSocket: a denial, or a close that says as much."""
    if websocket.can_deny:
        temporal: TemporalResponse | None = websocket.scope.get(SCOPE_KEY)
        send = shaping_send(denial_send(websocket), temporal, error=True)
        await response(denial_scope(websocket.scope), websocket.receive_channel, send)
        return
    state = websocket.application_state
    if state is WebSocketState.DISCONNECTED:
        return
    status: int = getattr(response, "status_code", 500)
    code = 1008 if state is WebSocketState.CONNECTING or status < 500 else 1011
    detail = exc.detail if isinstance(exc, HTTPException) else None
    await websocket.close(code, clip_close_reason(detail) if isinstance(detail, str) else None)


def _own_class(key: type[BaseException]) -> type[BaseException]:
    """Transom's `HTTPException` for Starlette's, which ported FastAPI code registers.

    Transom raises its own class (the router's 404 too): a handler registered for
    Starlette's would otherwise never fire.
    """
    if (key.__module__, key.__qualname__) == ("starlette.exceptions", "HTTPException"):
        return HTTPException
    return key
