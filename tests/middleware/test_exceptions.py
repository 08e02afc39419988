"""The exception layer learns that a response started from the `send` it hands on."""

from typing import Any

import anyio
import pytest

from tests._asgi import http_scope
from transom import HTTPException, Response, Transom
from transom._types import ASGIApp, Message, Receive, Scope, Send
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
