"""`@app.middleware("http")`: bodies stream through, nothing else of the old design is lost."""

from collections.abc import AsyncIterable, AsyncIterator

import anyio
import pytest

from tests._asgi import http_scope
from transom import PlainTextResponse, Request, Response, StreamingResponse, Transom
from transom._types import Message
from transom.middleware.http import CallNext
from transom.testclient import TestClient


def app_with_stream(events: AsyncIterator[bytes]) -> Transom:
    app = Transom()

    @app.middleware("http")
    async def tag(request: Request, call_next: CallNext) -> Response:
        response = await call_next(request)
        response.headers["x-tagged"] = "1"
        return response

    @app.get("/events")
    def stream() -> Response:
        return StreamingResponse(events, media_type="text/event-stream")

    return app


def test_an_event_stream_reaches_the_client_event_by_event() -> None:
    """The second event is only produced after the client has seen the first one."""
    first_seen = anyio.Event()

    async def events() -> AsyncIterator[bytes]:
        yield b"data: 1\n\n"
        await first_seen.wait()  # buffering the whole body would wait here for ever
        yield b"data: 2\n\n"

    app = app_with_stream(events())
    sent: list[Message] = []

    async def receive() -> Message:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")  # pragma: no cover

    async def send(message: Message) -> None:
        sent.append(message)
        if message.get("body") == b"data: 1\n\n":
            first_seen.set()

    async def main() -> None:
        with anyio.fail_after(5):
            await app(http_scope(path="/events"), receive, send)

    anyio.run(main)
    assert sent[0]["type"] == "http.response.start"
    assert (b"x-tagged", b"1") in sent[0]["headers"]
    assert [m.get("body") for m in sent[1:]] == [b"data: 1\n\n", b"data: 2\n\n", b""]


def test_a_large_body_streams_with_at_most_one_chunk_in_flight() -> None:
    produced = 0
    in_flight: list[int] = []
    received = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal produced
        for _ in range(200):
            produced += 1
            yield b"x" * 65536

    app = app_with_stream(chunks())

    async def receive() -> Message:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")  # pragma: no cover

    async def send(message: Message) -> None:
        nonlocal received
        if message.get("body"):
            received += 1
            in_flight.append(produced - received)

    anyio.run(app, http_scope(path="/events"), receive, send)
    assert received == 200
    assert max(in_flight) <= 1


def test_a_middleware_that_answers_itself_cancels_the_downstream_app() -> None:
    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"tick"

    app = Transom()

    @app.middleware("http")
    async def replace(request: Request, call_next: CallNext) -> Response:
        await call_next(request)
        return PlainTextResponse("replaced")

    app.get("/")(lambda: StreamingResponse(endless()))
    r = TestClient(app).get("/")
    assert r.text == "replaced"


def test_an_error_before_the_response_starts_comes_out_of_call_next_as_it_is() -> None:
    seen: list[BaseException] = []
    app = Transom()

    @app.middleware("http")
    async def watch(request: Request, call_next: CallNext) -> Response:
        try:
            return await call_next(request)
        except LookupError as exc:
            seen.append(exc)
            raise

    @app.get("/")
    def fail() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        TestClient(app).get("/")
    assert [type(exc) for exc in seen] == [KeyError]


def test_the_middleware_may_stream_its_own_version_of_the_body() -> None:
    app = Transom()

    @app.middleware("http")
    async def upper(request: Request, call_next: CallNext) -> Response:
        response = await call_next(request)
        original = response.body_iterator
        assert isinstance(original, AsyncIterable)

        async def shout() -> AsyncIterator[bytes]:
            async for chunk in original:
                yield chunk.upper() if isinstance(chunk, bytes) else chunk.upper().encode()

        response.body_iterator = shout()
        del response.headers["content-length"]
        return response

    app.get("/")(lambda: PlainTextResponse("quiet"))
    assert TestClient(app).get("/").text == "QUIET"
