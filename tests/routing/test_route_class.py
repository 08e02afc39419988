"""`route_class=`: custom `APIRoute` subclasses and FastAPI's `get_route_handler` hook."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Annotated, Any

import anyio
import pytest

from tests._fastapi_twin import forget_twins, on_fastapi
from tests.docs_examples import custom_route_class
from transom import (
    APIRouter,
    BackgroundTasks,
    Body,
    DeclarationError,
    Depends,
    HTTPException,
    JSONResponse,
    Request,
    Response,
    Transom,
)
from transom.exceptions import RequestValidationError
from transom.routing import APIRoute, RouteHandler
from transom.testclient import TestClient


@pytest.fixture(scope="module", autouse=True)
def _forget_twins() -> Iterator[None]:
    yield
    forget_twins()


# The documented example: a router whose routes time themselves -----------------------


def test_a_timed_route_sends_its_duration() -> None:
    for app in (custom_route_class.app, on_fastapi(custom_route_class).app):
        client = TestClient(app)
        response = client.get("/timed")
        assert response.json() == {"message": "It's the time of my life"}
        assert float(response.headers["x-response-time"]) >= 0
        response = client.get("/")
        assert response.json() == {"message": "Not timed"}
        assert "x-response-time" not in response.headers


def test_the_timed_route_sends_exactly_its_headers() -> None:
    response = TestClient(custom_route_class.app).get("/timed")
    names = [name for name, _ in response.headers.multi_items()]
    assert names == ["content-length", "content-type", "x-response-time"]
    assert response.headers["content-length"] == str(len(response.content))


# FastAPI's "Custom Request and APIRoute class" page -----------------------------------


class GzipRequest(Request):
    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            body = await super().body()
            if "gzip" in self.headers.getlist("Content-Encoding"):
                body = gzip.decompress(body)
            self._body = body
        return self._body


class GzipRoute(APIRoute):
    def get_route_handler(self) -> RouteHandler:
        original_route_handler = super().get_route_handler()

        async def custom_route_handler(request: Request) -> Any:
            request = GzipRequest(request.scope, request.receive)
            return await original_route_handler(request)

        return custom_route_handler


def gzip_app() -> Transom:
    app = Transom()
    app.router.route_class = GzipRoute

    @app.post("/sum")
    async def sum_numbers(numbers: Annotated[list[int], Body()]) -> dict[str, int]:
        return {"sum": sum(numbers)}

    @app.get("/check-class")
    async def check_class(request: Request) -> dict[str, str]:
        return {"request_class": type(request).__name__}

    return app


@pytest.mark.parametrize("compress", [True, False])
def test_a_request_subclass_reads_a_gzip_body(compress: bool) -> None:
    data = json.dumps([1] * 1000).encode()
    headers = {"content-type": "application/json"}
    if compress:
        data = gzip.compress(data)
        headers["content-encoding"] = "gzip"
    response = TestClient(gzip_app()).post("/sum", content=data, headers=headers)
    assert (response.status_code, response.json()) == (200, {"sum": 1000})


def test_the_endpoint_gets_the_request_the_handler_made() -> None:
    response = TestClient(gzip_app()).get("/check-class")
    assert response.json() == {"request_class": "GzipRequest"}


class ValidationErrorLoggingRoute(APIRoute):
    def get_route_handler(self) -> RouteHandler:
        original_route_handler = super().get_route_handler()

        async def custom_route_handler(request: Request) -> Any:
            try:
                return await original_route_handler(request)
            except RequestValidationError as exc:
                body = await request.body()
                detail = {"errors": exc.errors(), "body": body.decode()}
                raise HTTPException(status_code=422, detail=detail) from exc

        return custom_route_handler


def test_a_validation_error_is_raised_out_of_the_handler() -> None:
    app = Transom()
    app.router.route_class = ValidationErrorLoggingRoute

    @app.post("/")
    async def sum_numbers(numbers: Annotated[list[int], Body()]) -> int:
        return sum(numbers)

    client = TestClient(app)
    assert client.post("/", json=[1, 2]).json() == 3
    response = client.post("/", content=b"[1, 'x']", headers={"content-type": "application/json"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["body"] == "[1, 'x']"
    assert [error["type"] for error in detail["errors"]] == ["json_invalid"]


# What the route still does around a custom handler -----------------------------------


class HeaderRoute(APIRoute):
    """Adds a header to the response the original handler built."""

    def get_route_handler(self) -> RouteHandler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Any:
            response = await original(request)
            response.headers["x-route"] = type(self).__name__
            return response

        return handler


def test_the_temporal_response_is_merged_around_a_custom_handler() -> None:
    router = APIRouter(route_class=HeaderRoute)

    @router.get("/data", status_code=201)
    def data(response: Response) -> dict[str, int]:
        response.set_cookie("seen", "1")
        response.headers["x-data"] = "yes"
        return {"a": 1}

    @router.get("/object")
    def returned(response: Response) -> JSONResponse:
        response.set_cookie("seen", "2")
        return JSONResponse({"b": 2}, headers={"x-own": "kept"})

    app = Transom()
    app.include_router(router)
    client = TestClient(app)
    response = client.get("/data")
    assert (response.status_code, response.content) == (201, b'{"a":1}')
    assert list(response.headers.multi_items()) == [
        ("content-length", "7"),
        ("set-cookie", "seen=1; Path=/; SameSite=Lax"),
        ("x-data", "yes"),
        ("content-type", "application/json"),
        ("x-route", "HeaderRoute"),
    ]
    response = client.get("/object")
    assert response.content == b'{"b":2}'
    assert list(response.headers.multi_items()) == [
        ("x-own", "kept"),
        ("content-length", "7"),
        ("content-type", "application/json"),
        ("x-route", "HeaderRoute"),
        ("set-cookie", "seen=2; Path=/; SameSite=Lax"),
    ]


class ReplacingRoute(APIRoute):
    """Answers with a response of its own instead of the original handler's."""

    def get_route_handler(self) -> RouteHandler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Any:
            await original(request)
            return JSONResponse({"replaced": True}, status_code=202)

        return handler


