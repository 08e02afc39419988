"""Conditional requests end to end: what a client sees (status, exact headers, body)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from transom import (
    FileResponse,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
    Transom,
)
from transom.testclient import TestClient

MODIFIED = datetime(2015, 10, 21, 7, 28, 0, 250000, tzinfo=UTC)
HTTP_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
EARLIER = "Wed, 21 Oct 2015 07:27:59 GMT"
LATER = "Thu, 22 Oct 2015 07:28:00 GMT"


app = Transom()
produced: list[str] = []


@app.api_route("/tagged", methods=["GET", "HEAD", "POST"])
def tagged(response: Response) -> dict[str, int]:
    response.set_etag("v1")
    response.set_last_modified(MODIFIED)
    response.set_cache_control(private=True, max_age=60)
    response.add_vary("Accept")
    response.add_link("/next", rel="next")
    response.headers["X-Total-Count"] = "1"
    response.headers["Expires"] = LATER
    response.headers["Content-Location"] = "/tagged"
    response.set_cookie("seen", "1")
    return {"id": 1}


@app.get("/weak")
def weak(response: Response) -> dict[str, int]:
    response.set_etag("w1", weak=True)
    return {"id": 1}


@app.get("/dated")
def dated(response: Response) -> dict[str, int]:
    response.set_last_modified(MODIFIED)
    return {"id": 1}


@app.get("/raw")
def raw_header(response: Response) -> dict[str, int]:
    response.headers["ETag"] = '"r1"'
    return {"id": 1}


@app.get("/plain")
def plain() -> dict[str, int]:
    return {"id": 1}


@app.get("/missing")
def missing(response: Response) -> None:
    response.set_etag("v1")
    raise HTTPException(404, "Not here.")


@app.get("/created", status_code=201)
def created(response: Response) -> dict[str, int]:
    response.set_etag("v1")
    return {"id": 1}


@app.get("/returned")
def returned(response: Response) -> JSONResponse:
    response.set_cookie("seen", "1")
    response.headers["X-Temporal"] = "1"
    return JSONResponse({"id": 1}, headers={"ETag": '"o1"', "Cache-Control": "no-cache"})


@app.get("/returned-404")
def returned_404() -> JSONResponse:
    return JSONResponse({"detail": "gone"}, 404, headers={"ETag": '"o1"'})


@app.get("/html", response_class=PlainTextResponse)
def html(response: Response) -> str:
    response.set_etag("t1")
    return "hello"


@app.get("/stream")
def stream() -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        produced.append("chunk")
        yield b"hello"

    return StreamingResponse(chunks(), headers={"ETag": '"s1"'})


client = TestClient(app)


def get(path: str, method: str = "GET", **headers: str) -> tuple[int, list[tuple[str, str]], bytes]:
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    response = client.request(method, path, headers=sent)
    return response.status_code, response.headers.multi_items(), response.content


MATRIX = [
    # (path, request headers, status)
    ("/tagged", {}, 200),
    ("/tagged", {"If_None_Match": '"v1"'}, 304),
    ("/tagged", {"If_None_Match": 'W/"v1"'}, 304),
    ("/tagged", {"If_None_Match": '"v2"'}, 200),
    ("/tagged", {"If_None_Match": "v1"}, 200),
    ("/tagged", {"If_None_Match": '"a", "v1", "b"'}, 304),
    ("/tagged", {"If_None_Match": '"a", "b"'}, 200),
    ("/tagged", {"If_None_Match": "*"}, 304),
    ("/weak", {"If_None_Match": 'W/"w1"'}, 304),
    ("/weak", {"If_None_Match": '"w1"'}, 304),
    ("/raw", {"If_None_Match": '"r1"'}, 304),
    ("/tagged", {"If_Modified_Since": HTTP_MODIFIED}, 304),
    ("/tagged", {"If_Modified_Since": LATER}, 304),
    ("/tagged", {"If_Modified_Since": EARLIER}, 200),
    ("/tagged", {"If_Modified_Since": "yesterday"}, 200),
    ("/tagged", {"If_Modified_Since": "Wed, 21 Oct 2015 07:28:00 +0000"}, 200),
    ("/dated", {"If_Modified_Since": HTTP_MODIFIED}, 304),
    ("/dated", {"If_Modified_Since": EARLIER}, 200),
    ("/dated", {"If_None_Match": '"v1"'}, 200),
    # If-None-Match decides alone when present.
    ("/tagged", {"If_None_Match": '"v2"', "If_Modified_Since": LATER}, 200),
    ("/tagged", {"If_None_Match": '"v1"', "If_Modified_Since": EARLIER}, 304),
    # No validator, an error or another success status: never a 304.
    ("/plain", {"If_None_Match": "*"}, 200),
    ("/plain", {"If_Modified_Since": LATER}, 200),
    ("/missing", {"If_None_Match": '"v1"'}, 404),
    ("/created", {"If_None_Match": '"v1"'}, 201),
    ("/returned", {"If_None_Match": '"o1"'}, 304),
    ("/returned", {"If_None_Match": '"v1"'}, 200),
    ("/returned-404", {"If_None_Match": '"o1"'}, 404),
    ("/html", {"If_None_Match": '"t1"'}, 304),
]


@pytest.mark.parametrize(("path", "headers", "status"), MATRIX)
def test_conditional_get(path: str, headers: dict[str, str], status: int) -> None:
    code, sent, body = get(path, **headers)
    assert code == status
    names = [name for name, _ in sent]
    if status == 304:
        assert body == b""
        assert "content-length" not in names
        assert "content-type" not in names
    else:
        assert body
        assert "content-length" in names


def test_a_304_carries_exactly_the_caching_headers_and_the_temporal_cookies() -> None:
    status, headers, body = get("/tagged", If_None_Match='"v1"')
    assert (status, body) == (304, b"")
    assert headers == [
        ("etag", '"v1"'),
        ("cache-control", "private, max-age=60"),
        ("vary", "Accept"),
        ("expires", LATER),
        ("content-location", "/tagged"),
        ("set-cookie", "seen=1; Path=/; SameSite=Lax"),
    ]
    status, headers, body = get("/tagged")
    assert status == 200
    assert headers == [
        ("content-length", "8"),
        ("etag", '"v1"'),
        ("last-modified", HTTP_MODIFIED),
        ("cache-control", "private, max-age=60"),
        ("vary", "Accept"),
        ("link", '</next>; rel="next"'),
        ("x-total-count", "1"),
        ("expires", LATER),
        ("content-location", "/tagged"),
        ("set-cookie", "seen=1; Path=/; SameSite=Lax"),
        ("content-type", "application/json"),
    ]


def test_a_returned_response_becomes_a_304_with_the_temporal_cookies() -> None:
    assert get("/returned", If_None_Match='"o1"') == (
        304,
        [
            ("etag", '"o1"'),
            ("cache-control", "no-cache"),
            ("set-cookie", "seen=1; Path=/; SameSite=Lax"),
        ],
        b"",
    )


def test_head_is_answered_304_like_get() -> None:
    assert get("/tagged", "HEAD", If_None_Match='"v1"')[0] == 304
    status, headers, body = get("/tagged", "HEAD", If_None_Match='"v2"')
    assert (status, body) == (200, b"")
    assert ("content-length", "8") in headers


def test_unsafe_methods_are_never_answered_304() -> None:
    assert get("/tagged", "POST", If_None_Match='"v1"')[0] == 200
    assert get("/tagged", "POST", If_Modified_Since=LATER)[0] == 200


def test_a_stream_answered_304_is_not_produced() -> None:
    produced.clear()
    assert get("/stream", If_None_Match='"s1"') == (304, [("etag", '"s1"')], b"")
    assert produced == []
    assert get("/stream")[2] == b"hello"
    assert produced == ["chunk"]


def test_a_returned_file_is_answered_304_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello")
    app = Transom()

    @app.get("/file")
    def file() -> FileResponse:
        return FileResponse(path)

    files = TestClient(app)
    first = files.get("/file")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in (
        {"If-None-Match": etag},
        {"If-Modified-Since": modified},
        {"If-None-Match": etag, "Range": "bytes=0-1"},
    ):
        response = files.get("/file", headers=headers)
        assert (response.status_code, response.content) == (304, b"")
        assert response.headers.multi_items() == [("etag", etag)]
    assert files.get("/file", headers={"If-None-Match": '"other"'}).text == "hello"
