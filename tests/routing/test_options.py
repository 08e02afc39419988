"""Route options: declared apart from the layers above a route, resolved once."""

from typing import Any

from transom import APIRouter, Depends, HTMLResponse, PlainTextResponse, Transom
from transom.datastructures import Default
from transom.routing import APIRoute
from transom.testclient import TestClient


def hello() -> str:
    return "<p>hi</p>"


def only_route(app: Transom) -> APIRoute:
    [route] = [
        route for route in app.routes if isinstance(route, APIRoute) and route.name == "hello"
    ]
    return route


def test_router_default_response_class_survives_include_router() -> None:
    router = APIRouter(default_response_class=HTMLResponse)
    router.get("/")(hello)
    app = Transom()
    app.include_router(router)
    r = TestClient(app).get("/")
    assert (r.headers["content-type"], r.text) == ("text/html; charset=utf-8", "<p>hi</p>")


def test_include_router_default_response_class_reaches_routes_declared_on_the_router() -> None:
    router = APIRouter()
    router.get("/")(hello)
    app = Transom()
    app.include_router(router, default_response_class=HTMLResponse)
    assert TestClient(app).get("/").headers["content-type"] == "text/html; charset=utf-8"


def test_app_default_response_class_reaches_routes_of_included_routers() -> None:
    router = APIRouter()
    router.get("/")(hello)
    app = Transom(default_response_class=HTMLResponse)
    app.include_router(router)
    assert TestClient(app).get("/").headers["content-type"] == "text/html; charset=utf-8"


def test_closest_default_response_class_wins_and_the_route_own_wins_over_all() -> None:
    inner = APIRouter(default_response_class=PlainTextResponse)
    inner.get("/inner")(hello)
    inner.get("/own", response_class=HTMLResponse, name="own")(hello)
    outer = APIRouter()
    outer.include_router(inner)
    app = Transom(default_response_class=HTMLResponse)
    app.include_router(outer, default_response_class=HTMLResponse)
    c = TestClient(app)
    assert c.get("/inner").headers["content-type"] == "text/plain; charset=utf-8"
    assert c.get("/own").headers["content-type"] == "text/html; charset=utf-8"


def test_including_keeps_what_the_user_declared_and_reuses_the_analysis() -> None:
    router = APIRouter(tags=["router"])
    router.get("/", tags=["route"])(hello)
    [declared_route] = router.routes
    assert isinstance(declared_route, APIRoute)
    app = Transom()
    app.include_router(router, prefix="/api", tags=["include"])
    route = only_route(app)
    assert route.declared == {"tags": ["route"]}
    assert route.options.get("tags") == ["include", "router", "route"]
    assert route.plan is declared_route.plan  # no dependency added: nothing analysed again


def test_an_include_that_adds_dependencies_builds_a_new_plan() -> None:
    seen: list[str] = []

    def audit() -> None:
        seen.append("audit")

    router = APIRouter()
    router.get("/")(hello)
    [declared_route] = router.routes
    assert isinstance(declared_route, APIRoute)
    app = Transom()
    app.include_router(router, dependencies=[Depends(audit)])
    route = only_route(app)
    assert route.plan is not declared_route.plan
    assert TestClient(app).get("/").status_code == 200
    assert seen == ["audit"]


def test_deprecated_responses_and_include_in_schema_resolve_over_layers() -> None:
    router = APIRouter(responses={404: {"description": "router"}, 409: {"description": "r"}})
    router.get("/", responses={404: {"description": "route"}})(hello)
    app = Transom()
    app.include_router(router, deprecated=True, include_in_schema=False)
    options: Any = only_route(app).options
    assert options["deprecated"] is True
    assert options["include_in_schema"] is False
    assert options["responses"] == {404: {"description": "route"}, 409: {"description": "r"}}


# Default(...): an option left at its default counts as not declared ---------------------


def test_a_route_default_response_class_yields_to_the_routers() -> None:
    router = APIRouter(default_response_class=HTMLResponse)
    router.get("/", response_class=Default(PlainTextResponse))(hello)
    app = Transom()
    app.include_router(router)
    assert TestClient(app).get("/").headers["content-type"] == "text/html; charset=utf-8"


def test_a_route_default_response_class_is_used_when_no_layer_sets_one() -> None:
    app = Transom()
    app.get("/", response_class=Default(PlainTextResponse))(hello)
    response = TestClient(app).get("/")
    assert (response.headers["content-type"], response.text) == (
        "text/plain; charset=utf-8",
        "<p>hi</p>",
    )


def test_a_layer_given_a_default_says_nothing() -> None:
    router = APIRouter(default_response_class=Default(HTMLResponse))
    router.get("/")(hello)
    app = Transom(default_response_class=PlainTextResponse)
    app.include_router(router, default_response_class=Default(HTMLResponse))
    assert TestClient(app).get("/").headers["content-type"] == "text/plain; charset=utf-8"


def test_a_default_response_model_means_the_return_annotation() -> None:
    app = Transom()

    @app.get("/", response_model=Default(None))
    def numbers() -> list[int]:
        return ["1", 2]  # type: ignore[list-item]

    assert TestClient(app).get("/").json() == [1, 2]


def test_a_default_operation_id_function_yields_to_the_routers() -> None:
    router = APIRouter(generate_unique_id_function=lambda route: f"router-{route.name}")
    router.get("/a", generate_unique_id_function=Default(lambda route: "route"))(hello)
    app = Transom(generate_unique_id_function=Default(lambda route: "app"))
    app.include_router(router)
    app.get("/b", generate_unique_id_function=Default(lambda route: f"own-{route.name}"))(hello)
    paths = app.openapi()["paths"]
    assert (paths["/a"]["get"]["operationId"], paths["/b"]["get"]["operationId"]) == (
        "router-hello",
        "own-hello",
    )
