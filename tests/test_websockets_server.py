"""WebSockets over a real server: uvicorn on 127.0.0.1, the `websockets` client."""

import json
from collections.abc import Iterator
from typing import Annotated

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests._browser import ServerThread
from transom import Depends, HTTPException, Response, Transom, WebSocket


def build_app() -> Transom:
    app = Transom()

    def session(response: Response) -> str:
        response.set_cookie("session", "s-1", httponly=True)
        return "s-1"

    @app.websocket("/echo")
    async def echo(websocket: WebSocket, sid: Annotated[str, Depends(session)]) -> None:
        protocol = "chat" if "chat" in websocket.scope["subprotocols"] else None
        await websocket.accept(protocol)
        await websocket.send_json({"session": sid})
        async for text in websocket.iter_text():
            await websocket.send_text(text.upper())

    def auth(token: str | None = None) -> str:
        if token != "secret":
            raise HTTPException(401, "Bad token", headers={"WWW-Authenticate": "Bearer"})
        return token

    @app.websocket("/private")
    async def private(websocket: WebSocket, user: Annotated[str, Depends(auth)]) -> None:
        await websocket.accept()
        await websocket.send_text(user)

    @app.websocket("/items/{item_id}")
    async def item(websocket: WebSocket, item_id: int) -> None:
        await websocket.accept()  # pragma: no cover

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    thread = ServerThread(build_app())
    thread.start()
    yield thread
    thread.stop()


def ws_url(server: ServerThread, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def test_echo_with_the_handshake_cookie_and_subprotocol(server: ServerThread) -> None:
    with connect(ws_url(server, "/echo"), subprotocols=["chat"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "chat"
        assert ws.response is not None
        assert ws.response.headers["Set-Cookie"] == "session=s-1; Path=/; HttpOnly; SameSite=Lax"
        assert json.loads(ws.recv()) == {"session": "s-1"}
        ws.send("hello")
        assert ws.recv() == "HELLO"


def test_an_http_exception_refuses_the_handshake_with_its_status(server: ServerThread) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(server, "/private?token=wrong"))
    response = refused.value.response
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert json.loads(response.body or b"") == {"detail": "Bad token"}
    with connect(ws_url(server, "/private?token=secret")) as ws:
        assert ws.recv() == "secret"


@pytest.mark.parametrize("path", ["/items/not-a-number", "/nowhere"])
def test_invalid_values_and_misses_are_refused_with_403(server: ServerThread, path: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(server, path))
    assert refused.value.response.status_code == 403
