"""Streamed path operations: Server-Sent Events, JSON Lines, raw streams."""

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Annotated, Any

import anyio
import pytest
from pydantic import BaseModel

from tests._asgi import call_raw, http_scope
from transom import (
    Depends,
    Header,
    HTTPException,
    Response,
    StreamingResponse,
    Transom,
)
from transom.exceptions import ResponseStartedError, ResponseValidationError
from transom.sse import EventSourceResponse, ServerSentEvent, format_sse_event
from transom.testclient import TestClient


class Item(BaseModel):
    name: str
    price: float = 0.0


class Public(BaseModel):
    name: str


def test_events_from_models_are_json_data_with_the_stream_headers() -> None:
    app = Transom()

    @app.get("/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterable[Item]:
        yield Item(name="a", price=1)
        yield {"name": "b"}  # type: ignore[misc]

    response = TestClient(app).get("/events")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-length" not in response.headers
    assert response.text == ('data: {"name":"a","price":1.0}\n\ndata: {"name":"b","price":0.0}\n\n')


def test_server_sent_events_keep_every_field_in_the_format_order() -> None:
    app = Transom()

    @app.get("/events", response_class=EventSourceResponse)
    def events() -> Iterator[ServerSentEvent]:
        yield ServerSentEvent("hi", event="greeting", id="1", retry=500, comment="first")
        yield ServerSentEvent(raw_data="<b>raw</b>\nsecond line")
        yield ServerSentEvent(data={"k": [1]})
        yield ServerSentEvent(data=Public(name="m"))
        yield ServerSentEvent(comment="only a comment")

    response = TestClient(app).get("/events")
    assert response.text == (
        ': first\nevent: greeting\ndata: "hi"\nid: 1\nretry: 500\n\n'
        "data: <b>raw</b>\ndata: second line\n\n"
        'data: {"k": [1]}\n\n'
        'data: {"name":"m"}\n\n'
        ": only a comment\n\n"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"event": "a\nb"}, "SSE 'event' must be a single line"),
        ({"id": "a\rb"}, "SSE 'id' must be a single line"),
        ({"id": "a\0b"}, "SSE 'id' must not contain null characters"),
        ({"retry": -1}, "SSE 'retry' must be a whole number"),
        ({"retry": 1.5}, "SSE 'retry' must be a whole number"),
        ({"retry": True}, "SSE 'retry' must be a whole number"),
        ({"data": 1, "raw_data": "x"}, "Cannot set both 'data' and 'raw_data'"),
    ],
)
def test_server_sent_event_fields_are_checked(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ServerSentEvent(**options)


def test_server_sent_event_type_errors_and_equality() -> None:
    with pytest.raises(TypeError, match="SSE 'event' must be a string, got int"):
        ServerSentEvent(event=1)  # type: ignore[arg-type]
    assert ServerSentEvent(1, id="x") == ServerSentEvent(1, id="x")
    assert ServerSentEvent(1) != ServerSentEvent(2)
    assert ServerSentEvent(1).__eq__("1") is NotImplemented
    assert repr(ServerSentEvent("a", retry=3)) == "ServerSentEvent(data='a', retry=3)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello\n", b"data: Hello\ndata: \n\n"),
        ("a\r\nb\rc", b"data: a\ndata: b\ndata: c\n\n"),
        ("", b"data: \n\n"),
        ("A\u2028B", "data: A\u2028B\n\n".encode()),
    ],
)
def test_data_is_split_on_the_formats_line_ends_only(text: str, expected: bytes) -> None:
    assert format_sse_event(data_str=text) == expected


def test_an_explicit_response_model_filters_each_item() -> None:
    app = Transom()

    @app.get("/events", response_class=EventSourceResponse, response_model=Public)
    async def events() -> AsyncIterator[dict[str, Any]]:
        yield {"name": "a", "secret": "s"}

    @app.get("/lines", response_model=Public)
    async def lines() -> AsyncIterator[dict[str, Any]]:
        yield {"name": "b", "secret": "s"}

    client = TestClient(app)
    assert client.get("/events").text == 'data: {"name":"a"}\n\n'
    assert client.get("/lines").text == '{"name":"b"}\n'


