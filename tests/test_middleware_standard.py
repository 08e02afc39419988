"""GZipMiddleware, TrustedHostMiddleware and HTTPSRedirectMiddleware as a client sees them."""

import gzip
import zlib
from collections.abc import AsyncIterator

import anyio
import pytest

from tests._asgi import call_raw, http_scope
from transom import (
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
    Transom,
    WebSocket,
)
from transom._types import Message
from transom.middleware.gzip import GZipMiddleware, accepts_gzip
from transom.middleware.httpsredirect import HTTPSRedirectMiddleware
from transom.middleware.trustedhost import TrustedHostMiddleware
from transom.testclient import TestClient, WebSocketDenialResponse

TEXT = "hello " * 200  # 1200 bytes


def gzip_app(**options: int) -> Transom:
    app = Transom()
    app.add_middleware(GZipMiddleware, **options)

    @app.get("/big")
    def big(response: Response) -> PlainTextResponse:
        response.headers["Vary"] = "Origin"
        return PlainTextResponse(TEXT)

    @app.get("/small")
    def small() -> PlainTextResponse:
        return PlainTextResponse("tiny")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(3):
                yield TEXT.encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/encoded")
    def encoded() -> Response:
        return Response(b"x" * 1000, headers={"Content-Encoding": "br"})

    @app.get("/image")
    def image() -> Response:
        return Response(b"x" * 1000, media_type="image/png")

    @app.get("/events")
    def events() -> Response:
        return Response(b"data: x\n\n" * 100, media_type="text/event-stream")

    @app.get("/partial")
    def partial() -> Response:
        return Response(b"x" * 1000, status_code=206)

    @app.get("/empty", status_code=204)
    def empty() -> None:
        return None

    return app


def raw_get(app: Transom, path: str, accept: str = "gzip") -> list[Message]:
    scope = http_scope("GET", path)
    scope["headers"] = [*scope["headers"], (b"accept-encoding", accept.encode())]
    return anyio.run(call_raw, app, "GET", False, scope)


def test_a_large_body_is_compressed_with_vary_merged() -> None:
    sent = raw_get(gzip_app(), "/big")
    headers = dict(sent[0]["headers"])
    assert headers[b"content-encoding"] == b"gzip"
    assert headers[b"vary"] == b"Origin, Accept-Encoding"
    assert gzip.decompress(sent[1]["body"]).decode() == TEXT
    assert headers[b"content-length"] == str(len(sent[1]["body"])).encode()


def test_the_test_client_reads_it_transparently() -> None:
    response = TestClient(gzip_app()).get("/big", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == TEXT


def test_without_gzip_accepted_the_body_is_as_is_but_varies() -> None:
    for accept in ("identity", "gzip;q=0", "br", "*;q=0"):
        sent = raw_get(gzip_app(), "/big", accept)
        headers = dict(sent[0]["headers"])
        assert b"content-encoding" not in headers
        assert headers[b"vary"] == b"Origin, Accept-Encoding"
        assert sent[1]["body"] == TEXT.encode()


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("gzip", True),
        ("GZIP, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("*, gzip;q=0", False),
        ("gzip;q=0", False),
        ("gzip;q=zero", False),
        ("", False),
        ("identity", False),
    ],
)
def test_accept_encoding_is_parsed_with_q_values(value: str, accepted: bool) -> None:
    assert accepts_gzip(value) is accepted


@pytest.mark.parametrize("path", ["/small", "/encoded", "/image", "/events", "/partial", "/empty"])
def test_responses_left_alone(path: str) -> None:
    sent = raw_get(gzip_app(), path)
    headers = dict(sent[0]["headers"])
    assert headers.get(b"content-encoding") in (None, b"br")
    assert b"accept-encoding" not in headers.get(b"vary", b"").lower()


def test_excluded_types_match_families_and_grpc_variants() -> None:
    middleware = GZipMiddleware(gzip_app())
    assert middleware.excluded("application/grpc+proto")
    assert middleware.excluded("VIDEO/mp4; codecs=x")
    assert not middleware.excluded("text/html; charset=utf-8")


def test_a_stream_is_compressed_chunk_by_chunk() -> None:
    sent = raw_get(gzip_app(), "/stream")
    headers = dict(sent[0]["headers"])
    assert headers[b"content-encoding"] == b"gzip"
    assert b"content-length" not in headers
    bodies = [message["body"] for message in sent[1:]]
    decompressor = zlib.decompressobj(31)
    # Each chunk is flushed: it decompresses on its own as it arrives.
    assert decompressor.decompress(bodies[0]) == TEXT.encode()
    rest = b"".join(decompressor.decompress(body) for body in bodies[1:])
    assert rest == TEXT.encode() * 2


def test_the_minimum_size_and_level_are_options() -> None:
    sent = raw_get(gzip_app(minimum_size=2, compresslevel=1), "/small")
    assert dict(sent[0]["headers"])[b"content-encoding"] == b"gzip"
    with pytest.raises(ValueError, match="compresslevel must be 1 to 9, got 0"):
        GZipMiddleware(gzip_app(), compresslevel=0)
    with pytest.raises(ValueError, match="minimum_size must be >= 0"):
        GZipMiddleware(gzip_app(), minimum_size=-1)


