"""TestClient: requests reach the app, cookies persist, lifespan runs, errors surface."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.requests import Request
from transom.responses import JSONResponse, PlainTextResponse, Response
from transom.testclient import TestClient


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Send back, in headers so HEAD sees them too, what the request looked like."""
    if scope["type"] != "http":
        raise RuntimeError("echo does not do lifespan")
    request = Request(scope, receive)
    body = await request.body()
    response = Response(
        b"",
        headers={
            "x-method": request.method,
            "x-path": request.url.path,
            "x-query": request.url.query,
            "x-body": body.decode("latin-1"),
            "x-header": request.headers.get("x-custom", ""),
            "x-content-type": request.headers.get("content-type", ""),
        },
    )
    await response(scope, receive, send)


CALLS: list[tuple[str, Callable[[TestClient], httpx.Response], str]] = [
    ("GET", lambda c: c.get("/get?x=1", headers={"X-Custom": "a"}), ""),
    ("HEAD", lambda c: c.head("/head?x=1", headers={"X-Custom": "a"}), ""),
    ("OPTIONS", lambda c: c.options("/options?x=1", headers={"X-Custom": "a"}), ""),
    ("DELETE", lambda c: c.delete("/delete", params={"x": "1"}, headers={"X-Custom": "a"}), ""),
    (
        "POST",
        lambda c: c.post("/post?x=1", content=b"payload", headers={"X-Custom": "a"}),
        "payload",
    ),
    ("PUT", lambda c: c.put("/put?x=1", content=b"payload", headers={"X-Custom": "a"}), "payload"),
    (
        "PATCH",
        lambda c: c.patch(
            "/patch", params={"x": "1"}, content="payload", headers={"X-Custom": "a"}
        ),
        "payload",
    ),
]


@pytest.mark.parametrize(("method", "call", "body"), CALLS, ids=[method for method, _, _ in CALLS])
def test_method_path_query_body_and_headers_reach_the_app(
    method: str, call: Callable[[TestClient], httpx.Response], body: str
) -> None:
    response = call(TestClient(echo))
    assert response.status_code == 200
    assert response.headers["x-method"] == method
    assert response.headers["x-path"] == f"/{method.lower()}"
    assert response.headers["x-query"] == "x=1"
    assert response.headers["x-body"] == body
    assert response.headers["x-header"] == "a"


def test_json_and_form_bodies_reach_the_app() -> None:
    client = TestClient(echo)
    sent = client.post("/", json={"a": 1})
    assert sent.headers["x-body"] == '{"a":1}'
    assert sent.headers["x-content-type"] == "application/json"
    sent = client.post("/", data={"a": "1 2"})
    assert sent.headers["x-body"] == "a=1+2"
    assert sent.headers["x-content-type"] == "application/x-www-form-urlencoded"


def test_scope_looks_like_a_server_built_it() -> None:
    scopes: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)
        await Response()(scope, receive, send)

    TestClient(app, headers={"X-Default": "d"}).get("/a%20b/c?q=%C3%A9")
    scope = scopes[0]
    assert scope["type"] == "http"
    assert scope["http_version"] == "1.1"
    assert scope["method"] == "GET"
    assert scope["scheme"] == "http"
    assert scope["path"] == "/a b/c"
    assert scope["raw_path"] == b"/a%20b/c"
    assert scope["query_string"] == b"q=%C3%A9"
    assert scope["root_path"] == ""
    assert scope["client"] == ("testclient", 50000)
    assert scope["server"] == ("testserver", 80)
    assert scope["state"] == {}
    headers = dict(scope["headers"])
    assert headers[b"host"] == b"testserver"
    assert headers[b"user-agent"] == b"testclient"
    assert headers[b"x-default"] == b"d"
    assert all(name == name.lower() for name, _ in scope["headers"])


def test_base_url_root_path_and_client_options() -> None:
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        seen.append((str(request.url), scope["server"], request.client))
        await Response()(scope, receive, send)

    client = TestClient(
        app, base_url="https://example.com", root_path="/api", client=("10.1.2.3", 1234)
    )
    client.get("/users")
    assert seen == [("https://example.com/api/users", ("example.com", 443), ("10.1.2.3", 1234))]


def test_cookie_jar_persists_across_requests() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = JSONResponse(request.cookies)
        if request.url.path == "/login":
            response.set_cookie("sid", "abc")
        elif request.url.path == "/logout":
            response.delete_cookie("sid")
        await response(scope, receive, send)

    client = TestClient(app, cookies={"theme": "dark"})
    assert client.get("/").json() == {"theme": "dark"}
    assert client.get("/login").json() == {"theme": "dark"}
    assert client.cookies["sid"] == "abc"
    assert client.get("/").json() == {"theme": "dark", "sid": "abc"}
    assert client.get("/logout").json() == {"theme": "dark", "sid": "abc"}
    assert client.get("/").json() == {"theme": "dark"}


# --- lifespan --------------------------------------------------------------------------------


