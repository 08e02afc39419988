"""`@app.middleware("http")`: a function `(request, call_next) -> Response`.

Unlike Starlette's `BaseHTTPMiddleware`, the downstream app runs in the same
task as the middleware function, so context variables flow both ways and
nothing is cancelled behind your back. `call_next` returns the downstream
response as a real `Response` you can change. It is buffered; background tasks
of the downstream response are deferred until after the middleware has sent
it, so they never delay the client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.background import BackgroundTask
from transom.requests import Request
from transom.responses import DEFERRED_KEY, Response

__all__ = ["CallNext", "FunctionMiddleware"]

CallNext = Callable[[Request], Awaitable[Response]]
Dispatch = Callable[[Request, CallNext], Awaitable[Response]]


class FunctionMiddleware:
    """Run `dispatch(request, call_next)` around the rest of the app."""

    def __init__(self, app: ASGIApp, dispatch: Dispatch) -> None:
        self.app = app
        self.dispatch = dispatch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deferred: list[BackgroundTask] = []
        request = Request(scope, receive, send)

        async def call_next(request: Request) -> Response:
            return await self._call_downstream(request, deferred)

        response = await self.dispatch(request, call_next)
        await response(scope, receive, send)
        for task in deferred:
            await task()

    async def _call_downstream(self, request: Request, deferred: list[BackgroundTask]) -> Response:
        scope = request.scope
        outer = scope.get(DEFERRED_KEY)
        scope[DEFERRED_KEY] = deferred
        start: Message | None = None
        chunks: list[bytes] = []

        async def receive() -> Message:
            # If the middleware already read the body, hand it on again.
            body = request._body
            if body is not None:
                request._body = None
                return {"type": "http.request", "body": body, "more_body": False}
            return await request.receive()

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        try:
            await self.app(scope, receive, collect)
        finally:
            if outer is None:
                del scope[DEFERRED_KEY]
            else:
                scope[DEFERRED_KEY] = outer
        if start is None:
            raise RuntimeError("The app behind an http middleware sent no response.")
        response = Response.__new__(Response)
        response.status_code = start["status"]
        response.body = b"".join(chunks)
        response.raw_headers = list(start.get("headers", []))
        response.background = None
        response._cookies = None
        return response
