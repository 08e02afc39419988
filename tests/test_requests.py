"""Request: lazy views over a hand-built ASGI scope, and the body."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import pytest

from transom import Body, Transom
from transom._types import Message, Receive, Scope
from transom.exceptions import ClientDisconnect, InvalidJSONBody
from transom.requests import Address, Request, State
from transom.testclient import TestClient


def make_scope(**overrides: Any) -> Scope:
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"example.com")],
        "server": ("10.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
    }
    scope.update(overrides)
    return scope


class Receiver:
    """A receive channel that hands out `messages` in order and counts the calls."""

    def __init__(self, *messages: Message) -> None:
        self.messages = list(messages)
        self.calls = 0

    async def __call__(self) -> Message:
        self.calls += 1
        if not self.messages:
            raise AssertionError("receive() called after the last message")
        return self.messages.pop(0)


def body_receiver(*chunks: bytes) -> Receiver:
    last = len(chunks) - 1
    return Receiver(
        *(
            {"type": "http.request", "body": chunk, "more_body": index < last}
            for index, chunk in enumerate(chunks)
        )
    )


# --- scope views ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_method(method: str) -> None:
    assert Request(make_scope(method=method)).method == method


def test_request_needs_an_http_scope() -> None:
    with pytest.raises(ValueError, match="needs an 'http' scope, got 'websocket'"):
        Request(make_scope(type="websocket"))


def test_url_uses_host_header_path_and_query() -> None:
    request = Request(
        make_scope(
            path="/items/42",
            query_string=b"a=1&b=%20",
            headers=[(b"host", b"api.example.com:8080")],
        )
    )
    assert str(request.url) == "http://api.example.com:8080/items/42?a=1&b=%20"
    assert request.url.path == "/items/42"
    assert request.url.query == "a=1&b=%20"
    assert request.url.port == 8080
    assert request.url.hostname == "api.example.com"


def test_url_falls_back_to_server_without_host_header() -> None:
    request = Request(make_scope(headers=[], path="/x"))
    assert str(request.url) == "http://10.0.0.1:8000/x"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        (b"api.example:8443", ["http://api.example:8443/where?q=1", "api.example", 8443]),
        (b"[::1]", ["http://[::1]/where?q=1", "::1", None]),
        (b"good.example@evil.example", ["http://testserver/where?q=1", "testserver", None]),
        (b"evil.example/x?", ["http://testserver/where?q=1", "testserver", None]),
        (b"a#frag", ["http://testserver/where?q=1", "testserver", None]),
        (b"a\\b", ["http://testserver/where?q=1", "testserver", None]),
        (b"good example", ["http://testserver/where?q=1", "testserver", None]),
        (b"good.example:99999", ["http://testserver/where?q=1", "testserver", None]),
    ],
)
def test_request_url_takes_the_host_header_only_if_it_is_a_host(
    host: bytes, url: list[object]
) -> None:
    app = Transom()

    @app.get("/where")
    def where(request: Request) -> list[object]:
        return [str(request.url), request.url.hostname, request.url.port]

    r = TestClient(app, raise_server_exceptions=False).get("/where?q=1", headers={b"host": host})
    assert (r.status_code, r.json()) == (200, url)


@pytest.mark.parametrize(
    ("scope", "url", "base"),
    [
        ({"server": ("::1", 8000)}, "http://[::1]:8000/x", "http://[::1]:8000/"),
        ({"server": ("/run/app.sock", None)}, "/x", "/"),
        ({"server": None}, "/x", "/"),
        ({"server": None, "path": "//evil.example/x"}, "/.//evil.example/x", "/"),
    ],
)
def test_url_without_a_valid_host_names_the_server_or_is_relative(
    scope: dict[str, Any], url: str, base: str
) -> None:
    request = Request(
        make_scope(**{"headers": [(b"host", b"a@evil.example")], "path": "/x", **scope})
    )
    assert (str(request.url), str(request.base_url)) == (url, base)
    assert request.url.netloc == request.base_url.netloc


def test_url_prefixes_root_path_to_path() -> None:
    # NOTE: this is the pre-2024 convention (path excludes root_path); see the report.
    request = Request(make_scope(root_path="/api", path="/users"))
    assert str(request.url) == "http://example.com/api/users"


def test_base_url_is_the_root_with_a_trailing_slash() -> None:
    request = Request(make_scope(root_path="/api/", path="/users", query_string=b"x=1"))
    assert str(request.base_url) == "http://example.com/api/"


def test_headers_are_case_insensitive_and_keep_duplicates() -> None:
    request = Request(
        make_scope(
            headers=[
                (b"host", b"example.com"),
                (b"accept", b"text/html"),
                (b"accept", b"application/json"),
                (b"x-latin", b"caf\xe9"),
            ]
        )
    )
    assert request.headers["Accept"] == "text/html"
    assert request.headers.getlist("ACCEPT") == ["text/html", "application/json"]
    assert request.headers["x-latin"] == "café"
    assert request.headers is request.headers


def test_query_params_with_repeated_and_blank_values() -> None:
    request = Request(make_scope(query_string=b"tag=a&tag=b&empty=&flag&name=J%C3%BCrgen"))
    params = request.query_params
    assert params.getlist("tag") == ["a", "b"]
    assert params["tag"] == "b"
    assert params["empty"] == ""
    assert params["flag"] == ""
    assert params["name"] == "Jürgen"
    assert "missing" not in params


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        (b"q=%FF", [("q", "\ufffd")]),
        (b"%C3%28=%E2%82", [("\ufffd(", "\ufffd")]),
        (b"q=\xc3\xa9\xff", [("q", "é\ufffd")]),
        (b"q=%", [("q", "%")]),
    ],
)
def test_query_params_with_invalid_utf8_never_raise(
    query_string: bytes, expected: list[tuple[str, str]]
) -> None:
    request = Request(make_scope(query_string=query_string))
    assert request.query_params.multi_items() == expected


def test_missing_query_string_gives_empty_params() -> None:
    scope = make_scope()
    del scope["query_string"]
    assert len(Request(scope).query_params) == 0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], {}),
        ([(b"cookie", b"a=1; b=2")], {"a": "1", "b": "2"}),
        ([(b"cookie", b"a=1"), (b"cookie", b"b=2; a=3")], {"a": "1", "b": "2"}),
        ([(b"cookie", b'sid="x\\073y"')], {"sid": "x;y"}),
        ([(b"cookie", b"name=caf\xe9")], {"name": "café"}),
        ([(b"cookie", b';;=;"; \xff\x00; a="\\')], {"a": '"\\'}),
        ([(b"cookie", b"==="), (b"cookie", b"ok=1")], {"ok": "1"}),
    ],
)
def test_cookies_are_parsed_leniently(
    headers: list[tuple[bytes, bytes]], expected: dict[str, str]
) -> None:
    assert Request(make_scope(headers=headers)).cookies == expected


def test_client_address() -> None:
    client = Request(make_scope()).client
    assert client == Address("127.0.0.1", 54321)
    assert client is not None
    assert client.host == "127.0.0.1"
    assert client.port == 54321
    assert Request(make_scope(client=None)).client is None


def test_state_reads_and_writes_the_scope_state() -> None:
    scope = make_scope(state={"db": "conn"})
    request = Request(scope)
    assert request.state.db == "conn"
    request.state.user = "ada"
    assert scope["state"] == {"db": "conn", "user": "ada"}
    del request.state.user
    assert scope["state"] == {"db": "conn"}
    with pytest.raises(AttributeError, match="State has no attribute 'missing'"):
        _ = request.state.missing


def test_state_is_created_when_the_scope_has_none() -> None:
    scope = make_scope()
    Request(scope).state.flag = True
    assert scope["state"] == {"flag": True}


def test_state_over_a_plain_dict() -> None:
    backing: dict[str, Any] = {}
    state = State(backing)
    state.x = 1
    assert backing == {"x": 1}
    empty = State()
    empty.y = 2
    assert empty.y == 2


def test_path_params() -> None:
    assert Request(make_scope()).path_params == {}
    assert Request(make_scope(path_params={"id": 42})).path_params == {"id": 42}


def test_request_is_a_read_only_mapping_over_the_scope() -> None:
    scope = make_scope()
    request = Request(scope)
    assert request["method"] == "GET"
    assert len(request) == len(scope)
    assert set(request) == set(scope)
    assert request.scope is scope
    assert request.app is None
    assert request != Request(scope)


# --- body --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_body_joins_chunks_and_can_be_read_twice() -> None:
    receive = body_receiver(b"hello ", b"", b"world")
    request = Request(make_scope(method="POST"), receive)
    assert await request.body() == b"hello world"
    assert await request.body() == b"hello world"
    assert receive.calls == 3


@pytest.mark.anyio
async def test_empty_body() -> None:
    request = Request(make_scope(), Receiver({"type": "http.request"}))
    assert await request.body() == b""


@pytest.mark.anyio
async def test_stream_yields_chunks_as_received() -> None:
    request = Request(make_scope(method="POST"), body_receiver(b"a", b"b", b"c"))
    chunks = [chunk async for chunk in request.stream()]
    assert chunks == [b"a", b"b", b"c", b""]


@pytest.mark.anyio
async def test_stream_can_only_be_consumed_once() -> None:
    request = Request(make_scope(method="POST"), body_receiver(b"a"))
    assert [chunk async for chunk in request.stream()] == [b"a", b""]
    with pytest.raises(RuntimeError, match="already consumed"):
        [chunk async for chunk in request.stream()]
    with pytest.raises(RuntimeError, match="already consumed"):
        await request.body()


@pytest.mark.anyio
async def test_stream_after_body_replays_the_kept_body() -> None:
    request = Request(make_scope(method="POST"), body_receiver(b"a", b"b"))
    assert await request.body() == b"ab"
    assert [chunk async for chunk in request.stream()] == [b"ab", b""]


@pytest.mark.anyio
async def test_disconnect_while_reading_raises_client_disconnect() -> None:
    receive = Receiver(
        {"type": "http.request", "body": b"a", "more_body": True}, {"type": "http.disconnect"}
    )
    request = Request(make_scope(method="POST"), receive)
    assert not await request.is_disconnected()
    with pytest.raises(ClientDisconnect):
        await request.body()
    assert await request.is_disconnected()


@pytest.mark.anyio
async def test_request_without_receive_channel_cannot_read_the_body() -> None:
    with pytest.raises(RuntimeError, match="no receive channel"):
        await Request(make_scope()).body()


def test_receive_property_is_the_channel() -> None:
    receive: Receive = body_receiver(b"")
    assert Request(make_scope(), receive).receive is receive


# --- json ----------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": [1, 2.5, null, true]}', {"a": [1, 2.5, None, True]}),
        ('{"name": "café ☕"}'.encode(), {"name": "café ☕"}),
        (b'"\\u00e9"', "é"),
        (b"42", 42),
        (b"\xef\xbb\xbf{}", {}),
    ],
)
async def test_json(body: bytes, expected: Any) -> None:
    request = Request(make_scope(method="POST"), body_receiver(body))
    assert await request.json() == expected
    assert await request.json() == expected
    assert await request.body() == body


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"{'a': 1}",
        b"[1,]",
        b"not json",
        b'{"a": 1} trailing',
        b'{"a": "\xff"}',
        b'"\xc3\x28"',
        b'"\xed\xa0\x80"',
        '{"a": "é"}'.encode("latin-1"),
        '{"a": "é"}'.encode("utf-16"),
        '{"a": 1}'.encode("utf-16-le"),
        '{"a": 1}'.encode("utf-32"),
    ],
)
async def test_invalid_json_or_non_utf8_raises_invalid_json_body(body: bytes) -> None:
    request = Request(make_scope(method="POST"), body_receiver(body))
    with pytest.raises(InvalidJSONBody, match="The request body is not valid JSON: ") as info:
        await request.json()
    assert info.value.body == body
    assert info.value.reason
    assert isinstance(info.value, ValueError)


def nested(depth: int, kind: str) -> bytes:
    """`depth` arrays (or objects) inside one another: `[[[]]]`, `{"a":{"a":{}}}`."""
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * (depth - 1) + b"{}" + b"}" * (depth - 1)


def json_app() -> TestClient:
    """A client of an app that reads a body with `request.json()` and by body parameters."""
    app = Transom()

    @app.post("/raw")
    async def raw(request: Request) -> Any:
        return await request.json()

    @app.post("/list")
    def as_list(items: list[Any]) -> int:
        return len(items)

    @app.post("/any")
    def as_any(item: Annotated[Any, Body()]) -> str:
        return type(item).__name__

    return TestClient(app, raise_server_exceptions=False)


TOO_DEEP = {
    "detail": "The request body is not valid JSON: arrays and objects are nested deeper "
    "than the decoder can follow."
}


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("depth", [1_000, 10_000, 100_000])
def test_json_nested_too_deeply_is_a_400_not_a_500(depth: int, kind: str) -> None:
    r = json_app().post("/raw", content=nested(depth, kind))
    assert (r.status_code, r.json()) == (400, TOO_DEEP)


@pytest.mark.parametrize("kind", ["array", "object"])
def test_json_nested_moderately_is_decoded(kind: str) -> None:
    r = json_app().post("/raw", content=nested(100, kind))
    assert (r.status_code, r.content) == (200, nested(100, kind))


@pytest.mark.parametrize("path", ["/list", "/any"])
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_body_parameter_nested_too_deeply_is_a_422(path: str, depth: int) -> None:
    headers = {"content-type": "application/json"}
    r = json_app().post(path, content=nested(depth, "array"), headers=headers)
    assert r.status_code == 422
    # Located at the byte where decoding gave up: ["body", offset].
    assert [(e["type"], e["loc"][0]) for e in r.json()["detail"]] == [("json_invalid", "body")]


@pytest.mark.anyio
async def test_is_disconnected_polls_receive_and_sees_a_disconnect() -> None:
    request = Request(make_scope(method="POST"), Receiver({"type": "http.disconnect"}))
    assert await request.is_disconnected()


@pytest.mark.anyio
async def test_is_disconnected_does_not_block_when_nothing_arrived() -> None:
    never = anyio.Event()

    async def receive() -> Message:
        await never.wait()
        raise AssertionError("unreachable")  # pragma: no cover

    request = Request(make_scope(method="POST"), receive)
    with anyio.fail_after(1):
        assert not await request.is_disconnected()


@pytest.mark.anyio
async def test_a_body_chunk_seen_while_polling_is_kept_for_the_body() -> None:
    request = Request(make_scope(method="POST"), body_receiver(b"a", b"b"))
    assert not await request.is_disconnected()
    assert await request.body() == b"ab"
