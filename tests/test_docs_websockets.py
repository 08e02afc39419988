"""FastAPI's "WebSockets" and "Testing WebSockets" pages, ported by changing the imports
(`tests/docs_examples/`), behave as the pages say and as the same code on FastAPI."""

from collections.abc import Iterator
from contextlib import ExitStack
from types import ModuleType

import pytest

from tests._fastapi_twin import document, forget_twins, on_fastapi, seen
from tests.docs_examples import (
    testing_websockets,
    websockets_001,
    websockets_002,
    websockets_002_an,
    websockets_003,
)
from transom.testclient import TestClient
from transom.websockets import WebSocketDisconnect

PAGES = [websockets_001, websockets_002, websockets_002_an, websockets_003, testing_websockets]
DEPENDS = [websockets_002, websockets_002_an]


@pytest.fixture(scope="module", autouse=True)
def _forget_twins() -> Iterator[None]:
    yield
    forget_twins()


def name_of(module: ModuleType) -> str:
    return module.__name__.rpartition(".")[2]


@pytest.mark.parametrize("module", PAGES, ids=name_of)
def test_the_page_and_its_document_are_fastapis(module: ModuleType) -> None:
    twin = on_fastapi(module)
    ours, theirs = TestClient(module.app).get("/"), TestClient(twin.app).get("/")
    assert seen(ours) == seen(theirs)
    assert document(module.app) == document(twin.app)


# WebSockets: the echo chat -------------------------------------------------------------


def test_the_chat_page_is_the_html() -> None:
    response = TestClient(websockets_001.app).get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == websockets_001.html
    assert 'new WebSocket("ws://localhost:8000/ws")' in response.text


def test_the_chat_echoes_each_message_until_the_client_leaves() -> None:
    client = TestClient(websockets_001.app)
    # Leaving closes the connection (1000): the endpoint's receive raises, and the
    # exception that ends the endpoint reaches the test, as on FastAPI.
    with ExitStack() as stack:
        websocket = stack.enter_context(client.websocket_connect("/ws"))
        websocket.send_text("Message one")
        assert websocket.receive_text() == "Message text was: Message one"
        websocket.send_text("Message two")
        assert websocket.receive_text() == "Message text was: Message two"
        with pytest.raises(WebSocketDisconnect) as left:
            stack.close()
    assert left.value.code == 1000


# WebSockets: Using Depends and others --------------------------------------------------


def converse(client: TestClient, url: str, messages: list[str], replies: int) -> list[str]:
    """Send each message and collect `replies` texts after each; the client then leaves."""
    received: list[str] = []
    with ExitStack() as stack:
        websocket = stack.enter_context(client.websocket_connect(url))
        for message in messages:
            websocket.send_text(message)
            received += [websocket.receive_text() for _ in range(replies)]
        with pytest.raises(WebSocketDisconnect) as left:
            stack.close()
    assert left.value.code == 1000
    return received


@pytest.mark.parametrize("module", DEPENDS, ids=name_of)
def test_the_session_cookie_is_the_credential(module: ModuleType) -> None:
    client = TestClient(module.app, cookies={"session": "fakesession"})
    assert converse(client, "/items/foo/ws", ["Message one", "Message two"], 2) == [
        "Session cookie or query token value is: fakesession",
        "Message text was: Message one, for item ID: foo",
        "Session cookie or query token value is: fakesession",
        "Message text was: Message two, for item ID: foo",
    ]


@pytest.mark.parametrize("module", DEPENDS, ids=name_of)
def test_the_query_token_is_the_credential(module: ModuleType) -> None:
    client = TestClient(module.app)
    assert converse(client, "/items/bar/ws?token=some-token", ["Message one"], 2) == [
        "Session cookie or query token value is: some-token",
        "Message text was: Message one, for item ID: bar",
    ]


@pytest.mark.parametrize("module", DEPENDS, ids=name_of)
def test_the_cookie_wins_over_the_token(module: ModuleType) -> None:
    client = TestClient(module.app, cookies={"session": "fakesession"})
    assert converse(client, "/items/bar/ws?token=some-token", ["hi"], 2) == [
        "Session cookie or query token value is: fakesession",
        "Message text was: hi, for item ID: bar",
    ]


@pytest.mark.parametrize("module", DEPENDS, ids=name_of)
def test_the_query_parameter_q_is_validated_and_echoed(module: ModuleType) -> None:
    client = TestClient(module.app)
    assert converse(client, "/items/2/ws?q=3&token=some-token", ["one", "two"], 3) == [
        "Session cookie or query token value is: some-token",
        "Query parameter q is: 3",
        "Message text was: one, for item ID: 2",
        "Session cookie or query token value is: some-token",
        "Query parameter q is: 3",
        "Message text was: two, for item ID: 2",
    ]


@pytest.mark.parametrize("module", DEPENDS, ids=name_of)
def test_without_a_credential_the_handshake_is_closed_with_1008(module: ModuleType) -> None:
    for app in (module.app, on_fastapi(module).app):
        with pytest.raises(WebSocketDisconnect) as refused:
            TestClient(app).websocket_connect("/items/foo/ws").__enter__()
        assert (refused.value.code, refused.value.reason) == (1008, "")


@pytest.mark.parametrize("module", DEPENDS, ids=name_of)
def test_an_invalid_q_closes_the_handshake_with_1008_naming_the_error(module: ModuleType) -> None:
    client = TestClient(module.app)
    with pytest.raises(WebSocketDisconnect) as refused:
        client.websocket_connect("/items/foo/ws?q=bar&token=some-token").__enter__()
    # FastAPI closes with 1008 too; its reason is the list of errors, ours one line of text.
    assert refused.value.code == 1008
    assert refused.value.reason == (
        "query.q: Input should be a valid integer, unable to parse string as an integer"
    )


# WebSockets: Handling disconnections and multiple clients ------------------------------


def test_the_manager_broadcasts_and_announces_who_left() -> None:
    client = TestClient(websockets_003.app)
    assert client.get("/").text == websockets_003.html
    with (
        client.websocket_connect("/ws/1234") as first,
        client.websocket_connect("/ws/5678") as second,
    ):
        first.send_text("Hello from 1234")
        assert first.receive_text() == "You wrote: Hello from 1234"
        assert first.receive_text() == "Client #1234 says: Hello from 1234"
        assert second.receive_text() == "Client #1234 says: Hello from 1234"
        second.send_text("Hi")
        assert second.receive_text() == "You wrote: Hi"
        assert first.receive_text() == "Client #5678 says: Hi"
        assert second.receive_text() == "Client #5678 says: Hi"
        second.close()
        # The endpoint catches the disconnect and tells the others: nothing escapes.
        assert first.receive_text() == "Client #5678 left the chat"
    assert websockets_003.manager.active_connections == []


def test_a_client_id_that_is_not_an_integer_is_refused_with_1008() -> None:
    client = TestClient(websockets_003.app)
    with pytest.raises(WebSocketDisconnect) as refused:
        client.websocket_connect("/ws/me").__enter__()
    assert refused.value.code == 1008


# Testing WebSockets ---------------------------------------------------------------------


def test_read_main() -> None:
    client = TestClient(testing_websockets.app)
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"msg": "Hello World"}


def test_websocket() -> None:
    client = TestClient(testing_websockets.app)
    with client.websocket_connect("/ws") as websocket:
        data = websocket.receive_json()
        assert data == {"msg": "Hello WebSocket"}
        # The app closed after its message: the next receive says so.
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
        assert closed.value.code == 1000