DONE: list[str] = []


async def resource() -> AsyncIterator[str]:
    yield "db"
    DONE.append("closed")


def test_a_replaced_response_still_gets_the_temporal_cookies_and_tasks() -> None:
    done = DONE
    router = APIRouter(route_class=ReplacingRoute)

    @router.post("/items")
    def create(
        body: Annotated[dict[str, int], Body()],
        response: Response,
        tasks: BackgroundTasks,
        db: Annotated[str, Depends(resource)],
    ) -> dict[str, int]:
        response.set_cookie("made", "1")
        tasks.add_task(done.append, "task")
        return body

    app = Transom()
    app.include_router(router)
    response = TestClient(app).post("/items", json={"a": 1})
    assert (response.status_code, response.json()) == (202, {"replaced": True})
    assert response.headers.get_list("set-cookie") == ["made=1; Path=/; SameSite=Lax"]
    assert done == ["task", "closed"]


def test_a_handler_that_returns_no_response_is_an_error() -> None:
    class Forgetful(APIRoute):
        def get_route_handler(self) -> RouteHandler:
            original = super().get_route_handler()

            async def handler(request: Request) -> Any:
                await original(request)  # and forgets to return it

            return handler

    router = APIRouter(route_class=Forgetful)

    @router.get("/")
    def read() -> int:
        return 1

    app = Transom()
    app.include_router(router)
    with pytest.raises(
        TypeError,
        match=r"^route GET /: the handler of get_route_handler\(\) returned None, not a "
        r"response; return the response the original handler gave.",
    ):
        TestClient(app).get("/")
    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500


def test_the_route_handler_is_made_once_when_the_route_is_created() -> None:
    made: list[str] = []

    class Counting(APIRoute):
        def get_route_handler(self) -> RouteHandler:
            made.append(self.path)
            return super().get_route_handler()

    router = APIRouter(route_class=Counting)

    @router.get("/a")
    def a() -> int:
        return 1

    assert made == ["/a"]
    client = TestClient(Transom(routes=router.routes))
    assert [client.get("/a").json() for _ in range(3)] == [1, 1, 1]
    assert made == ["/a"]


