"""WebSockets: endpoints, parameters and dependencies, the handshake as a response, errors."""

import json
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import anyio
import pytest

from transom import (
    APIRouter,
    BackgroundTasks,
    Cookie,
    Depends,
    Header,
    HTTPException,
    PlainTextResponse,
    Query,
    Response,
    Transom,
    WebSocket,
    WebSocketDisconnect,
    WebSocketException,
    status,
)
from transom._types import Message
from transom.exceptions import (
    DeclarationError,
    HeaderError,
    WebSocketDisconnected,
    WebSocketRequestValidationError,
)
from transom.http.websocket import check_close_reason, clip_close_reason
from transom.testclient import TestClient, WebSocketDenialResponse
from transom.websockets import WebSocketClose, WebSocketState


def client_for(app: Transom, **options: Any) -> TestClient:
    return TestClient(app, **options)


def refusal(app: Transom, path: str, subprotocols: list[str] | None = None) -> WebSocketDisconnect:
    """How the app refuses a handshake for `path` (entering the session raises)."""
    session = client_for(app).websocket_connect(path, subprotocols)
    with pytest.raises(WebSocketDisconnect) as closed, session:
        pass  # pragma: no cover
    return closed.value


def close_after_accept(app: Transom, path: str = "/ws") -> WebSocketDisconnect:
    """How the app closes a connection it accepted, as the next receive sees it."""
    session = client_for(app).websocket_connect(path)
    with session as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_text()
    return closed.value


# --- messages ---------------------------------------------------------------------------


def echo_app() -> Transom:
    app = Transom()

    @app.websocket("/text")
    async def text(websocket: WebSocket) -> None:
        await websocket.accept()
        async for message in websocket.iter_text():
            await websocket.send_text(f"echo {message}")

    @app.websocket("/bytes")
    async def binary(websocket: WebSocket) -> None:
        await websocket.accept()
        async for data in websocket.iter_bytes():
            await websocket.send_bytes(data[::-1])

    @app.websocket("/json")
    async def as_json(websocket: WebSocket) -> None:
        await websocket.accept()
        async for data in websocket.iter_json():
            await websocket.send_json({"got": data, "ünï": "cødé"})

    @app.websocket("/json-binary")
    async def json_binary(websocket: WebSocket) -> None:
        await websocket.accept()
        data = await websocket.receive_json(mode="binary")
        await websocket.send_json(data, mode="binary")
        await websocket.close(status.WS_1001_GOING_AWAY, "bye")

    return app


def test_text_messages_echo_until_the_client_leaves() -> None:
    with client_for(echo_app()).websocket_connect("/text") as ws:
        ws.send_text("one")
        assert ws.receive_text() == "echo one"
        ws.send_text("two")
        assert ws.receive_text() == "echo two"


def test_binary_messages() -> None:
    with client_for(echo_app()).websocket_connect("/bytes") as ws:
        ws.send_bytes(b"\x00\x01\xff")
        assert ws.receive_bytes() == b"\xff\x01\x00"


def test_json_messages_are_compact_utf8() -> None:
    with client_for(echo_app()).websocket_connect("/json") as ws:
        ws.send_json({"a": [1, 2]})
        message = ws.receive()
        assert message["text"] == '{"got":{"a":[1,2]},"ünï":"cødé"}'


