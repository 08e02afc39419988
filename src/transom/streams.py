"""Streamed path operations: a handler that `yield`s, sent item by item.

A path operation written as a generator (`async def` or `def` with `yield`)
streams what it yields:

- with `response_class=EventSourceResponse`, as Server-Sent Events
  (`transom.sse`): keep-alive `: ping` comments while idle, `Cache-Control:
  no-cache` and `X-Accel-Buffering: no`;
- with the default response class, as JSON Lines (`application/jsonl`), one
  JSON document and a newline per item;
- with another `StreamingResponse` class, as that class streams its content.

Items are validated and serialised one by one by the route's item model: the
`X` of a return annotation `AsyncIterable[X]` (or `Iterable`, `AsyncIterator`,
`Iterator`, the generator types), or an explicit `response_model=`, which
filters the items too.

The stream does not start until the generator has produced its first item (or
stayed silent for a ping interval): headers, cookies and the status the
generator sets on the temporal response before its first `yield` are sent,
and an `HTTPException` it raises there is an ordinary error response. Once the
stream has started, the temporal response is frozen, so a later change raises
`ResponseStartedError` instead of being lost. A client that disconnects stops
the generator, which is closed (its `finally` and the teardown of `yield`
dependencies run).
"""

from __future__ import annotations

import enum
import inspect
import json
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
)
from typing import Any, get_args, get_origin

import anyio
import anyio.abc
import anyio.lowlevel

from transom import sse
from transom._types import Receive, Scope, Send
from transom.concurrency import iterate_in_threadpool, run_in_threadpool
from transom.encoders import jsonable_encoder
from transom.http.headers import RawHeaders
from transom.http.merge import merge_data_headers
from transom.responses import (
    EventSourceResponse,
    JSONResponse,
    Response,
    StreamingResponse,
    end_stream,
    start_stream,
)
from transom.serialization import ResponseModel
from transom.sse import ServerSentEvent, format_sse_event
from transom.temporal import TemporalResponse

__all__ = [
    "ItemStream",
    "StreamKind",
    "StreamPlan",
    "checkpointed",
    "is_generator_endpoint",
    "returning_generator",
    "stream_item_type",
    "stream_kind",
]

_STREAM_ORIGINS = (
    AsyncIterable,
    AsyncIterator,
    AsyncGenerator,
    Iterable,
    Iterator,
    Generator,
)


class StreamKind(enum.Enum):
    """How a generator path operation sends its items."""

    EVENTS = "text/event-stream"
    JSON_LINES = "application/jsonl"


def is_generator_endpoint(endpoint: Callable[..., Any]) -> bool:
    """Whether `endpoint` is a generator function (sync or async)."""
    return inspect.isasyncgenfunction(endpoint) or inspect.isgeneratorfunction(endpoint)


def stream_item_type(annotation: Any) -> Any:
    """`X` of `AsyncIterable[X]` and the other iterable types, `Any` if bare; else `None`."""
    origin = get_origin(annotation) or annotation
    if origin not in _STREAM_ORIGINS:
        return None
    args = get_args(annotation)
    return args[0] if args else Any


def stream_kind(response_class: type[Response]) -> StreamKind | None:
    """The kind a generator endpoint with this response class streams, or `None` if the
    class streams the generator itself (a `StreamingResponse`)."""
    if issubclass(response_class, EventSourceResponse):
        return StreamKind.EVENTS
    if issubclass(response_class, StreamingResponse) or not issubclass(
        response_class, JSONResponse
    ):
        return None
    return StreamKind.JSON_LINES


def returning_generator(endpoint: Callable[..., Any], signature: inspect.Signature) -> Any:
    """An `async def` with `endpoint`'s signature that returns the generator it makes.

    The route's plan calls it like any handler (validated arguments, dependencies
    first); the generator then runs while the response streams.
    """

    async def call(**kwargs: Any) -> Any:
        return endpoint(**kwargs)

    call.__signature__ = signature.replace(return_annotation=inspect.Signature.empty)  # type: ignore[attr-defined]
    call.__name__ = getattr(endpoint, "__name__", "endpoint")
    call.__qualname__ = getattr(endpoint, "__qualname__", call.__name__)
    call.__module__ = getattr(endpoint, "__module__", call.__module__)
    call.__doc__ = endpoint.__doc__
    return call


