"""Request-body limits: one mechanism for every way a body is read."""

from typing import Any

import anyio
import pytest

from tests._asgi import http_scope
from transom import Request, Transom
from transom._types import Message
from transom.responses import PlainTextResponse, Response
from transom.testclient import TestClient

MiB = 1024 * 1024


def limit_detail(limit: int) -> dict[str, str]:
    return {
        "detail": f"The request body is larger than the limit of {limit} bytes. Send less, or "
        "raise max_body_size= on the app or route."
    }


def app_with_routes(**app_options: Any) -> Transom:
    app = Transom(**app_options)

    @app.post("/json")
    def take_json(items: list[int]) -> int:
        return len(items)

    @app.post("/raw")
    async def take_raw(request: Request) -> int:
        return len(await request.body())

    @app.post("/small", max_body_size=10)
    async def small(request: Request) -> int:
        return len(await request.body())

    @app.post("/big", max_body_size=4 * MiB)
    async def big(request: Request) -> int:
        return len(await request.body())

    @app.post("/unlimited", max_body_size=None)
    async def unlimited(request: Request) -> int:
        return len(await request.body())

    async def streamed(request: Request) -> Response:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return PlainTextResponse(str(size))

    app.add_route("/stream", streamed, methods=["POST"])
    return app


@pytest.mark.parametrize("path", ["/raw", "/stream"])
def test_the_default_limit_is_one_mebibyte(path: str) -> None:
    client = TestClient(app_with_routes())
    assert client.post(path, content=b"x" * MiB).text == str(MiB)
    r = client.post(path, content=b"x" * (MiB + 1))
    assert (r.status_code, r.json()) == (413, limit_detail(MiB))


def test_a_json_body_parameter_past_the_limit_is_a_413() -> None:
    r = TestClient(app_with_routes(max_body_size=100)).post("/json", json=list(range(100)))
    assert (r.status_code, r.json()) == (413, limit_detail(100))


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        ("/small", 10, 200),
        ("/small", 11, 413),
        ("/big", 3 * MiB, 200),
        ("/big", 4 * MiB + 1, 413),
        ("/unlimited", 5 * MiB, 200),
    ],
)
def test_a_route_sets_its_own_limit(path: str, size: int, status: int) -> None:
    r = TestClient(app_with_routes()).post(path, content=b"x" * size)
    assert r.status_code == status


def test_the_app_limit_can_be_raised_or_removed() -> None:
    assert TestClient(app_with_routes(max_body_size=None)).post("/raw", content=b"x" * 3 * MiB)
    r = TestClient(app_with_routes(max_body_size=2 * MiB)).post("/raw", content=b"x" * 3 * MiB)
    assert r.status_code == 413


def run_chunked(
    app: Transom, path: str, chunks: int, size: int, length: int | None
) -> tuple[list[Message], int]:
    """POST `chunks` chunks of `size` bytes; return what was sent and how many were read."""
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"x" * size, "more_body": read < chunks}

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [(b"host", b"testserver")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {**http_scope("POST", path), "headers": headers}
    anyio.run(app, scope, receive, send)
    return sent, read


@pytest.mark.parametrize("length", [None, 10], ids=["chunked", "lying content-length"])
def test_the_limit_is_enforced_while_reading_and_nothing_more_is_read(length: int | None) -> None:
    sent, read = run_chunked(app_with_routes(), "/raw", chunks=1000, size=64 * 1024, length=length)
    assert sent[0]["status"] == 413
    assert read == 17  # 16 chunks of 64 KiB fill the limit; the 17th passes it


def test_a_bad_limit_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match=r"max_body_size=\.\.\.\) must be a whole number"):
        Transom(max_body_size=-1)
    app = Transom()
    with pytest.raises(ValueError, match="route POST /x: max_body_size= must be"):
        app.post("/x", max_body_size="1MB")(lambda: None)  # type: ignore[arg-type]
