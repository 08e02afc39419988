"""S8 (WebSocket echo) and S9 (Server-Sent Events) in every framework, idiomatic each.

- S8: `/s8/echo` accepts a WebSocket and sends back every text message it receives.
- S9: `GET /s9/events` streams 1,000 events whose data is `{"n": i}` as JSON, then ends.

One ASGI app per framework, served by uvicorn as `apps.realtime:<name>`.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

EVENTS = 1000

# --- raw ASGI: the floor -------------------------------------------------------------------


async def raw_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            await send({"type": "websocket.send", "text": message["text"]})
    headers = [
        (b"content-type", b"text/event-stream; charset=utf-8"),
        (b"cache-control", b"no-cache"),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for number in range(EVENTS):
        body = b'data: {"n":' + str(number).encode() + b"}\n\n"
        await send({"type": "http.response.body", "body": body, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


# --- Transom ----------------------------------------------------------------------------


def _transom() -> Any:
    from transom import Transom, WebSocket
    from transom.sse import EventSourceResponse

    app = Transom()

    @app.websocket("/s8/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)

    @app.get("/s9/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterator[dict[str, int]]:
        for number in range(EVENTS):
            yield {"n": number}

    return app


# --- FastAPI (the same code, FastAPI's imports) -------------------------------------------


def _fastapi() -> Any:
    from fastapi import FastAPI, WebSocket, WebSocketDisconnect
    from fastapi.sse import EventSourceResponse

    app = FastAPI()

    @app.websocket("/s8/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnect:
            pass

    @app.get("/s9/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterator[dict[str, int]]:
        for number in range(EVENTS):
            yield {"n": number}

    return app


# --- Starlette --------------------------------------------------------------------------


def _starlette() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import StreamingResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)

    async def lines() -> AsyncIterator[str]:
        for number in range(EVENTS):
            yield f"data: {json.dumps({'n': number}, separators=(',', ':'))}\n\n"

    async def events(request: Request) -> StreamingResponse:
        headers = {"Cache-Control": "no-cache"}
        return StreamingResponse(lines(), media_type="text/event-stream", headers=headers)

    return Starlette(routes=[WebSocketRoute("/s8/echo", echo), Route("/s9/events", events)])


# --- Litestar ---------------------------------------------------------------------------


def _litestar() -> Any:
    from litestar import Litestar, WebSocket, get, websocket
    from litestar.exceptions import WebSocketDisconnect
    from litestar.response import ServerSentEvent

    @websocket("/s8/echo")
    async def echo(socket: WebSocket[Any, Any, Any]) -> None:
        await socket.accept()
        try:
            while True:
                await socket.send_text(await socket.receive_text())
        except WebSocketDisconnect:
            pass

    async def lines() -> AsyncIterator[str]:
        for number in range(EVENTS):
            yield json.dumps({"n": number}, separators=(",", ":"))

    @get("/s9/events")
    async def events() -> ServerSentEvent:
        return ServerSentEvent(lines())

    return Litestar(route_handlers=[echo, events])


# --- BlackSheep -------------------------------------------------------------------------


def _blacksheep() -> Any:
    from blacksheep import Application, WebSocket, WebSocketDisconnectError
    from blacksheep.server.sse import ServerSentEvent, ServerSentEventsResponse

    app = Application()

    @app.router.ws("/s8/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnectError:
            pass

    async def provider() -> AsyncIterator[ServerSentEvent]:
        for number in range(EVENTS):
            yield ServerSentEvent({"n": number})

    @app.router.get("/s9/events")
    async def events() -> ServerSentEventsResponse:
        return ServerSentEventsResponse(provider)

    return app


def __getattr__(name: str) -> Any:
    """`apps.realtime:transom` and the others, built on first use (imports stay lazy)."""
    builders = {
        "transom": _transom,
        "fastapi": _fastapi,
        "starlette": _starlette,
        "litestar": _litestar,
        "blacksheep": _blacksheep,
    }
    if name not in builders:
        raise AttributeError(name)
    app = builders[name]()
    globals()[name] = app
    return app