async def checkpointed(items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """`items` with a checkpoint after each, so a generator that never awaits can be
    cancelled (by a disconnect, or a server shutting down)."""
    async for item in items:
        yield item
        await anyio.lowlevel.checkpoint()


def _untyped_json(value: Any) -> str:
    # FastAPI's encoding of an item without an item model: json.dumps of the jsonable form.
    return json.dumps(jsonable_encoder(value))


class StreamPlan:
    """How one route encodes its items, fixed when the route is created."""

    def __init__(
        self, kind: StreamKind, item_model: ResponseModel | None, status_code: int | None
    ) -> None:
        self.kind = kind
        self.item_model = item_model
        self.status_code = status_code or 200

    def _data(self, item: Any) -> bytes:
        # JSON on one line: pydantic-core and json.dumps escape line breaks in strings.
        if self.item_model is not None:
            return self.item_model.dump(item)
        return _untyped_json(item).encode("utf-8")

    def encode(self, item: Any) -> bytes:
        """One item as it goes on the wire."""
        if self.kind is StreamKind.JSON_LINES:
            return self._data(item) + b"\n"
        if not isinstance(item, ServerSentEvent):
            # `format_sse_event(data_str=...)` for one line of data, without the splitting.
            return b"data: " + self._data(item) + b"\n\n"
        if item.raw_data is not None:
            data: str | None = item.raw_data
        elif item.data is None:
            data = None
        elif hasattr(item.data, "model_dump_json"):
            data = item.data.model_dump_json()
        else:
            data = _untyped_json(item.data)
        return format_sse_event(
            data_str=data, event=item.event, id=item.id, retry=item.retry, comment=item.comment
        )

    def response(self, items: Any, temporal: TemporalResponse | None) -> ItemStream:
        """The response that streams the generator `items` for one request."""
        headers: RawHeaders = [(b"content-type", self.kind.value.encode("ascii"))]
        if self.kind is StreamKind.EVENTS:
            headers[0] = (b"content-type", b"text/event-stream; charset=utf-8")
            headers += [(b"cache-control", b"no-cache"), (b"x-accel-buffering", b"no")]
        return ItemStream(items, self, headers, temporal)


#: A stream passes a checkpoint every this many items, so a generator that never
#: awaits can still be cancelled (a disconnect, a server shutting down).
_CHECKPOINT_EVERY = 16


class ItemStream(Response):
    """The response of a streamed path operation: one generator's items, encoded.

    The generator runs in the request's task; one keep-alive task sleeps a ping
    interval at a time and, when the stream has been silent that long, sends a
    `: ping` comment (for an event stream), or starts the response if the
    first item has not come yet. Once the response has started, a third task
    watches for the client's disconnect and cancels the stream.
    """

    sized = False
    #: Started through `start_stream`, so the error layers see the start.
    sends_through_start_path = True

    def __init__(
        self,
        items: Any,
        plan: StreamPlan,
        headers: RawHeaders,
        temporal: TemporalResponse | None,
    ) -> None:
        super().__init__(None, plan.status_code)
        self.items = items
        self.plan = plan
        self.raw_headers = headers
        self.temporal = temporal
        self._error: Exception | None = None
        self._started = False
        self._body = True
        self._last = 0.0

    def _iterate(self) -> AsyncIterator[Any]:
        items = self.items
        if isinstance(items, AsyncIterable):
            return aiter(items)
        return iterate_in_threadpool(items)

    async def _start(self, scope: Scope, send: Send) -> None:
        """Send the start once: the temporal status and headers win, then it freezes."""
        if self._started:
            return
        self._started = True
        status, headers = self.status_code, self.raw_headers
        temporal = self.temporal
        if temporal is not None:
            if temporal.status_code is not None:
                status = temporal.status_code
            headers = merge_data_headers(temporal.raw_headers, headers)
            temporal.freeze()
        self._body = await start_stream(scope, send, status, headers)
        self._group.start_soon(self._watch, self._receive, self._group.cancel_scope)

    async def _write(self, send: Send, body: bytes) -> None:
        self._last = time.monotonic()
        if self._body:
            await send({"type": "http.response.body", "body": body, "more_body": True})

    async def _keep_alive(self, scope: Scope, send: Send) -> None:
        """Start the response if the first item is late; ping an idle event stream."""
        ping = self.plan.kind is StreamKind.EVENTS
        self._last = time.monotonic()
        while True:
            interval = sse.PING_INTERVAL
            await anyio.sleep(max(self._last + interval - time.monotonic(), 0))
            if time.monotonic() - self._last < interval:
                continue
            if not self._started:
                await self._start(scope, send)
                self._last = time.monotonic()
            if ping:
                await self._write(send, sse.KEEPALIVE_COMMENT)
            else:
                self._last = time.monotonic()

    async def _watch(self, receive: Receive, scope: anyio.CancelScope) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        scope.cancel()

    async def _stream(self, scope: Scope, send: Send) -> None:
        encode = self.plan.encode
        count = 0
        async for item in self._iterate():
            body = encode(item)
            await self._start(scope, send)
            await self._write(send, body)
            count += 1
            if count % _CHECKPOINT_EVERY == 0:
                await anyio.lowlevel.checkpoint()
        await self._start(scope, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:
                self._group, self._receive = group, receive
                group.start_soon(self._keep_alive, scope, send)
                try:
                    await self._stream(scope, send)
                except Exception as exc:
                    self._error = exc  # raised below, outside the task group
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self._close_items()
        if self._error is not None:
            raise self._error
        await end_stream(send)

    async def _close_items(self) -> None:
        items = self.items
        if inspect.isasyncgen(items):
            await items.aclose()
        elif inspect.isgenerator(items):
            await run_in_threadpool(items.close)