def test_json_in_binary_messages_and_a_close_with_reason() -> None:
    with client_for(echo_app()).websocket_connect("/json-binary") as ws:
        ws.send_json([1, "x"], mode="binary")
        assert ws.receive_json(mode="binary") == [1, "x"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (1001, "bye")


def test_a_binary_message_where_text_is_expected_closes_with_1003() -> None:
    with client_for(echo_app()).websocket_connect("/text") as ws:
        ws.send_bytes(b"raw")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1003
    assert closed.value.reason == "Expected a text message, got binary."


def test_text_where_bytes_are_expected_closes_with_1003() -> None:
    with client_for(echo_app()).websocket_connect("/bytes") as ws:
        ws.send_text("text")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
    assert closed.value.reason == "Expected a binary message, got text."


def test_a_message_that_is_not_json_closes_with_1007() -> None:
    with client_for(echo_app()).websocket_connect("/json") as ws:
        ws.send_text("{not json")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert (closed.value.code, closed.value.reason) == (1007, "The message is not valid JSON.")


def test_json_mode_must_be_text_or_binary() -> None:
    app = Transom()
    seen: list[str] = []

    @app.websocket("/")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        for call in (websocket.receive_json(mode="x"), websocket.send_json(1, mode="x")):  # type: ignore[arg-type]
            try:
                await call
            except ValueError as exc:
                seen.append(str(exc))
        await websocket.close()

    with client_for(app).websocket_connect("/") as ws, pytest.raises(WebSocketDisconnect):
        ws.receive_text()
    assert seen == ["mode must be 'text' or 'binary', got 'x'."] * 2


# --- the handshake ----------------------------------------------------------------------


def test_accept_with_a_subprotocol_the_client_offered_and_headers() -> None:
    app = Transom()

    @app.websocket("/")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept("chat.v2", headers=[(b"X-Server", b"transom")])
        await websocket.send_text(",".join(websocket.scope["subprotocols"]))

    with client_for(app).websocket_connect("/", ["chat.v1", "chat.v2"]) as ws:
        assert ws.accepted_subprotocol == "chat.v2"
        assert ws.extra_headers == [(b"x-server", b"transom")]
        assert ws.receive_text() == "chat.v1,chat.v2"


def test_accepting_a_subprotocol_the_client_did_not_offer_raises() -> None:
    app = Transom()

    @app.websocket("/")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept("other")

    expected = r"Cannot accept subprotocol 'other': the client offered \['a'\]"
    with pytest.raises(ValueError, match=expected):
        refusal(app, "/", ["a"])


def test_accept_headers_are_checked() -> None:
    app = Transom()

    @app.websocket("/")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept(headers={"X-Bad": "a\r\nb"})

    with pytest.raises(HeaderError), client_for(app).websocket_connect("/"):
        pass  # pragma: no cover


def test_the_temporal_response_is_sent_with_the_handshake() -> None:
    app = Transom()

    def session(response: Response) -> str:
        response.set_cookie("session", "abc", httponly=True)
        response.headers["X-Trace"] = "from-dependency"
        return "abc"

    @app.websocket("/")
    async def endpoint(
        websocket: WebSocket, response: Response, token: Annotated[str, Depends(session)]
    ) -> None:
        response.headers["X-Handler"] = "yes"
        await websocket.accept(headers={"X-Trace": "from-accept"})
        await websocket.send_text(token)

    with client_for(app).websocket_connect("/") as ws:
        assert ws.extra_headers == [
            (b"x-trace", b"from-accept"),
            (b"set-cookie", b"session=abc; Path=/; HttpOnly; SameSite=Lax"),
            (b"x-handler", b"yes"),
        ]
        assert ws.receive_text() == "abc"


def test_the_temporal_response_is_frozen_once_accepted() -> None:
    app = Transom()
    errors: list[str] = []

    @app.websocket("/")
    async def endpoint(websocket: WebSocket, response: Response) -> None:
        await websocket.accept()
        try:
            response.set_cookie("late", "1")
        except RuntimeError as exc:
            errors.append(type(exc).__name__)
        await websocket.close()

    with client_for(app).websocket_connect("/") as ws, pytest.raises(WebSocketDisconnect):
        ws.receive_text()
    assert errors == ["ResponseStartedError"]


def test_the_handshake_carries_the_client_cookies_headers_and_query() -> None:
    app = Transom()

    @app.websocket("/items/{item_id}")
    async def endpoint(
        websocket: WebSocket,
        item_id: int,
        q: Annotated[list[str], Query()],
        user_agent: Annotated[str, Header()],
        session: Annotated[str | None, Cookie()] = None,
    ) -> None:
        await websocket.accept()
        await websocket.send_json(
            {
                "item_id": item_id,
                "q": q,
                "ua": user_agent,
                "session": session,
                "url": str(websocket.url),
                "path_params": websocket.path_params,
                "cookies": websocket.cookies,
            }
        )

    client = client_for(app, cookies={"session": "s1"})
    with client.websocket_connect("/items/7?q=a&q=b") as ws:
        assert ws.receive_json() == {
            "item_id": 7,
            "q": ["a", "b"],
            "ua": "testclient",
            "session": "s1",
            "url": "ws://testserver/items/7?q=a&q=b",
            "path_params": {"item_id": "7"},
            "cookies": {"session": "s1"},
        }


def test_an_invalid_parameter_closes_with_1008_before_accept() -> None:
    app = Transom()

    @app.websocket("/items/{item_id}")
    async def endpoint(websocket: WebSocket, item_id: int, token: str) -> None:
        await websocket.accept()  # pragma: no cover

    closed = refusal(app, "/items/x")
    assert closed.code == status.WS_1008_POLICY_VIOLATION
    assert closed.reason == (
        "path.item_id: Input should be a valid integer, unable to parse string as an integer"
        " (+1 more)"
    )


def test_the_validation_error_names_the_route_and_a_handler_can_replace_the_close() -> None:
    app = Transom()
    seen: list[str] = []

    @app.exception_handler(WebSocketRequestValidationError)
    async def handler(websocket: WebSocket, exc: WebSocketRequestValidationError) -> None:
        seen.append(str(exc))
        await websocket.close(4000, "bad request")

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket, limit: int) -> None:
        pass  # pragma: no cover

    closed = refusal(app, "/ws?limit=many")
    assert (closed.code, closed.reason) == (4000, "bad request")
    assert seen[0].startswith("websocket /ws (")
    assert "endpoint): 1 validation error:" in seen[0]
    assert seen[0].endswith(", in endpoint\n    WS /ws")


