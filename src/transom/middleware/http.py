"""`@app.middleware("http")`: a function `(request, call_next) -> Response`.

`call_next` runs the rest of the app and returns as soon as its response has
started: a `StreamingResponse` with the downstream status and headers (change
them as you like) whose body streams through, chunk by chunk, when you return
it (or replace its `body_iterator` to change the body as it passes). A
server-sent event stream or a large file therefore passes through with bounded
memory: the downstream app waits while a chunk is on its way (no buffering).

What Starlette's `BaseHTTPMiddleware` gets wrong stays right here:

- context variables flow both ways: the downstream app starts in a copy of the
  middleware's context, and whatever it set before its response started is set
  in the middleware's context when `call_next` returns;
- an exception the downstream app raises before its response starts comes out
  of `call_next`, in the middleware's task, with its own traceback;
- background tasks of the downstream response (and the teardown of its
  `yield` dependencies) wait until the middleware has sent its response, so
  they never delay the client, and run in the app's own task, in the context
  its dependencies set up;
- if the middleware answers with another response, the downstream app is
  cancelled instead of being left waiting.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
from anyio.abc import TaskGroup

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.background import BackgroundTask
from transom.requests import Request
from transom.responses import (
    DEFERRED_KEY,
    Response,
    StreamingResponse,
    end_stream,
    run_after_response,
    start_stream,
)

__all__ = ["CallNext", "FunctionMiddleware"]

#: `call_next(request)`: a `StreamingResponse` whose `body_iterator` is the app's body.
CallNext = Callable[[Request], Awaitable[StreamingResponse]]
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
        request = Request(scope, receive, send)
        calls: list[_Downstream] = []
        failure: Exception | None = None
        async with anyio.create_task_group() as group:

            async def call_next(request: Request) -> StreamingResponse:
                downstream = _Downstream(self.app, request)
                calls.append(downstream)
                return await downstream.start(group)

            try:
                response = await self.dispatch(request, call_next)
                await response(scope, receive, send)
                for downstream in calls:
                    await downstream.finish()
            except Exception as exc:
                # Raised as it is, not wrapped in the task group's ExceptionGroup.
                failure = exc
                group.cancel_scope.cancel()
        for downstream in calls:
            downstream.chunks_out.close()
        if failure is not None:
            raise failure


_MISSING: Any = object()


class _Downstream:
    """One `call_next`: the rest of the app, run in a child task, its body handed over."""

    def __init__(self, app: ASGIApp, request: Request) -> None:
        self.app = app
        self.request = request
        #: After-response work of the app (background tasks, `yield` teardown),
        #: run by the app's own task once the middleware has sent its response.
        self.deferred: list[BackgroundTask] = []
        self.sent = anyio.Event()
        self.task_error: Exception | None = None
        self.started = anyio.Event()
        self.done = anyio.Event()
        self.start_message: Message | None = None
        self.error: Exception | None = None
        self.changed: dict[contextvars.ContextVar[Any], Any] = {}
        self.consumed = False
        # No buffer: the downstream app waits until each chunk is taken.
        self.chunks_in, self.chunks_out = anyio.create_memory_object_stream[Message](0)
        self.cancel = anyio.CancelScope()

    async def start(self, group: TaskGroup) -> StreamingResponse:
        """Start the rest of the app; return its response once it has started."""
        group.start_soon(self._run)
        await self.started.wait()
        if self.error is not None:
            raise self.error
        for var, value in self.changed.items():
            var.set(value)
        assert self.start_message is not None
        return _StreamedResponse(self.start_message, self)

    async def finish(self) -> None:
        """After the middleware's response: let the app finish, or cancel it if unread."""
        if self.consumed:
            self.sent.set()
            await self.done.wait()
            if self.task_error is not None:
                raise self.task_error
        else:
            self.cancel.cancel()

    async def _run(self) -> None:
        scope = self.request.scope
        outer = scope.get(DEFERRED_KEY)
        scope[DEFERRED_KEY] = self.deferred
        initial = contextvars.copy_context()
        try:
            with self.cancel:
                await self.app(scope, self._receive, self._send(initial))
                _restore(scope, outer)
                await self.sent.wait()
                await self._after_response()
        except Exception as exc:
            # Handed to the middleware's task: raised from `call_next` (before the
            # start) or after the body (once the middleware has sent it).
            self.error = exc
        finally:
            _restore(scope, outer)
            self.chunks_in.close()
            if self.start_message is None and self.error is None:
                self.error = RuntimeError("The app behind an http middleware sent no response.")
            self.started.set()
            self.done.set()

    async def _after_response(self) -> None:
        """The app's deferred work, in the app's own task and context variables.

        A `yield` dependency resets in its teardown what it set before: that must
        happen in the context it set it in (FastAPI's contextvar dependencies).
        """
        try:
            for task in self.deferred:
                await run_after_response(self.request.scope, task)
        except Exception as exc:
            self.task_error = exc

    async def _receive(self) -> Message:
        # If the middleware already read the body, hand it on again.
        request = self.request
        body: bytes | None = getattr(request, "_body", None)
        if body is not None:
            del request._body
            return {"type": "http.request", "body": body, "more_body": False}
        return await request.receive()

    def _send(self, initial: contextvars.Context) -> Send:
        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                now = contextvars.copy_context()
                self.changed = {
                    var: value
                    for var, value in now.items()
                    if initial.get(var, _MISSING) is not value
                }
                self.start_message = message
                self.started.set()
            elif message["type"] == "http.response.body":
                await self.chunks_in.send(message)

        return send

    async def messages(self) -> AsyncIterator[Message]:
        """The downstream body messages, as the app sends them (the last one final)."""
        self.consumed = True
        async with self.chunks_out:
            async for message in self.chunks_out:
                yield message
                if not message.get("more_body", False):
                    return
        # The app stopped before its last chunk: it failed while streaming.
        await self.done.wait()
        raise self.error or RuntimeError("The app behind an http middleware ended its body early.")

    async def body(self) -> AsyncIterator[bytes]:
        """The downstream body, chunk by chunk, as the app sends it."""
        async for message in self.messages():
            chunk = message.get("body", b"")
            if chunk:
                yield bytes(chunk)


class _StreamedResponse(StreamingResponse):
    """What `call_next` returns: the downstream status and headers, its body streamed."""

    def __init__(self, start: Message, downstream: _Downstream) -> None:
        # Not through `Response.__init__`: the status and headers are the
        # downstream app's own, exactly as it sent them (no body to render).
        self.status_code = start["status"]
        self.raw_headers = list(start.get("headers", []))
        self.background = None
        self.body = b""
        self._cookies = None
        self.downstream = downstream
        self._own_body = self.body_iterator = downstream.body()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with_body = await start_stream(scope, send, self.status_code, self.raw_headers)
        if self.body_iterator is self._own_body:
            # Untouched: forward the app's messages as they are, one for one.
            async for message in self.downstream.messages():
                body = message.get("body", b"") if with_body else b""
                more = bool(message.get("more_body", False))
                await send({"type": "http.response.body", "body": body, "more_body": more})
        else:
            # The middleware put its own iterator in: stream what it yields.
            async for chunk in self._chunks():
                if with_body:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await end_stream(send)
        if self.background is not None:
            await run_after_response(scope, self.background)


def _restore(scope: Scope, outer: list[BackgroundTask] | None) -> None:
    if outer is None:
        scope.pop(DEFERRED_KEY, None)
    else:
        scope[DEFERRED_KEY] = outer
