"""FastAPI's "Advanced Middleware" page, ported by changing the imports
(`tests/docs_examples/`): HTTPS redirect, trusted hosts and GZip answer as on FastAPI."""

import gzip
import importlib
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from fastapi.responses import PlainTextResponse as FastAPIText

from tests._fastapi_twin import forget_twins, on_fastapi, seen
from tests.docs_examples import middleware_001, middleware_002
from transom.responses import PlainTextResponse
from transom.testclient import TestClient

HELLO = [("content-length", "25"), ("content-type", "application/json")]


@pytest.fixture(scope="module", autouse=True)
def _forget_twins() -> Iterator[None]:
    yield
    forget_twins()


# HTTPSRedirectMiddleware ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("http://testserver/", "https://testserver/"),
        ("http://testserver/?q=1", "https://testserver/?q=1"),
        ("http://example.com:80/a", "https://example.com/a"),
        ("http://example.com:8080/a", "https://example.com:8080/a"),
    ],
)
def test_http_is_redirected_to_https(url: str, location: str) -> None:
    for app in (middleware_001.app, on_fastapi(middleware_001).app):
        response = TestClient(app, follow_redirects=False).get(url)
        assert response.status_code == 307
        assert list(response.headers.multi_items()) == [
            ("content-length", "0"),
            ("location", location),
        ]


def test_https_is_served() -> None:
    response = TestClient(middleware_001.app, base_url="https://testserver").get("/")
    assert (response.status_code, response.json()) == (200, {"message": "Hello World"})
    assert list(response.headers.multi_items()) == HELLO


# TrustedHostMiddleware --------------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["example.com", "subdomain.example.com", "a.b.example.com", "example.com:8000"]
)
def test_an_allowed_host_is_served(host: str) -> None:
    response = TestClient(middleware_002.app, base_url=f"http://{host}").get("/")
    assert (response.status_code, response.json()) == (200, {"message": "Hello World"})


@pytest.mark.parametrize(
    "host", ["invalidhost", "example.org", "notexample.com", "example.com.evil"]
)
def test_another_host_is_a_400(host: str) -> None:
    for app in (middleware_002.app, on_fastapi(middleware_002).app):
        response = TestClient(app, base_url=f"http://{host}").get("/")
        assert (response.status_code, response.text) == (400, "Invalid host header")
        assert list(response.headers.multi_items()) == [
            ("content-length", "19"),
            ("content-type", "text/plain; charset=utf-8"),
        ]


# GZipMiddleware ---------------------------------------------------------------------------


def add_large(app: Any, text: Any) -> None:
    """FastAPI's test route: a plain text body well above the minimum size."""

    async def large() -> Any:
        return text("x" * 4000)

    app.add_api_route("/large", large, methods=["GET"], response_model=None)


@pytest.fixture
def gzipped() -> Iterator[tuple[ModuleType, ModuleType]]:
    """The example on Transom and on FastAPI, each with FastAPI's test route `/large`."""
    sys.modules.pop("tests.docs_examples.middleware_003", None)
    module = importlib.import_module("tests.docs_examples.middleware_003")
    twin = on_fastapi(module)
    add_large(module.app, PlainTextResponse)
    add_large(twin.app, FastAPIText)

    yield module, twin
    sys.modules.pop("tests.docs_examples.middleware_003", None)


def test_a_large_body_is_compressed_for_a_client_that_accepts_gzip(
    gzipped: tuple[ModuleType, ModuleType],
) -> None:
    module, twin = gzipped
    headers = {"accept-encoding": "gzip"}
    response = TestClient(module.app).get("/large", headers=headers)
    assert response.status_code == 200
    assert response.text == "x" * 4000
    assert list(response.headers.multi_items()) == [
        ("content-length", "39"),
        ("content-type", "text/plain; charset=utf-8"),
        ("vary", "Accept-Encoding"),
        ("content-encoding", "gzip"),
    ]
    assert seen(response) == seen(TestClient(twin.app).get("/large", headers=headers))


def test_the_compressed_bytes_are_gzip_at_the_given_level(
    gzipped: tuple[ModuleType, ModuleType],
) -> None:
    module, _ = gzipped
    client = TestClient(module.app)
    with client.stream("GET", "/large", headers={"accept-encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert gzip.decompress(raw) == b"x" * 4000
    assert len(raw) == 39


def test_a_large_body_goes_out_as_it_is_without_gzip(
    gzipped: tuple[ModuleType, ModuleType],
) -> None:
    module, twin = gzipped
    headers = {"accept-encoding": "identity"}
    response = TestClient(module.app).get("/large", headers=headers)
    assert response.text == "x" * 4000
    assert list(response.headers.multi_items()) == [
        ("content-length", "4000"),
        ("content-type", "text/plain; charset=utf-8"),
        ("vary", "Accept-Encoding"),
    ]
    assert seen(response) == seen(TestClient(twin.app).get("/large", headers=headers))


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_body_below_the_minimum_size_is_never_compressed(
    gzipped: tuple[ModuleType, ModuleType], encoding: str
) -> None:
    module, twin = gzipped
    headers = {"accept-encoding": encoding}
    response = TestClient(module.app).get("/", headers=headers)
    assert (response.status_code, response.content) == (200, b'"somebigcontent"')
    assert list(response.headers.multi_items()) == [
        ("content-length", "16"),
        ("content-type", "application/json"),
    ]
    assert seen(response) == seen(TestClient(twin.app).get("/", headers=headers))