def test_an_http_exception_before_accept_refuses_the_handshake_with_its_status() -> None:
    app = Transom()

    def auth(response: Response, token: str | None = None) -> str:
        response.set_cookie("attempt", "1")
        response.delete_cookie("old")
        response.headers["X-Trace"] = "t1"
        if token != "secret":
            raise HTTPException(401, "Bad token", headers={"WWW-Authenticate": "Bearer"})
        return token

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket, user: Annotated[str, Depends(auth)]) -> None:
        await websocket.accept()
        await websocket.send_text(user)

    response = refusal(app, "/ws?token=wrong")
    assert isinstance(response, WebSocketDenialResponse)
    assert response.status_code == 401
    assert response.json() == {"detail": "Bad token"}
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["x-trace"] == "t1"
    # T7: the cookie the request set is dropped from the error; the deletion stays.
    assert response.headers.get_list("set-cookie") == [
        "old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; SameSite=Lax"
    ]
    with client_for(app).websocket_connect("/ws?token=secret") as ws:
        assert ws.receive_text() == "secret"


def test_an_http_exception_after_accept_closes_with_1008_and_its_detail() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        raise HTTPException(403, "Not yours")

    closed = close_after_accept(app)
    assert (closed.code, closed.reason) == (1008, "Not yours")


def test_a_handler_response_for_a_server_error_after_accept_closes_with_1011() -> None:
    app = Transom()

    class Broken(Exception):
        pass

    @app.exception_handler(Broken)
    async def handler(websocket: WebSocket, exc: Broken) -> Response:
        return Response(status_code=503)

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        raise Broken()

    closed = close_after_accept(app)
    assert (closed.code, closed.reason) == (1011, "")