def test_json_lines_by_default_typed_and_untyped() -> None:
    app = Transom()

    @app.get("/typed")
    def typed() -> Iterable[Item]:
        yield Item(name="a")
        yield Item(name="b", price=2)

    @app.get("/untyped", status_code=201)
    async def untyped():  # type: ignore[no-untyped-def]
        yield {"n": 1}
        yield [1, "x"]

    client = TestClient(app)
    response = client.get("/typed")
    assert response.headers["content-type"] == "application/jsonl"
    assert response.text == '{"name":"a","price":0.0}\n{"name":"b","price":2.0}\n'
    response = client.get("/untyped")
    assert response.status_code == 201
    assert response.text == '{"n": 1}\n[1, "x"]\n'


def test_what_the_generator_sets_before_its_first_item_is_sent() -> None:
    app = Transom()
    late: list[str] = []

    def trace(response: Response) -> None:
        response.headers["X-Trace"] = "dep"

    @app.get("/events", response_class=EventSourceResponse, dependencies=[Depends(trace)])
    async def events(
        response: Response, last_event_id: Annotated[str | None, Header()] = None
    ) -> AsyncIterator[dict[str, str | None]]:
        response.status_code = 202
        response.set_cookie("resume", "1")
        yield {"after": last_event_id}
        try:
            response.headers["X-Late"] = "no"
        except ResponseStartedError:
            late.append("refused")

    response = TestClient(app).get("/events", headers={"Last-Event-ID": "41"})
    assert response.status_code == 202
    assert response.headers["x-trace"] == "dep"
    assert response.headers["set-cookie"] == "resume=1; Path=/; SameSite=Lax"
    assert "x-late" not in response.headers
    assert response.text == 'data: {"after":"41"}\n\n'
    assert late == ["refused"]


def test_an_http_exception_before_the_first_item_is_an_error_response() -> None:
    app = Transom()

    @app.get("/events", response_class=EventSourceResponse)
    async def events(token: str = "") -> AsyncIterator[int]:
        if token != "ok":
            raise HTTPException(401, "No token")
        yield 1

    client = TestClient(app)
    response = client.get("/events")
    assert (response.status_code, response.json()) == (401, {"detail": "No token"})
    assert client.get("/events?token=ok").text == "data: 1\n\n"


def test_an_invalid_item_after_the_start_reaches_the_test() -> None:
    app = Transom()

    @app.get("/lines")
    async def lines() -> AsyncIterator[Item]:
        yield {"name": "ok"}  # type: ignore[misc]
        yield {"name": "bad", "price": "many"}  # type: ignore[misc]

    with pytest.raises(ResponseValidationError):
        TestClient(app).get("/lines")


def test_an_empty_stream_and_a_head_request() -> None:
    app = Transom()

    @app.api_route("/events", methods=["GET", "HEAD"], response_class=EventSourceResponse)
    async def events() -> AsyncIterator[int]:
        return
        yield 0  # pragma: no cover

    client = TestClient(app)
    response = client.get("/events")
    assert (response.status_code, response.text) == (200, "")
    assert client.head("/events").text == ""


