"""Responses as a client sees them: status, exact body bytes and headers."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import anyio
import pydantic
import pydantic_core
import pytest

import transom.responses
from tests._asgi import call_raw, fetch, serve
from transom import Transom
from transom._types import Receive, Scope, Send
from transom.exceptions import DeprecatedOptionWarning
from transom.http.headers import HeaderError
from transom.http.urls import URL
from transom.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from transom.testclient import TestClient


class User(pydantic.BaseModel):
    name: str
    tags: list[str]


@dataclasses.dataclass
class Point:
    x: int
    y: int


# --- bodies and content headers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "body", "content_type"),
    [
        (lambda: Response(b"hello"), b"hello", None),
        (lambda: Response(), b"", None),
        (lambda: Response(None, media_type="text/plain"), b"", "text/plain; charset=utf-8"),
        (lambda: Response(bytearray(b"ab")), b"ab", None),
        (lambda: Response(memoryview(b"ab")), b"ab", None),
        (
            lambda: Response("héllo", media_type="text/plain"),
            "héllo".encode(),
            "text/plain; charset=utf-8",
        ),
        (
            lambda: Response("x", media_type="text/csv; charset=ascii"),
            b"x",
            "text/csv; charset=ascii",
        ),
        (lambda: Response("<a/>", media_type="application/xml"), b"<a/>", "application/xml"),
        (lambda: PlainTextResponse("héllo ☕"), "héllo ☕".encode(), "text/plain; charset=utf-8"),
        (lambda: HTMLResponse("<h1>hi</h1>"), b"<h1>hi</h1>", "text/html; charset=utf-8"),
        (lambda: PlainTextResponse("x", status_code=404), b"x", "text/plain; charset=utf-8"),
    ],
)
def test_response_body_and_content_headers(
    make: Callable[[], Response], body: bytes, content_type: str | None
) -> None:
    response = make()
    sent = fetch(response)
    assert sent.status_code == response.status_code
    assert sent.content == body
    assert sent.headers.get_list("content-length") == [str(len(body))]
    assert sent.headers.get("content-type") == content_type


def test_exact_raw_headers_of_a_plain_text_response() -> None:
    messages = anyio.run(call_raw, serve(PlainTextResponse("hi", headers={"X-A": "1"})))
    assert messages == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"x-a", b"1"),
                (b"content-length", b"2"),
                (b"content-type", b"text/plain; charset=utf-8"),
            ],
        },
        {"type": "http.response.body", "body": b"hi"},
    ]


def test_content_type_from_headers_wins_over_media_type() -> None:
    sent = fetch(HTMLResponse("x", headers={"Content-Type": "application/custom"}))
    assert sent.headers.get_list("content-type") == ["application/custom"]


def test_content_length_is_always_computed() -> None:
    sent = fetch(Response(b"abc", headers={"Content-Length": "999"}))
    assert sent.headers.get_list("content-length") == ["3"]


def test_headers_set_through_the_view_reach_the_client() -> None:
    response = Response(b"x")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.append("Link", "</a>; rel=preload")
    response.headers.add_vary_header("Origin")
    sent = fetch(response)
    assert sent.headers["x-frame-options"] == "DENY"
    assert sent.headers["link"] == "</a>; rel=preload"
    assert sent.headers["vary"] == "Origin"


def test_bad_header_values_raise_where_they_are_set() -> None:
    with pytest.raises(HeaderError, match="CR or LF"):
        Response(headers={"X-A": "a\r\nSet-Cookie: evil=1"})
    response = Response()
    with pytest.raises(HeaderError, match="not a valid token"):
        response.headers["X A"] = "1"


@pytest.mark.parametrize("cls", [Response, PlainTextResponse, HTMLResponse])
@pytest.mark.parametrize(
    ("content", "type_name"),
    [({"a": 1}, "dict"), ([1], "list"), (1, "int"), (1.5, "float"), (object(), "object")],
)
def test_content_that_is_not_bytes_or_str_raises_type_error(
    cls: type[Response], content: object, type_name: str
) -> None:
    pattern = f"{cls.__name__} content must be bytes or str, got {type_name}; use JSONResponse"
    with pytest.raises(TypeError, match=pattern):
        cls(content)


# --- JSON --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "body"),
    [
        ({"a": [1, 2], "b": None}, b'{"a":[1,2],"b":null}'),
        ({"name": "café ☕"}, '{"name":"café ☕"}'.encode()),
        ([float("nan"), float("inf"), -float("inf"), 1.5], b"[null,null,null,1.5]"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), b'"2024-01-02T03:04:05+00:00"'),
        (User(name="ada", tags=["x"]), b'{"name":"ada","tags":["x"]}'),
        ({"users": [User(name="é", tags=[])]}, '{"users":[{"name":"é","tags":[]}]}'.encode()),
        (Point(1, 2), b'{"x":1,"y":2}'),
        (uuid.UUID(int=1), b'"00000000-0000-0000-0000-000000000001"'),
        (Decimal("1.10"), b"1.1"),
        (None, b"null"),
        ("x", b'"x"'),
        (True, b"true"),
        ("</script>", b'"</script>"'),
    ],
)
def test_json_response_body(content: Any, body: bytes) -> None:
    sent = fetch(JSONResponse(content))
    assert sent.status_code == 200
    assert sent.content == body
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["content-length"] == str(len(body))


def test_json_response_that_cannot_serialise_raises_when_built() -> None:
    with pytest.raises(pydantic_core.PydanticSerializationError):
        JSONResponse(object())


# --- redirects -----------------------------------------------------------------------------


def test_redirect_defaults_to_307() -> None:
    sent = fetch(RedirectResponse("/target"))
    assert sent.status_code == 307
    assert sent.headers["location"] == "/target"
    assert sent.headers["content-length"] == "0"
    assert "content-type" not in sent.headers
    assert sent.content == b""


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_status(status: int) -> None:
    sent = fetch(RedirectResponse("https://example.com/x", status_code=status))
    assert sent.status_code == status
    assert sent.headers["location"] == "https://example.com/x"


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/a b/café?x=1&y=ü#f", "/a%20b/caf%C3%A9?x=1&y=%C3%BC#f"),
        ("/already%20quoted", "/already%20quoted"),
        ("/a\r\nSet-Cookie: x=1", "/a%0D%0ASet-Cookie:%20x=1"),
        (URL("http://example.com/p?q=1"), "http://example.com/p?q=1"),
    ],
)
def test_redirect_location_is_percent_encoded(url: str | URL, location: str) -> None:
    sent = fetch(RedirectResponse(url))
    assert sent.headers.get_list("location") == [location]
    assert "set-cookie" not in sent.headers


def test_redirect_is_followed_by_default() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/start":
            response: Response = RedirectResponse("/end")
        else:
            response = PlainTextResponse(f"arrived at {scope['path']}")
        await response(scope, receive, send)

    sent = TestClient(app).get("/start")
    assert sent.status_code == 200
    assert sent.text == "arrived at /end"
    assert [hop.status_code for hop in sent.history] == [307]


# --- streaming -----------------------------------------------------------------------------


async def async_chunks() -> AsyncIterator[str | bytes]:
    yield b"a"
    yield "é"
    yield b""
    yield b"c"


def sync_chunks() -> Iterator[str | bytes]:
    yield b"a"
    yield "é"
    yield b""
    yield b"c"


@pytest.mark.parametrize(
    "make",
    [
        lambda: StreamingResponse(async_chunks(), media_type="text/plain"),
        lambda: StreamingResponse(sync_chunks(), media_type="text/plain"),
        lambda: StreamingResponse([b"a", "é", b"", b"c"], media_type="text/plain"),
    ],
    ids=["async-generator", "sync-generator", "list"],
)
def test_streaming_response(make: Callable[[], StreamingResponse]) -> None:
    sent = fetch(make())
    assert sent.status_code == 200
    assert sent.content == b"a\xc3\xa9c"
    assert sent.headers["content-type"] == "text/plain; charset=utf-8"
    assert "content-length" not in sent.headers


def test_streaming_response_sends_each_chunk_as_it_comes() -> None:
    response = StreamingResponse(sync_chunks(), headers={"Content-Length": "4"})
    messages = anyio.run(call_raw, serve(response))
    assert messages == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"a", "more_body": True},
        {"type": "http.response.body", "body": b"\xc3\xa9", "more_body": True},
        {"type": "http.response.body", "body": b"", "more_body": True},
        {"type": "http.response.body", "body": b"c", "more_body": True},
        {"type": "http.response.body", "body": b""},
    ]


def test_streaming_stops_when_the_client_disconnects() -> None:
    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"x"
            await anyio.sleep(0)

    async def main() -> list[dict[str, Any]]:
        with anyio.fail_after(10):  # a hang here means the stream never stopped
            messages = await call_raw(serve(StreamingResponse(endless())), disconnect=True)
        return [dict(message) for message in messages]

    messages = anyio.run(main)
    assert all(message["type"].startswith("http.response.") for message in messages)


# --- statuses without a body, and HEAD -----------------------------------------------------

BODY = b"body"
KEPT = {"X-Kept": "1"}


async def one_chunk() -> AsyncIterator[bytes]:
    yield BODY


def _changed(response: Response, status: int) -> Response:
    response.status_code = status
    return response


BODYLESS_FACTORIES: list[tuple[str, Callable[[int], Response]]] = [
    ("Response", lambda s: Response(BODY, s, headers=KEPT, media_type="text/plain")),
    ("PlainTextResponse", lambda s: PlainTextResponse("body", s, headers=KEPT)),
    ("JSONResponse", lambda s: JSONResponse({"a": 1}, s, headers=KEPT)),
    ("Response-changed", lambda s: _changed(Response(BODY, headers=KEPT, media_type="x/y"), s)),
    ("JSONResponse-changed", lambda s: _changed(JSONResponse([1], headers=KEPT), s)),
    (
        "StreamingResponse",
        lambda s: StreamingResponse(one_chunk(), s, headers=KEPT, media_type="text/plain"),
    ),
    (
        "StreamingResponse-changed",
        lambda s: _changed(StreamingResponse(one_chunk(), headers=KEPT, media_type="x/y"), s),
    ),
]


@pytest.mark.parametrize("status", [100, 101, 103, 204, 304])
@pytest.mark.parametrize(
    "make", [make for _, make in BODYLESS_FACTORIES], ids=[n for n, _ in BODYLESS_FACTORIES]
)
def test_bodyless_status_sends_no_body_length_or_type(
    make: Callable[[int], Response], status: int
) -> None:
    sent = fetch(make(status))
    assert sent.status_code == status
    assert sent.content == b""
    assert "content-length" not in sent.headers
    assert "content-type" not in sent.headers
    assert sent.headers["x-kept"] == "1"


def test_status_changed_from_bodyless_to_200_sends_length_and_type() -> None:
    response = PlainTextResponse("body", status_code=204)
    response.status_code = 200
    sent = fetch(response)
    assert sent.content == b"body"
    assert sent.headers["content-length"] == "4"
    assert sent.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("status", [204, 304])
def test_bodyless_status_exact_messages(status: int) -> None:
    response = PlainTextResponse("body", headers=KEPT)
    response.set_cookie("a", "1")
    response.status_code = status
    messages = anyio.run(call_raw, serve(response))
    assert messages == [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"x-kept", b"1"), (b"set-cookie", b"a=1; Path=/; SameSite=Lax")],
        },
        {"type": "http.response.body", "body": b""},
    ]


HEAD_FACTORIES: list[tuple[str, Callable[[], Response]]] = [
    ("Response", lambda: Response(BODY, media_type="text/plain")),
    ("JSONResponse", lambda: JSONResponse({"a": "é"})),
    ("HTMLResponse", lambda: HTMLResponse("<p>x</p>", status_code=404)),
    ("RedirectResponse", lambda: RedirectResponse("/x")),
]


@pytest.mark.parametrize(
    "make", [make for _, make in HEAD_FACTORIES], ids=[n for n, _ in HEAD_FACTORIES]
)
def test_head_gets_the_headers_of_get_and_no_body(make: Callable[[], Response]) -> None:
    get = fetch(make(), "GET")
    head = fetch(make(), "HEAD")
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers == get.headers
    assert head.headers.get("content-length") == str(len(get.content))


def test_head_on_a_streaming_response_does_not_send_the_stream() -> None:
    head = fetch(StreamingResponse(one_chunk(), media_type="text/plain"), "HEAD")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("class_name", "module"), [("ORJSONResponse", "orjson"), ("UJSONResponse", "ujson")]
)
def test_orjson_and_ujson_responses_send_fastapis_json(class_name: str, module: str) -> None:
    pytest.importorskip(module, reason=f"{class_name} needs the optional {module} package")
    response_class = getattr(transom.responses, class_name)
    app = Transom()

    @app.get("/", response_class=response_class, response_model=None)
    def read() -> dict[str, Any]:
        return {"price": Decimal("1.10"), "at": datetime(2024, 1, 2, tzinfo=UTC), "é": [1, None]}

    with pytest.warns(DeprecatedOptionWarning, match=f"^{class_name} is deprecated, as in"):
        response = TestClient(app).get("/")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"price": 1.1, "at": "2024-01-02T00:00:00+00:00", "é": [1, None]}
    with pytest.warns(DeprecatedOptionWarning) as caught:
        direct = response_class({1: "one"})
    assert direct.body == b'{"1":"one"}'
    assert str(caught[0].message) == (
        f"{class_name} is deprecated, as in FastAPI: Transom already writes JSON as bytes "
        "with pydantic-core (faster, and no extra package); return the data with a return "
        "annotation or response_model= and use the default JSONResponse."
    )
    assert caught[0].filename == __file__