def test_a_handler_that_answers_after_the_connection_closed_sends_nothing() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.close()
        raise WebSocketException(1008)

    @app.websocket("/http")
    async def http(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.close()
        raise HTTPException(400)

    assert close_after_accept(app).code == 1000
    assert close_after_accept(app, "/http").code == 1000


def test_an_endpoint_can_refuse_with_its_own_response() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.send_denial_response(PlainTextResponse("Come back later", 503))

    response = refusal(app, "/ws")
    assert isinstance(response, WebSocketDenialResponse)
    assert (response.status_code, response.text) == (503, "Come back later")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_a_websocket_exception_closes_with_its_code_and_reason() -> None:
    app = Transom()

    @app.websocket("/before")
    async def before(websocket: WebSocket) -> None:
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, "no session")

    @app.websocket("/after")
    async def after(websocket: WebSocket) -> None:
        await websocket.accept()
        raise WebSocketException(4001, "kicked")

    client = client_for(app)
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/before"):
        pass  # pragma: no cover
    assert (closed.value.code, closed.value.reason) == (1008, "no session")
    with client.websocket_connect("/after") as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (4001, "kicked")
    assert repr(WebSocketException(1008, "x")) == "WebSocketException(code=1008, reason='x')"
    assert str(WebSocketException(1008, "x")) == "1008: x"


def test_an_unhandled_exception_reaches_the_test() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        raise KeyError("boom")

    with client_for(app).websocket_connect("/ws") as ws, pytest.raises(KeyError):
        ws.receive_text()
    quiet = client_for(app, raise_server_exceptions=False)
    with quiet.websocket_connect("/ws") as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (1011, "The app raised KeyError.")


def test_an_exception_is_re_raised_when_the_session_ends() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            await websocket.receive_text()

    # The client's close makes `receive_text` raise in the app; nothing catches it.
    with pytest.raises(WebSocketDisconnect) as raised, client_for(app).websocket_connect("/ws"):
        pass
    assert raised.value.code == 1000


def test_an_app_that_returns_without_answering_the_handshake_is_an_error() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        return

    with pytest.raises(RuntimeError, match="without accepting, closing or refusing"):
        refusal(app, "/ws")


def test_an_app_that_returns_after_accept_is_closed_normally() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()

    assert close_after_accept(app).code == 1000