def test_an_idle_stream_sends_keepalive_pings(monkeypatch: pytest.MonkeyPatch) -> None:
    import transom.sse

    monkeypatch.setattr(transom.sse, "PING_INTERVAL", 0.01)
    app = Transom()
    resume = anyio.Event()

    @app.get("/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterator[int]:
        await anyio.sleep(0.05)  # no first item within the interval: the stream starts
        yield 1
        with anyio.move_on_after(0.05):
            await resume.wait()
        yield 2

    text = TestClient(app).get("/events").text
    assert text.startswith(": ping\n\n")
    assert "data: 1\n\n: ping\n\n" in text
    assert text.endswith("data: 2\n\n")


def test_a_disconnect_stops_the_generator_and_runs_its_teardown() -> None:
    app = Transom()
    events_seen: list[str] = []

    async def resource() -> AsyncIterator[str]:
        yield "db"
        events_seen.append("dependency closed")

    @app.get("/events", response_class=EventSourceResponse)
    async def events(db: Annotated[str, Depends(resource)]) -> AsyncIterator[int]:
        try:
            tick = 0
            while True:
                yield tick
                tick += 1
                await anyio.sleep(0.001)
        finally:
            events_seen.append("generator closed")

    sent = anyio.run(call_raw, app, "GET", True, http_scope("GET", "/events"))
    assert sent[0]["status"] == 200
    assert events_seen == ["generator closed", "dependency closed"]


def test_a_sync_generator_is_closed_on_disconnect() -> None:
    app = Transom()
    closed: list[bool] = []

    @app.get("/lines")
    def lines() -> Iterator[int]:
        try:
            yield from range(10**9)
        finally:
            closed.append(True)

    anyio.run(call_raw, app, "GET", True, http_scope("GET", "/lines"))
    assert closed == [True]


def test_a_streaming_response_class_streams_the_generator_itself() -> None:
    app = Transom()

    @app.get("/raw", response_class=StreamingResponse)
    async def raw(response: Response) -> AsyncIterator[str]:
        yield "a"
        yield "b"

    @app.get("/text", response_class=StreamingResponse)
    def text() -> Iterator[bytes]:
        yield b"c"

    client = TestClient(app)
    assert client.get("/raw").text == "ab"
    assert client.get("/text").text == "c"


def test_events_reach_a_browser_like_parser() -> None:
    app = Transom()

    @app.get("/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterator[ServerSentEvent]:
        for number in range(3):
            yield ServerSentEvent({"n": number}, id=str(number))

    blocks = TestClient(app).get("/events").text.split("\n\n")
    parsed = [dict(line.split(": ", 1) for line in block.split("\n")) for block in blocks[:-1]]
    assert [json.loads(event["data"]) for event in parsed] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert [event["id"] for event in parsed] == ["0", "1", "2"]


def test_openapi_documents_one_item_of_the_stream() -> None:
    app = Transom()

    @app.get("/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterator[Item]:
        yield Item(name="a")  # pragma: no cover

    @app.get("/raw-events", response_class=EventSourceResponse)
    async def raw_events() -> AsyncIterator[ServerSentEvent]:
        yield ServerSentEvent("x")  # pragma: no cover

    @app.get("/lines")
    async def lines() -> AsyncIterator[Item]:
        yield Item(name="b")  # pragma: no cover

    @app.get("/untyped-lines")
    async def untyped_lines():  # type: ignore[no-untyped-def]
        yield 1  # pragma: no cover

    paths = app.openapi()["paths"]
    event = {
        "type": "object",
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"$ref": "#/components/schemas/Item"},
            },
            "event": {"type": "string"},
            "id": {"type": "string"},
            "retry": {"type": "integer", "minimum": 0},
        },
        "required": ["data"],
    }
    ok = "Successful Response"
    assert paths["/events"]["get"]["responses"]["200"] == {
        "description": ok,
        "content": {"text/event-stream": {"itemSchema": event}},
    }
    raw = paths["/raw-events"]["get"]["responses"]["200"]["content"]["text/event-stream"]
    assert raw["itemSchema"]["properties"]["data"] == {"type": "string"}
    assert "required" not in raw["itemSchema"]
    assert paths["/lines"]["get"]["responses"]["200"]["content"] == {
        "application/jsonl": {"itemSchema": {"$ref": "#/components/schemas/Item"}}
    }
    assert paths["/untyped-lines"]["get"]["responses"]["200"]["content"] == {
        "application/jsonl": {"itemSchema": {}}
    }
