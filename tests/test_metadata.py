"""Declared response headers and cookies: checks, layering, and their run-time uses."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from tests._asgi import call_raw
from transom import APIRouter, HTTPException, JSONResponse, Response, Transom
from transom.exceptions import CookieError, HeaderError
from transom.metadata import (
    ResponseContractError,
    ResponseCookie,
    ResponseHeader,
    applies_to,
    layer_declarations,
)
from transom.middleware.cors import CORSMiddleware
from transom.routing import APIRoute
from transom.testclient import TestClient

TOTAL = ResponseHeader("X-Total-Count", "Total items", annotation=int, required=True)
SESSION = ResponseCookie("session", "Session id", path="/app", secure=True, httponly=True)


@pytest.mark.parametrize(
    ("statuses", "status", "expected"),
    [
        (None, 200, True),
        (None, 301, True),
        (None, 404, False),
        (None, "default", False),
        ((200,), 200, True),
        ((200,), 201, False),
        (("2XX",), 201, True),
        (("4XX", 500), 404, True),
        (("4XX",), 200, False),
        (("200",), 200, True),
    ],
)
def test_applies_to(statuses: Any, status: int, expected: bool) -> None:
    assert applies_to(statuses, status) is expected


@pytest.mark.parametrize(
    ("make", "error", "rule"),
    [
        (lambda: ResponseHeader("Bad Name"), HeaderError, "not a valid token"),
        (lambda: ResponseHeader("X-V", value="a\nb"), HeaderError, "CR or LF"),
        (
            lambda: ResponseCookie("__Host-id", domain="example.com", secure=True),
            CookieError,
            "__Host-",
        ),
        (lambda: ResponseCookie("c", samesite="none"), CookieError, "requires secure=True"),
        (lambda: ResponseCookie("c", partitioned=True), CookieError, "Partitioned"),
        (lambda: ResponseCookie("bad name"), CookieError, "not a valid token"),
    ],
)
def test_declarations_are_checked_when_made(make: Any, error: type[Exception], rule: str) -> None:
    with pytest.raises(error, match=rule):
        make()


def test_same_name_declared_twice_differently_on_one_layer_is_refused() -> None:
    with pytest.raises(ValueError, match="declared twice, differently"):
        layer_declarations(
            [[ResponseHeader("X-A", annotation=int), ResponseHeader("x-a", annotation=str)]],
            "route GET /",
        )
    # The same declaration twice is harmless.
    assert layer_declarations([[TOTAL, TOTAL]], "route GET /") == (TOTAL,)


def test_route_with_conflicting_declarations_fails_at_startup() -> None:
    app = Transom()
    with pytest.raises(ValueError, match=r"route GET /items: response header 'X-A'"):

        @app.get(
            "/items",
            response_headers=[ResponseHeader("X-A", "one"), ResponseHeader("X-A", "two")],
        )
        def items() -> None: ...


def test_closest_layer_wins_by_name() -> None:
    app = Transom(response_headers=[ResponseHeader("X-Layer", "app"), ResponseHeader("X-App")])
    router = APIRouter(response_headers=[ResponseHeader("x-layer", "router")])

    @router.get("/a")
    def a() -> None: ...

    @router.get("/b", response_headers=[ResponseHeader("X-LAYER", "route")])
    def b() -> None: ...

    app.include_router(router)

    @app.get("/c")
    def c() -> None: ...

    found = {
        route.path: {h.name: h.description for h in route.response_headers}
        for route in app.routes
        if isinstance(route, APIRoute)
    }
    assert found["/a"] == {"x-layer": "router", "X-App": ""}
    assert found["/b"] == {"X-LAYER": "route", "X-App": ""}
    assert found["/c"] == {"X-Layer": "app", "X-App": ""}


def test_delete_cookie_repeats_the_declared_attributes() -> None:
    app = Transom()

    @app.post("/logout", response_cookies=[SESSION])
    def logout(response: Response) -> None:
        response.delete_cookie("session")

    r = TestClient(app).post("/logout")
    assert r.headers.get_list("set-cookie") == [
        "session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app; Secure; "
        "HttpOnly; SameSite=Lax"
    ]


def test_static_header_value_is_sent_unless_the_route_sets_it() -> None:
    version = ResponseHeader("X-API-Version", "API version", value="2")
    app = Transom(response_headers=[version])

    @app.get("/default")
    def default() -> dict[str, int]:
        return {"a": 1}

    @app.get("/own")
    def own(response: Response) -> dict[str, int]:
        response.headers["X-API-Version"] = "3"
        return {"a": 1}

    @app.get("/returned")
    def returned() -> JSONResponse:
        return JSONResponse({"a": 1})

    client = TestClient(app)
    assert client.get("/default").headers.get_list("x-api-version") == ["2"]
    assert client.get("/own").headers.get_list("x-api-version") == ["3"]
    assert client.get("/returned").headers.get_list("x-api-version") == ["2"]


def test_static_header_only_for_its_statuses() -> None:
    retry = ResponseHeader("Retry-After", value="30", statuses=[503])
    app = Transom()

    @app.get("/ok", response_headers=[retry])
    def ok() -> str:
        return "ok"

    @app.get("/busy", response_headers=[retry], status_code=503)
    def busy() -> str:
        return "busy"

    client = TestClient(app)
    assert "retry-after" not in client.get("/ok").headers
    assert client.get("/busy").headers["retry-after"] == "30"


def _counting_app(send_it: bool, *, debug: bool = False, path: str = "/items") -> Transom:
    app = Transom(debug=debug)

    @app.get(path, response_headers=[TOTAL])
    def items(response: Response) -> list[int]:
        if send_it:
            response.headers["X-Total-Count"] = "2"
        return [1, 2]

    return app


def test_required_declared_header_sent_passes_under_test_client() -> None:
    assert TestClient(_counting_app(True)).get("/items").headers["x-total-count"] == "2"


def test_required_declared_header_missing_fails_loudly_under_test_client() -> None:
    with pytest.raises(ResponseContractError, match="'X-Total-Count' as required"):
        TestClient(_counting_app(False)).get("/items")


def test_required_check_also_in_debug_mode_outside_the_test_client() -> None:
    # Outside the test client (a bare ASGI call) only debug mode checks.
    with pytest.raises(ResponseContractError):
        anyio.run(call_raw, _counting_app(False, debug=True, path="/"))
    messages = anyio.run(call_raw, _counting_app(False, path="/"))
    assert messages[0]["status"] == 200


def test_required_only_for_its_statuses() -> None:
    app = Transom()
    header = ResponseHeader("X-Total-Count", required=True, statuses=[200])

    @app.get("/items", response_headers=[header])
    def items() -> list[int]:
        raise HTTPException(404)

    assert TestClient(app).get("/items").status_code == 404


def test_cors_can_expose_every_declared_header() -> None:
    app = Transom(response_headers=[ResponseHeader("X-Request-Id")])
    app.add_middleware(
        CORSMiddleware, allow_origins=["https://spa.example"], expose_headers="declared"
    )

    @app.get("/items", response_headers=[TOTAL, ResponseHeader("x-request-id")])
    def items(response: Response) -> list[int]:
        response.headers["X-Total-Count"] = "0"
        return []

    r = TestClient(app).get("/items", headers={"Origin": "https://spa.example"})
    # The route's own spelling of X-Request-Id is the closest declaration.
    assert r.headers["access-control-expose-headers"] == "x-request-id, X-Total-Count"


def test_cors_declared_needs_a_transom_app() -> None:
    async def bare(scope: Any, receive: Any, send: Any) -> None: ...

    middleware = CORSMiddleware(
        bare, allow_origins=["https://a.example"], expose_headers="declared"
    )

    async def call() -> None:
        async def receive() -> Any: ...

        async def send(message: Any) -> None: ...

        scope = {"type": "http", "method": "GET", "headers": [], "path": "/"}
        await middleware(scope, receive, send)

    with pytest.raises(RuntimeError, match="needs a Transom app"):
        anyio.run(call)
