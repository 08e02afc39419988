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

import pydantic_core

from transom._types import ASGIApp, Receive, Scope, Send
from transom.exceptions import HTTPException, InvalidJSONBody, RequestValidationError
from transom.middleware.errors import ServerErrorMiddleware, call_handler
from transom.requests import Request
from transom.responses import STARTED_KEY, JSONResponse, Response, body_allowed
from transom.temporal import SCOPE_KEY, TemporalResponse, merging_send

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
    body = pydantic_core.to_json({"detail": exc.errors()}, fallback=str, inf_nan_mode="null")
    response = JSONResponse(None, status_code=422)
    response.body = body
    response.raw_headers = [
        (b"content-length", str(len(body)).encode("ascii")),
        (b"content-type", b"application/json"),
    ]
    return response


async def invalid_json_handler(request: Request, exc: InvalidJSONBody) -> Response:
    """400 for a body that `request.json()` could not decode."""
    return JSONResponse({"detail": str(exc)}, status_code=400)


class ExceptionMiddleware:
    """Catch exceptions from the router and respond with the matching handler.

    The wrapped app must set `STARTED_KEY` in the scope when its response
    starts, as transom's router and routes do (foreign apps below them get a
    marking `send`); that is how an exception after the start is told apart.
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
                self.class_handlers[key] = handler

    def _lookup(self, exc: Exception) -> ExceptionHandler | None:
        if isinstance(exc, HTTPException) and exc.status_code in self.status_handlers:
            return self.status_handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in self.class_handlers:
                return self.class_handlers[cls]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Only the router is inside this layer, and every route marks the start
        # of its response in the scope (`STARTED_KEY`): no `send` wrapper needed.
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            started = scope.get(STARTED_KEY, False)
            handler = self._lookup(exc)
            if handler is None:
                if self.server_errors is not None:
                    await self.server_errors.last_resort(scope, receive, send, exc, started=started)
                raise
            if started:
                raise RuntimeError(
                    "An exception with a handler was raised after the response started; "
                    "it cannot be turned into a response."
                ) from exc
            response = await call_handler(handler, Request(scope, receive), exc)
            temporal: TemporalResponse | None = scope.get(SCOPE_KEY)
            if temporal is not None and not temporal.frozen:
                send = merging_send(send, temporal)
            await response(scope, receive, send)