def test_a_producer_stops_when_the_client_leaves() -> None:
    app = Transom()
    stopped: list[int] = []

    @app.websocket("/ticks")
    async def ticks(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            for tick in range(1_000_000):
                await websocket.send_text(str(tick))
                await anyio.sleep(0)
        except WebSocketDisconnect as exc:
            stopped.append(exc.code)

    with client_for(app).websocket_connect("/ticks") as ws:
        assert ws.receive_text() == "0"
    assert stopped == [1006]


def test_an_app_waiting_on_something_else_is_stopped_when_the_client_leaves() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await anyio.Event().wait()

    with client_for(app).websocket_connect("/ws") as ws:
        assert ws.receive_text() == "hello"


# --- state rules --------------------------------------------------------------------------


def test_the_connection_refuses_use_out_of_order() -> None:
    app = Transom()
    seen: list[str] = []

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        assert websocket.client_state is WebSocketState.CONNECTING
        try:
            await websocket.receive_text()
        except WebSocketDisconnected as exc:
            seen.append(str(exc))
        try:
            await websocket.send({"type": "websocket.send", "text": "early"})
        except RuntimeError as exc:
            seen.append(str(exc))
        await websocket.accept()
        assert websocket.application_state is WebSocketState.CONNECTED
        try:
            await websocket.send_denial_response(Response(status_code=400))
        except RuntimeError as exc:
            seen.append(str(exc)[:40])
        with pytest.raises(WebSocketDisconnect):
            await websocket.receive_text()
        try:
            await websocket.receive_text()
        except WebSocketDisconnected as exc:
            seen.append(str(exc))
        with pytest.raises(WebSocketDisconnect):  # the client is gone: the server says so
            await websocket.close()
        try:
            await websocket.send_text("late")
        except WebSocketDisconnected as exc:
            seen.append(str(exc))

    with client_for(app).websocket_connect("/ws") as ws:
        ws.close(1001)
    assert seen == [
        "This WebSocket is not connected: call accept() first, and not after close().",
        "Expected the ASGI message 'websocket.accept' or 'websocket.close' or "
        "'websocket.http.response.start', got 'websocket.send'.",
        "Cannot send a denial response: the serve",
        "Cannot receive: the client already disconnected from this WebSocket.",
        "Cannot send: this WebSocket is already closed.",
    ]


async def drive(app: Any, scope: dict[str, Any], incoming: list[Message]) -> list[Message]:
    """Run `app` on a WebSocket scope, feeding `incoming`, and return what it sent."""
    sent: list[Message] = []
    queue = list(incoming)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        await anyio.sleep_forever()
        raise AssertionError  # pragma: no cover

    async def send(message: Message) -> None:
        sent.append(message)

    with anyio.fail_after(5):
        await app(scope, receive, send)
    return sent


def ws_scope(path: str = "/", **extra: Any) -> dict[str, Any]:
    return {
        "type": "websocket",
        "scheme": "ws",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "subprotocols": [],
        **extra,
    }


def test_without_the_denial_extension_an_http_exception_closes_with_1008() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        raise HTTPException(401)

    connect: list[Message] = [{"type": "websocket.connect"}]
    sent = anyio.run(drive, app, ws_scope("/ws"), connect)
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": "Unauthorized"}]


def test_the_client_state_follows_the_messages_received() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.receive()
        await websocket.receive()

    early: list[Message] = [{"type": "websocket.receive", "text": "x"}]
    with pytest.raises(RuntimeError, match=r"Expected the ASGI message 'websocket\.connect'"):
        anyio.run(drive, app, ws_scope("/ws"), early)


def test_a_server_that_finds_the_client_gone_gives_a_1006_disconnect() -> None:
    async def run() -> list[int]:
        async def receive() -> Message:
            return {"type": "websocket.connect"}

        async def send(message: Message) -> None:
            if message["type"] == "websocket.send":
                raise ConnectionResetError

        codes = []
        for binary in (False, True):
            websocket = WebSocket(ws_scope(), receive, send)
            await websocket.accept()
            sending = websocket.send_bytes(b"x") if binary else websocket.send_text("x")
            with pytest.raises(WebSocketDisconnect) as gone:
                await sending
            assert websocket.application_state is WebSocketState.DISCONNECTED
            codes.append(gone.value.code)
        return codes

    assert anyio.run(run) == [1006, 1006]


def test_messages_out_of_order_while_connected_are_refused() -> None:
    app = Transom()
    seen: list[str] = []

    @app.websocket("/raw")
    async def raw(websocket: WebSocket) -> None:
        await websocket.receive()  # the connect, taken by hand
        await websocket.accept()
        seen.append((await websocket.receive())["text"])
        for call in (websocket.receive, websocket.receive_text):
            try:
                await call()
            except RuntimeError as exc:
                seen.append(str(exc))
        seen.append((await websocket.receive())["type"])
        assert websocket.client_state is WebSocketState.DISCONNECTED

    connect: Message = {"type": "websocket.connect"}
    incoming: list[Message] = [
        connect,
        {"type": "websocket.receive", "text": "one"},
        connect,
        connect,
        {"type": "websocket.disconnect", "code": 1000},
    ]
    anyio.run(drive, app, ws_scope("/raw"), incoming)
    expected = (
        "Expected the ASGI message 'websocket.disconnect' or 'websocket.receive', got "
        "'websocket.connect'."
    )
    assert seen == ["one", expected, expected, "websocket.disconnect"]


def test_a_websocket_needs_a_websocket_scope() -> None:
    async def nothing() -> Message:
        raise AssertionError  # pragma: no cover

    async def discard(message: Message) -> None:
        raise AssertionError  # pragma: no cover

    with pytest.raises(ValueError, match="WebSocket needs a 'websocket' scope, got 'http'"):
        WebSocket({"type": "http"}, nothing, discard)


def test_close_reasons_fit_a_close_frame() -> None:
    assert check_close_reason("x" * 123) == "x" * 123
    with pytest.raises(ValueError, match="at most 123 bytes of UTF-8, got 124 bytes"):
        check_close_reason("é" * 62)
    with pytest.raises(ValueError, match="at most 123 bytes"):
        WebSocketException(1008, "x" * 200)
    assert clip_close_reason("short") == "short"
    clipped = clip_close_reason("é" * 100)
    assert clipped.endswith("...")
    assert len(clipped.encode()) <= 123
    assert str(WebSocketDisconnect(1001)) == "1001"
    assert str(WebSocketDisconnect(1001, "away")) == "1001: away"


def test_websocket_close_is_an_app_that_refuses() -> None:
    sent = anyio.run(drive, WebSocketClose(4003, "go"), ws_scope(), [])
    assert sent == [{"type": "websocket.close", "code": 4003, "reason": "go"}]


# --- routing ------------------------------------------------------------------------------


def test_routers_prefixes_dependencies_and_plain_routes() -> None:
    def tag(name: str) -> Any:
        def add(deps: Annotated[list[str], Depends(lambda: [])]) -> None:
            deps.append(name)

        return Depends(add)

    app = Transom(dependencies=[tag("app")])
    router = APIRouter(prefix="/chat", dependencies=[tag("router")])

    @router.websocket("/{room}", name="room", dependencies=[tag("route")])
    async def room(websocket: WebSocket, room: str) -> None:
        await websocket.accept()
        await websocket.send_text(room)

    @router.websocket_route("/plain/raw")
    async def raw(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("plain")

    @app.websocket_route("/top")
    async def top(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("top")

    app.include_router(router, prefix="/v1", dependencies=[tag("include")])
    client = client_for(app)
    with client.websocket_connect("/v1/chat/lobby") as ws:
        assert ws.receive_text() == "lobby"
    with client.websocket_connect("/v1/plain/raw") as ws:
        assert ws.receive_text() == "plain"
    with client.websocket_connect("/top") as ws:
        assert ws.receive_text() == "top"
    assert app.url_path_for("room", room="x") == "/v1/chat/x"


def test_dependencies_run_outermost_first() -> None:
    calls: list[str] = []

    def make(name: str) -> Any:
        def dependency() -> None:
            calls.append(name)

        return Depends(dependency)

    app = Transom(dependencies=[make("app")])
    router = APIRouter(dependencies=[make("router")])

    @router.websocket("/ws", dependencies=[make("route")])
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.close()

    app.include_router(router, dependencies=[make("include")])
    with pytest.raises(WebSocketDisconnect), client_for(app).websocket_connect("/ws") as ws:
        ws.receive_text()
    assert calls == ["app", "include", "router", "route"]


def test_a_miss_refuses_the_handshake_and_http_never_matches_a_websocket_route() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        pass  # pragma: no cover

    @app.websocket("/items/{item_id}")
    async def item(websocket: WebSocket, item_id: str) -> None:
        pass  # pragma: no cover

    @app.get("/http")
    def http_only() -> str:
        return "http"

    client = client_for(app)
    for path in ("/nowhere", "/http", "/items/1/more"):
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(path):
            pass  # pragma: no cover
        assert closed.value.code == status.WS_1000_NORMAL_CLOSURE
    assert client.get("/ws").status_code == 404
    assert client.get("/items/1").status_code == 404
    assert client.post("/http").headers["allow"] == "GET"


def test_dependency_overrides_apply_to_websocket_routes() -> None:
    app = Transom()

    def source() -> str:
        return "real"

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket, value: Annotated[str, Depends(source)]) -> None:
        await websocket.accept()
        await websocket.send_text(value)

    client = client_for(app)
    app.dependency_overrides[source] = lambda: "override"
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "override"
    app.dependency_overrides.clear()
    with client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "real"


def test_yield_dependencies_close_when_the_endpoint_returns_and_tasks_run_after() -> None:
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        events.append("open")
        yield "db"
        events.append("close")

    def scoped() -> Iterator[str]:
        events.append("open function")
        yield "fn"
        events.append("close function")

    app = Transom()

    @app.websocket("/ws")
    async def endpoint(
        websocket: WebSocket,
        tasks: BackgroundTasks,
        response: Response,
        db: Annotated[str, Depends(resource)],
        fn: Annotated[str, Depends(scoped, scope="function")],
    ) -> None:
        tasks.add_task(events.append, "task")
        response.background = None
        await websocket.accept()
        await websocket.send_text(db + fn)
        events.append("endpoint done")

    with client_for(app).websocket_connect("/ws") as ws:
        assert ws.receive_text() == "dbfn"
    assert events == [
        "open",
        "open function",
        "endpoint done",
        "close function",
        "close",
        "task",
    ]


def test_a_request_scoped_yield_dependency_cannot_use_a_function_scoped_one() -> None:
    def inner() -> Iterator[str]:
        yield "inner"

    def outer(value: Annotated[str, Depends(inner, scope="function")]) -> Iterator[str]:
        yield value

    def plain(value: Annotated[str, Depends(inner, scope="function")]) -> str:
        return value

    app = Transom()
    expected = (
        r'websocket /ws: dependency test_.*outer: The dependency "outer" has a scope of '
        r'"request", it cannot depend on dependencies with scope "function"'
    )
    with pytest.raises(DeclarationError, match=expected):

        @app.websocket("/ws")
        async def endpoint(websocket: WebSocket, value: Annotated[str, Depends(outer)]) -> None:
            pass  # pragma: no cover

    @app.websocket("/fine")
    async def fine(websocket: WebSocket, value: Annotated[str, Depends(plain)]) -> None:
        await websocket.accept()
        await websocket.send_text(value)

    with client_for(app).websocket_connect("/fine") as ws:
        assert ws.receive_text() == "inner"


def test_the_temporal_background_runs_after_the_endpoint() -> None:
    from transom import BackgroundTask

    events: list[str] = []
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket, response: Response) -> None:
        response.background = BackgroundTask(events.append, "background")
        await websocket.accept()
        await websocket.close()

    with pytest.raises(WebSocketDisconnect), client_for(app).websocket_connect("/ws") as ws:
        ws.receive_text()
    assert events == ["background"]


def test_a_websocket_route_cannot_read_a_body_or_be_sync() -> None:
    from pydantic import BaseModel

    class Item(BaseModel):
        name: str

    app = Transom()
    with pytest.raises(DeclarationError, match=r"websocket /ws: parameter 'item' would be read"):

        @app.websocket("/ws")
        async def endpoint(websocket: WebSocket, item: Item) -> None:
            pass  # pragma: no cover

    def sync(websocket: WebSocket) -> None:
        pass  # pragma: no cover

    with pytest.raises(DeclarationError, match=r"websocket /sync: a WebSocket endpoint must be"):
        app.websocket("/sync")(sync)
    with pytest.raises(DeclarationError, match=r"must be an async function"):
        app.websocket_route("/sync")(sync)
    with pytest.raises(ValueError, match="Route path must start with '/'"):
        app.add_api_websocket_route("", sync)


def test_sessions_open_together_share_one_loop() -> None:
    app = Transom()
    rooms: list[WebSocket] = []

    @app.websocket("/room")
    async def room(websocket: WebSocket) -> None:
        await websocket.accept()
        rooms.append(websocket)
        try:
            async for text in websocket.iter_text():
                for other in rooms:
                    await other.send_text(text)
        finally:
            rooms.remove(websocket)

    client = client_for(app)
    with client.websocket_connect("/room") as one, client.websocket_connect("/room") as two:
        assert client.get("/missing").status_code == 404  # requests share the loop too
        one.send_text("hi")
        assert one.receive_text() == "hi"
        assert two.receive_text() == "hi"
        two.close()
    assert rooms == []


def test_sessions_inside_the_client_block_use_its_loop() -> None:
    app = Transom()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(json.dumps(websocket.scope["state"]))

    with client_for(app) as client, client.websocket_connect("/ws") as ws:
        assert ws.receive_text() == "{}"


def test_a_custom_handler_gets_the_connection() -> None:
    app = Transom()

    class Denied(Exception):
        pass

    @app.exception_handler(Denied)
    async def handler(websocket: WebSocket, exc: Denied) -> None:
        await websocket.close(1002, "foo")

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        raise Denied()

    with pytest.raises(WebSocketDisconnect) as closed, client_for(app).websocket_connect("/ws"):
        pass  # pragma: no cover
    assert (closed.value.code, closed.value.reason) == (1002, "foo")
