"""Conditional requests end to end: what a client sees (status, exact headers, body)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from transom import (
    APIRouter,
    CacheControl,
    FileResponse,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Request,
    Response,
    StreamingResponse,
    Transom,
)
from transom.http.caching import body_etag
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


# --- Route options: cache_control= and etag= -------------------------------------------

MINUTE = CacheControl(max_age=60, public=True)


def layered_app() -> Transom:
    app = Transom(cache_control=CacheControl(max_age=10), etag=True)
    router = APIRouter(prefix="/r", cache_control=MINUTE)
    inner = APIRouter(prefix="/i")

    @inner.get("/inherits")
    def inherits() -> dict[str, int]:
        return {"a": 1}

    @inner.get("/own", cache_control=CacheControl(no_store=True), etag=False)
    def own() -> dict[str, int]:
        return {"a": 1}

    @router.get("/router")
    def router_level() -> dict[str, int]:
        return {"a": 1}

    router.include_router(inner, cache_control=CacheControl(private=True, max_age=5))

    @app.get("/app")
    def app_level() -> dict[str, int]:
        return {"a": 1}

    @app.get("/handler-wins")
    def handler_wins(response: Response) -> dict[str, int]:
        response.set_cache_control(no_cache=True)
        response.set_etag("mine")
        return {"a": 1}

    @app.get("/text", response_class=PlainTextResponse)
    def text() -> str:
        return "hello"

    @app.get("/created", status_code=201)
    def created() -> dict[str, int]:
        return {"a": 1}

    @app.get("/missing", responses={404: {"description": "Not here."}})
    def missing() -> None:
        raise HTTPException(404, "Not here.")

    @app.get("/redirect")
    def redirect() -> RedirectResponse:
        return RedirectResponse("/app")

    app.include_router(router)
    return app


layered = TestClient(layered_app())
A1 = '"2c6b113b8dd15ffbded9860b43eb0c6c"'  # body_etag(b'{"a":1}')


@pytest.mark.parametrize(
    ("path", "status", "headers"),
    [
        ("/app", 200, [("cache-control", "max-age=10"), ("etag", A1)]),
        ("/r/router", 200, [("cache-control", "public, max-age=60"), ("etag", A1)]),
        ("/r/i/inherits", 200, [("cache-control", "private, max-age=5"), ("etag", A1)]),
        ("/r/i/own", 200, [("cache-control", "no-store")]),
        ("/handler-wins", 200, [("cache-control", "no-cache"), ("etag", '"mine"')]),
        (
            "/text",
            200,
            [("etag", '"46fb7408d4f285228f4af516ea25851b"'), ("cache-control", "max-age=10")],
        ),
        ("/created", 201, [("cache-control", "max-age=10")]),
        ("/missing", 404, []),
        ("/redirect", 307, [("location", "/app")]),
    ],
)
def test_route_options_are_layered_the_closest_winning(
    path: str, status: int, headers: list[tuple[str, str]]
) -> None:
    response = layered.get(path, follow_redirects=False)
    assert response.status_code == status
    content = {"content-length", "content-type"}
    assert [pair for pair in response.headers.multi_items() if pair[0] not in content] == headers


def test_etag_true_answers_revalidations_with_a_304() -> None:
    for path in ("/app", "/text"):
        etag = layered.get(path).headers["etag"]
        response = layered.get(path, headers={"If-None-Match": etag})
        assert (response.status_code, response.content) == (304, b"")
        assert sorted(response.headers.multi_items()) == [
            ("cache-control", "max-age=10"),
            ("etag", etag),
        ]
    assert layered.get("/app", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_the_etag_is_the_blake2b_digest_of_the_body() -> None:
    assert body_etag(b'{"a":1}') == A1.encode()
    assert body_etag(b"hello") == b'"46fb7408d4f285228f4af516ea25851b"'


def test_openapi_documents_the_headers_of_the_success_response() -> None:
    document = layered.get("/openapi.json").json()
    ok = document["paths"]["/r/router"]["get"]["responses"]["200"]
    assert ok["headers"] == {
        "Cache-Control": {
            "description": "How caches may store and reuse this response (RFC 9111).",
            "required": True,
            "schema": {"type": "string"},
            "example": "public, max-age=60",
        },
        "ETag": {
            "description": "A strong entity tag of the body; send it back in If-None-Match "
            "to get a 304 Not Modified while it is unchanged.",
            "required": False,
            "schema": {"type": "string"},
            "example": '"5d41402abc4b2a76b9719d911017c592"',
        },
    }
    own = document["paths"]["/r/i/own"]["get"]["responses"]["200"]["headers"]
    assert list(own) == ["Cache-Control"]
    assert own["Cache-Control"]["example"] == "no-store"
    created = document["paths"]["/created"]["get"]["responses"]["201"]["headers"]
    assert list(created) == ["Cache-Control"]
    assert "headers" not in document["paths"]["/missing"]["get"]["responses"]["404"]


def test_openapi_has_no_caching_headers_without_the_options() -> None:
    document = TestClient(app).get("/openapi.json").json()
    assert "headers" not in document["paths"]["/plain"]["get"]["responses"]["200"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Transom(cache_control="max-age=60"), "cache_control= takes a CacheControl"),  # type: ignore[arg-type]
        (lambda: APIRouter(etag="yes"), r"APIRouter: etag= takes True or False"),  # type: ignore[arg-type]
        (
            lambda: Transom().get("/", cache_control={"max_age": 1})(lambda: None),  # type: ignore[arg-type]
            r"route GET /: cache_control= takes a CacheControl",
        ),
        (
            lambda: Transom().include_router(APIRouter(), etag=1),
            "include_router: etag= takes True or False",
        ),
    ],
)
def test_caching_options_are_checked_when_declared(
    make: Callable[[], object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        make()


# --- Preconditions of unsafe methods: the 412 ---------------------------------------------

store: dict[str, tuple[str, datetime]] = {}
LATER_MOMENT = datetime(2015, 10, 22, 7, 28, tzinfo=UTC)


def precondition_app() -> Transom:
    app = Transom()

    @app.api_route("/docs/{name}", methods=["GET", "PUT", "DELETE"])
    def change(name: str, request: Request, response: Response) -> dict[str, str]:
        found = store.get(name)
        if found is None:
            request.check_preconditions(exists=False)
        else:
            request.check_preconditions(etag=found[0], last_modified=found[1])
        if request.method == "PUT":
            store[name] = ("v2", LATER_MOMENT)
        response.set_etag(store.get(name, ("none",))[0])
        return {"name": name}

    return app


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("PUT", {}, 200),
        ("PUT", {"If-Match": '"v1"'}, 200),
        ("PUT", {"If-Match": '"v0", "v1"'}, 200),
        ("PUT", {"If-Match": "*"}, 200),
        ("PUT", {"If-Match": '"v0"'}, 412),
        ("PUT", {"If-Match": 'W/"v1"'}, 412),
        ("DELETE", {"If-Unmodified-Since": HTTP_MODIFIED}, 200),
        ("DELETE", {"If-Unmodified-Since": LATER}, 200),
        ("DELETE", {"If-Unmodified-Since": EARLIER}, 412),
        ("DELETE", {"If-Unmodified-Since": "not a date"}, 200),
        ("DELETE", {"If-Match": '"v1"', "If-Unmodified-Since": EARLIER}, 200),
        ("PUT", {"If-None-Match": "*"}, 412),
        ("PUT", {"If-None-Match": '"v1"'}, 412),
        ("PUT", {"If-None-Match": '"v0"'}, 200),
        ("GET", {"If-Match": '"v0"'}, 412),
    ],
)
def test_check_preconditions(method: str, headers: dict[str, str], status: int) -> None:
    store.clear()
    store["a"] = ("v1", MODIFIED)
    response = TestClient(precondition_app()).request(method, "/docs/a", headers=headers)
    assert response.status_code == status
    if status == 412:
        assert response.json()["detail"].startswith("Precondition failed: ")
        assert store["a"] == ("v1", MODIFIED)  # nothing changed


def test_a_failed_if_match_names_the_rule() -> None:
    store.clear()
    store["a"] = ("v1", MODIFIED)
    response = TestClient(precondition_app()).put("/docs/a", headers={"If-Match": '"v0"'})
    assert response.status_code == 412
    assert response.json() == {
        "detail": "Precondition failed: If-Match does not match the resource's current "
        "entity tag. Fetch the resource again and retry with its ETag."
    }


def test_create_only_put_and_missing_resources() -> None:
    store.clear()
    client = TestClient(precondition_app())
    assert client.put("/docs/new", headers={"If-Match": "*"}).status_code == 412
    assert client.put("/docs/new", headers={"If-None-Match": "*"}).status_code == 200
    assert client.put("/docs/new", headers={"If-None-Match": "*"}).status_code == 412
    assert client.put("/docs/new", headers={"If-Match": '"v2"'}).status_code == 200


def test_check_preconditions_refuses_bad_arguments() -> None:
    request = Request({"type": "http", "method": "PUT", "headers": []})
    with pytest.raises(ValueError, match="etagc characters"):
        request.check_preconditions(etag="two words")
    with pytest.raises(ValueError, match="needs an aware datetime"):
        request.check_preconditions(last_modified=datetime(2020, 1, 1))
    request.check_preconditions(etag="v1", last_modified=MODIFIED)  # no conditions: passes