def lifespan_app(events: list[str], fail: str | None = None) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                step = message["type"].removeprefix("lifespan.")
                events.append(step)
                if step == "startup":
                    scope["state"]["db"] = "connection"
                if step == fail:
                    await send({"type": f"lifespan.{step}.failed", "message": f"{step} boom"})
                    return
                await send({"type": f"lifespan.{step}.complete"})
                if step == "shutdown":
                    return
        request = Request(scope, receive)
        events.append(f"request {request.url.path}")
        seen = dict(scope["state"])
        request.state.touched = True
        await JSONResponse(seen)(scope, receive, send)

    return app


def test_with_block_runs_startup_and_shutdown_around_requests() -> None:
    events: list[str] = []
    with TestClient(lifespan_app(events)) as client:
        assert events == ["startup"]
        client.get("/one")
        client.get("/two")
        assert events == ["startup", "request /one", "request /two"]
    assert events == ["startup", "request /one", "request /two", "shutdown"]


def test_lifespan_state_is_copied_into_each_request() -> None:
    with TestClient(lifespan_app([])) as client:
        assert client.get("/").json() == {"db": "connection"}
        # The first request set state.touched on its own copy only.
        assert client.get("/").json() == {"db": "connection"}
        assert client.app_state == {"db": "connection"}


def test_without_with_block_there_is_no_lifespan() -> None:
    events: list[str] = []
    assert TestClient(lifespan_app(events)).get("/").json() == {}
    assert events == ["request /"]


def test_startup_failure_raises_on_enter() -> None:
    events: list[str] = []
    with (
        pytest.raises(RuntimeError, match="Lifespan startup failed: startup boom"),
        TestClient(lifespan_app(events, fail="startup")),
    ):
        events.append("body")  # must not run
    assert events == ["startup"]


def test_shutdown_failure_raises_on_exit() -> None:
    events: list[str] = []
    with (
        pytest.raises(RuntimeError, match="Lifespan shutdown failed: shutdown boom"),
        TestClient(lifespan_app(events, fail="shutdown")) as client,
    ):
        client.get("/")
    assert events == ["startup", "request /", "shutdown"]


@pytest.mark.parametrize("how", ["raises", "returns"])
def test_app_without_lifespan_support_works_in_with(how: str) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if how == "raises":
                raise RuntimeError("only http")
            return
        await PlainTextResponse("ok")(scope, receive, send)

    with TestClient(app) as client:
        assert client.get("/").text == "ok"
        assert client.get("/").text == "ok"


def test_requests_in_a_with_block_share_one_event_loop() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            loops.append(asyncio.get_running_loop())
            await Response()(scope, receive, send)

    with TestClient(app) as client:
        client.get("/")
        client.get("/")
    assert len(loops) == 2
    assert loops[0] is loops[1]


# --- errors ----------------------------------------------------------------------------------


async def crash(scope: Scope, receive: Receive, send: Send) -> None:
    raise ValueError("the app crashed")


async def crash_after_start(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"partial", "more_body": True})
    raise ValueError("the app crashed mid-response")


async def silent(scope: Scope, receive: Receive, send: Send) -> None:
    return None


def test_server_exceptions_are_raised_by_default() -> None:
    with pytest.raises(ValueError, match="the app crashed"):
        TestClient(crash).get("/")


def test_server_exceptions_become_500_when_not_raised() -> None:
    response = TestClient(crash, raise_server_exceptions=False).get("/")
    assert response.status_code == 500
    assert response.content == b""


def test_crash_after_the_response_started_keeps_what_was_sent() -> None:
    with pytest.raises(ValueError, match="mid-response"):
        TestClient(crash_after_start).get("/")
    response = TestClient(crash_after_start, raise_server_exceptions=False).get("/")
    assert response.status_code == 200
    assert response.content == b"partial"


def test_app_that_sends_no_response() -> None:
    with pytest.raises(RuntimeError, match="returned without sending a response"):
        TestClient(silent).get("/")
    assert TestClient(silent, raise_server_exceptions=False).get("/").status_code == 500


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        (
            [
                {"type": "http.response.start", "status": 200},
                {"type": "http.response.start", "status": 200},
            ],
            "sent 'http.response.start' twice",
        ),
        ([{"type": "http.response.body", "body": b"x"}], "sent a body before"),
        (
            [
                {"type": "http.response.start", "status": 200},
                {"type": "http.response.body", "body": b"x"},
                {"type": "http.response.body", "body": b"y"},
            ],
            "sent a body after the response was complete",
        ),
    ],
)
def test_protocol_errors_are_reported(messages: list[Message], error: str) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for message in messages:
            await send(message)

    with pytest.raises(RuntimeError, match=error):
        TestClient(app).get("/")


def test_receive_reports_disconnect_after_the_response() -> None:
    received: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        received.append((await receive())["type"])
        await Response(b"done")(scope, receive, send)
        received.append((await receive())["type"])

    assert TestClient(app).get("/").content == b"done"
    assert received == ["http.request", "http.disconnect"]


def test_importing_the_test_client_without_httpx_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['httpx'] = None  # as if httpx were not installed\n"
        "try:\n"
        "    import transom.testclient\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error.name, error, sep='|')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == (
        "ModuleNotFoundError|httpx|transom.testclient needs httpx, which Transom's `test` "
        "extra installs: pip install 'transom[test]' (or pip install httpx).\n"
    )
