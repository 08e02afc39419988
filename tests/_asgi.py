"""Helpers shared by the tests: serve one response, or call an ASGI app by hand."""

from __future__ import annotations

from typing import Any

import anyio
import httpx

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.responses import Response
from transom.testclient import TestClient


def serve(response: Response) -> ASGIApp:
    """An ASGI app that answers every http request with `response`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        await response(scope, receive, send)

    return app


def fetch(response: Response, method: str = "GET", **kwargs: Any) -> httpx.Response:
    """What a client sees when `response` answers a `method` request for `/`."""
    client = TestClient(serve(response), follow_redirects=False)
    try:
        return client.request(method, "/", **kwargs)
    finally:
        client.close()


def http_scope(method: str = "GET", path: str = "/") -> Scope:
    return {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
    }


async def call_raw(
    app: ASGIApp, method: str = "GET", disconnect: bool = False, scope: Scope | None = None
) -> list[Message]:
    """Call `app` once and return every message it sent, exactly as sent.

    The receive channel delivers an empty request body, then either waits until
    the app is done or (with `disconnect`) reports a client disconnect. The
    scope is `http_scope(method)` unless one is given.
    """
    sent: list[Message] = []
    delivered = False
    done = anyio.Event()

    async def receive() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": b"", "more_body": False}
        if not disconnect:
            await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(dict(message))

    try:
        await app(http_scope(method) if scope is None else scope, receive, send)
    finally:
        done.set()
    return sent
