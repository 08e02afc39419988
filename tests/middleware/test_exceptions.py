"""The exception layer learns that a response started from the `send` it hands on."""

import logging
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from tests._asgi import http_scope
from transom import HTTPException, Request, Response, Transom
from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.middleware.cors import CORSMiddleware
from transom.testclient import TestClient


class StartsThenFails(Response):
    """A user response class with its own `__call__` that fails after starting."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise HTTPException(409)


def foreign_app(scope: Scope, receive: Receive, send: Send) -> Any:
    async def run() -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise HTTPException(409)

    return run()


def apps() -> dict[str, ASGIApp]:
    returned = Transom()
    returned.add_api_route("/", lambda: StartsThenFails(), methods=["GET"])
    mounted = Transom()
    mounted.mount("/", foreign_app)
    plain = Transom()
    plain.add_route("/", lambda request: StartsThenFails())
    return {"returned response": returned, "mounted app": mounted, "plain route": plain}


@pytest.mark.parametrize("name", ["returned response", "mounted app", "plain route"])
def test_a_handled_exception_after_the_start_sends_no_second_start(name: str) -> None:
    app = apps()[name]
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(dict(message))

    async def main() -> None:
        with pytest.raises(RuntimeError, match="after the response started"):
            await app(http_scope(), receive, send)

    anyio.run(main)
    assert [message["type"] for message in sent] == ["http.response.start"]


def test_a_handled_exception_before_the_start_is_answered() -> None:
    app = Transom()

    @app.get("/")
    def fail() -> None:
        raise HTTPException(409, "taken")

    r = TestClient(app).get("/")
    assert (r.status_code, r.json()) == (409, {"detail": "taken"})


class Broken(Exception):
    pass


def failing_handler_app(*, cors: bool = False) -> Transom:
    async def on_broken(request: Any, exc: Broken) -> Response:
        raise RuntimeError("the handler itself fails")

    app = Transom(exception_handlers={Broken: on_broken})
    if cors:
        app.add_middleware(CORSMiddleware, allow_origins=["https://spa.example"])

    @app.get("/")
    def broken() -> None:
        raise Broken

    return app


def test_an_exception_handler_that_raises_gets_the_apps_own_500_left_to_the_server_to_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = TestClient(failing_handler_app(cors=True), raise_server_exceptions=False)
    with caplog.at_level(logging.DEBUG, logger="transom"):
        r = client.get("/", headers={"origin": "https://spa.example"})
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert r.headers["access-control-allow-origin"] == "https://spa.example"
    # Re-raised for the server to log (once, tests/middleware/test_errors_server.py).
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


def test_an_exception_handler_that_raises_surfaces_under_the_test_client() -> None:
    with pytest.raises(RuntimeError, match="the handler itself fails") as excinfo:
        TestClient(failing_handler_app()).get("/")
    assert excinfo.value.__notes__ == ["Request: GET / (answered with a 500)."]


def test_a_failing_500_handler_falls_back_to_the_plain_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def on_error(request: Any, exc: Exception) -> Response:
        raise RuntimeError("the 500 handler fails too")

    app = Transom(exception_handlers={Exception: on_error})
    app.get("/")(lambda: 1 / 0)
    r = TestClient(app, raise_server_exceptions=False).get("/")
    assert (r.status_code, r.text) == (500, "Internal Server Error")


def websocket_scope(path: str = "/") -> Scope:
    return {**http_scope(path=path), "type": "websocket", "scheme": "ws", "subprotocols": []}


async def handshake(app: ASGIApp, path: str = "/") -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(dict(message))

    await app(websocket_scope(path), receive, send)
    return sent


@pytest.mark.parametrize("path", ["/", "/items/1", "/nowhere"])
def test_a_websocket_handshake_is_refused_quietly(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = Transom()
    app.get("/")(lambda: 1)
    app.get("/items/{item_id}")(lambda item_id: item_id)
    with caplog.at_level(logging.DEBUG):
        sent = anyio.run(handshake, app, path)
    assert [message["type"] for message in sent] == ["websocket.close"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_mounted_app_still_gets_websocket_handshakes() -> None:
    async def accepts(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "websocket.accept"})

    app = Transom()
    app.mount("/ws", accepts)
    sent = anyio.run(handshake, app, "/ws/chat")
    assert sent == [{"type": "websocket.accept"}]


def test_a_client_disconnect_during_the_body_read_logs_nothing_and_sends_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Transom()

    @app.post("/")
    def create(item: dict[str, int]) -> dict[str, int]:
        raise AssertionError("not reached")  # pragma: no cover

    messages: Iterator[Message] = iter(
        [
            {"type": "http.request", "body": b'{"a": ', "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[Message] = []

    async def receive() -> Message:
        return next(messages)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {**http_scope("POST"), "headers": [(b"content-type", b"application/json")]}
    with caplog.at_level(logging.DEBUG, logger="transom"):
        anyio.run(app, scope, receive, send)
    assert sent == []
    assert [r for r in caplog.records if r.levelno > logging.DEBUG] == []


def test_a_custom_handler_can_hand_on_to_the_defaults_from_transom_exception_handlers() -> None:
    from transom.exception_handlers import (
        http_exception_handler,
        request_validation_exception_handler,
    )
    from transom.exceptions import RequestValidationError

    seen: list[str] = []
    app = Transom()

    @app.exception_handler(HTTPException)
    async def logged_http(request: Request, exc: HTTPException) -> Response:
        seen.append(f"http {exc.status_code}")
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def logged_validation(request: Request, exc: RequestValidationError) -> Response:
        seen.append("validation")
        return await request_validation_exception_handler(request, exc)

    @app.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        if item_id == 3:
            raise HTTPException(418, "Nope! I don't like 3.", headers={"X-Why": "three"})
        return {"item_id": item_id}

    client = TestClient(app)
    r = client.get("/items/3")
    assert (r.status_code, r.content) == (418, b'{"detail":"Nope! I don\'t like 3."}')
    assert r.headers["x-why"] == "three"
    r = client.get("/items/x")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["path", "item_id"]
    assert seen == ["http 418", "validation"]