def test_gzip_passes_websockets_through() -> None:
    app = gzip_app()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hi")

    with TestClient(app).websocket_connect("/ws") as session:
        assert session.receive_text() == "hi"


def trusted_app(hosts: list[str] | None, **options: bool) -> Transom:
    app = Transom()
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, **options)

    @app.get("/")
    def home() -> JSONResponse:
        return JSONResponse("ok")

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("in")

    return app


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("example.com", 200),
        ("EXAMPLE.com:8000", 200),
        ("api.example.org", 200),
        ("deep.api.example.org", 200),
        ("example.org", 400),  # a wildcard is for subdomains only
        ("evil.com", 400),
        ("example.com.evil.com", 400),
        ("[::1]:8000", 200),
        ("[::1", 400),
    ],
)
def test_only_allowed_hosts_pass(host: str, status: int) -> None:
    app = trusted_app(["example.com", "*.example.org", "[::1]"])
    response = TestClient(app, follow_redirects=False).get("/", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        assert response.text == "Invalid host header"


def test_a_missing_host_is_refused() -> None:
    scope = http_scope("GET", "/")
    scope["headers"] = []
    sent = anyio.run(call_raw, trusted_app(["example.com"]), "GET", False, scope)
    assert sent[0]["status"] == 400


def test_www_redirect() -> None:
    app = trusted_app(["www.example.com"])
    client = TestClient(app, base_url="http://example.com", follow_redirects=False)
    response = client.get("/?a=1")
    assert response.status_code == 307
    assert response.headers["location"] == "http://www.example.com/?a=1"
    off = TestClient(
        trusted_app(["www.example.com"], www_redirect=False), base_url="http://example.com"
    )
    assert off.get("/").status_code == 400


def test_any_host_and_bad_patterns() -> None:
    assert TestClient(trusted_app(None)).get("/", headers={"Host": "x.y"}).status_code == 200
    for pattern in ("example.*", "*example.com", "a.*.com"):
        with pytest.raises(ValueError, match="Domain wildcard patterns must be like"):
            TrustedHostMiddleware(trusted_app(None), allowed_hosts=[pattern])


def test_a_websocket_to_an_untrusted_host_is_refused() -> None:
    client = TestClient(trusted_app(["example.com"]), base_url="http://evil.com")
    with pytest.raises(WebSocketDenialResponse) as denied, client.websocket_connect("/ws"):
        pass  # pragma: no cover
    assert (denied.value.status_code, denied.value.text) == (400, "Invalid host header")
    trusted = TestClient(trusted_app(["example.com"]), base_url="http://example.com")
    with trusted.websocket_connect("/ws") as session:
        assert session.receive_text() == "in"


def https_app() -> Transom:
    app = Transom()
    app.add_middleware(HTTPSRedirectMiddleware)

    @app.get("/")
    def home() -> str:
        return "secure"

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()  # pragma: no cover

    return app


@pytest.mark.parametrize(
    ("base", "location"),
    [
        ("http://example.com", "https://example.com/p?q=1"),
        ("http://example.com:80", "https://example.com/p?q=1"),
        ("http://example.com:8080", "https://example.com:8080/p?q=1"),
        ("http://[::1]:80", "https://[::1]/p?q=1"),
    ],
)
def test_http_is_redirected_to_https(base: str, location: str) -> None:
    client = TestClient(https_app(), base_url=base, follow_redirects=False)
    response = client.post("/p?q=1")
    assert response.status_code == 307
    assert response.headers["location"] == location


def test_https_passes_and_websockets_are_redirected() -> None:
    assert TestClient(https_app(), base_url="https://example.com").get("/").json() == "secure"
    client = TestClient(https_app(), base_url="http://example.com")
    with pytest.raises(WebSocketDenialResponse) as denied, client.websocket_connect("/ws"):
        pass  # pragma: no cover
    assert denied.value.status_code == 307
    assert denied.value.headers["location"] == "wss://example.com/ws"


def test_a_request_without_a_host_gets_400_and_a_handshake_without_denial_is_closed() -> None:
    scope = http_scope("GET", "/")
    scope["headers"] = []
    sent = anyio.run(call_raw, https_app(), "GET", False, scope)
    assert (sent[0]["status"], sent[1]["body"]) == (400, b"Invalid host header")

    closed: list[Message] = []

    async def receive() -> Message:
        raise AssertionError  # pragma: no cover

    async def send(message: Message) -> None:
        closed.append(message)

    ws_scope = {"type": "websocket", "scheme": "ws", "path": "/ws", "headers": [(b"host", b"a.b")]}
    anyio.run(https_app(), ws_scope, receive, send)
    assert closed == [{"type": "websocket.close", "code": 1008, "reason": ""}]