def test_a_route_handler_runs_only_inside_its_route() -> None:
    route = HeaderRoute("/a", lambda: 1)
    handler = route.get_route_handler()
    request = Request({"type": "http", "method": "GET", "path": "/a", "headers": []})
    with pytest.raises(RuntimeError, match=r"^route GET /a: a route handler runs while"):
        anyio.run(handler, request)


# The class of the routes -------------------------------------------------------------


class RouteA(APIRoute):
    pass


class RouteB(APIRoute):
    pass


def test_each_route_keeps_its_routers_class_through_includes() -> None:
    router_a = APIRouter(route_class=RouteA)
    router_b = APIRouter(route_class=RouteB)

    @router_a.get("/")
    def get_a() -> str:
        return "A"

    @router_b.get("/")
    def get_b() -> str:
        return "B"

    router_a.include_router(router_b, prefix="/b")
    app = Transom()
    app.include_router(router_a, prefix="/a")
    client = TestClient(app)
    assert (client.get("/a").json(), client.get("/a/b").json()) == ("A", "B")
    assert [type(route) for route in router_a.routes] == [RouteA, RouteB]
    served = [route for route in app.routes if isinstance(route, APIRoute)]
    assert [(route.path, type(route)) for route in served] == [("/a/", RouteA), ("/a/b/", RouteB)]


def test_setting_route_class_later_applies_to_routes_declared_after() -> None:
    app = Transom()

    @app.get("/before")
    def before() -> int:
        return 1

    app.router.route_class = HeaderRoute

    @app.get("/after")
    def after() -> int:
        return 2

    client = TestClient(app)
    assert "x-route" not in client.get("/before").headers
    assert client.get("/after").headers["x-route"] == "HeaderRoute"


def test_a_subclass_may_override_handle() -> None:
    class Tracking(APIRoute):
        calls = 0

        async def handle(self, scope: Any, receive: Any, send: Any) -> None:
            type(self).calls += 1
            await super().handle(scope, receive, send)

    router = APIRouter(route_class=Tracking)

    @router.get("/items")
    def items() -> list[int]:
        return []

    app = Transom()
    app.include_router(router, prefix="/api")
    assert TestClient(app).get("/api/items").json() == []
    assert Tracking.calls == 1


@pytest.mark.parametrize("route_class", [object, Response, "APIRoute", APIRoute("/x", len)])
def test_route_class_must_be_an_apiroute_subclass(route_class: Any) -> None:
    message = r"^route_class= takes a subclass of APIRoute, got .*; subclass transom.routing"
    with pytest.raises(DeclarationError, match=message):
        APIRouter(route_class=route_class)
    router = APIRouter()
    with pytest.raises(DeclarationError, match=message):
        router.route_class = route_class
    assert router.route_class is APIRoute


def test_an_apiroute_can_be_made_with_fastapis_arguments() -> None:
    route = RouteA("/low/{item_id}", endpoint=lambda item_id: item_id, methods=["GET"])
    assert (route.path, set(route.methods), route.callbacks) == ("/low/{item_id}", {"GET"}, [])
    assert set(APIRoute("/", len).methods) == {"GET"}


# docs/routing.md ---------------------------------------------------------------------

PAGE = Path(__file__).parents[2] / "docs" / "routing.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)


def test_the_pages_route_class_example_is_the_tested_one() -> None:
    source = Path(custom_route_class.__file__).read_text()
    assert BLOCKS[1] in source
    assert source.endswith(BLOCKS[1])


def test_the_pages_default_example_answers_as_it_says() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(BLOCKS[0], PAGE.name, "exec"), namespace)
    client = TestClient(namespace["app"])
    page, note = client.get("/page"), client.get("/note")
    assert (page.headers["content-type"], page.text) == (
        "text/html; charset=utf-8",
        "<p>hello</p>",
    )
    assert (note.headers["content-type"], note.text) == ("text/plain; charset=utf-8", "hello")
