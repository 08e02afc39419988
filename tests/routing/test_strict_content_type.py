"""`strict_content_type=`: whether a JSON body sent without a `Content-Type` is read.

On by default, as in FastAPI: a page cannot post such a body cross-site without
a CORS preflight. The app, each router and each route may say otherwise, and
the closest one that says something wins. A body with a `Content-Type` that is
not JSON is refused whatever the option says.
"""

from typing import Any

import pytest
from pydantic import BaseModel

from transom import APIRouter, Transom
from transom.routing import APIRoute
from transom.testclient import TestClient

BODY = b'{"name": "x"}'
NO_CONTENT_TYPE = {
    "detail": [
        {
            "type": "content_type",
            "loc": ["body"],
            "msg": "Expected a JSON body (Content-Type: application/json), got no Content-Type.",
            "input": None,
        }
    ]
}


class Item(BaseModel):
    name: str


def create(item: Item) -> Item:
    return item


def post(app: Transom, path: str, **headers: str) -> tuple[int, Any]:
    r = TestClient(app).post(path, content=BODY, headers=headers)
    return r.status_code, r.json()


def test_a_json_body_without_a_content_type_is_refused_by_default() -> None:
    app = Transom()
    app.post("/items")(create)
    assert post(app, "/items") == (422, NO_CONTENT_TYPE)
    assert post(app, "/items", **{"content-type": "application/json"}) == (200, {"name": "x"})


def test_an_empty_body_without_a_content_type_is_a_missing_body_not_a_content_type_error() -> None:
    app = Transom()
    app.post("/items")(create)
    r = TestClient(app).post("/items")
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "missing"


def test_the_app_may_read_a_body_without_a_content_type_as_json() -> None:
    app = Transom(strict_content_type=False)
    app.post("/items")(create)
    assert post(app, "/items") == (200, {"name": "x"})


def test_a_non_json_content_type_is_refused_even_when_strictness_is_off() -> None:
    app = Transom(strict_content_type=False)
    app.post("/items")(create)
    status, body = post(app, "/items", **{"content-type": "text/plain"})
    assert status == 422
    assert body["detail"][0]["msg"] == (
        "Expected a JSON body (Content-Type: application/json), got 'text/plain'."
    )


def test_a_route_may_relax_or_tighten_what_its_router_and_app_say() -> None:
    app = Transom()
    app.post("/lax", strict_content_type=False)(create)
    app.post("/strict")(create)
    lax_app = Transom(strict_content_type=False)
    lax_app.post("/strict", strict_content_type=True)(create)
    assert post(app, "/lax") == (200, {"name": "x"})
    assert post(app, "/strict") == (422, NO_CONTENT_TYPE)
    assert post(lax_app, "/strict") == (422, NO_CONTENT_TYPE)


def test_add_api_route_takes_the_option_as_fastapi_does() -> None:
    router = APIRouter()
    router.add_api_route("/items", create, methods=["POST"], strict_content_type=False)
    app = Transom()
    app.include_router(router)
    assert post(app, "/items") == (200, {"name": "x"})


def test_the_closest_router_that_says_something_wins() -> None:
    # A lax app; a router that says nothing inherits it, a strict one overrides it.
    app = Transom(strict_content_type=False)
    outer = APIRouter(prefix="/outer")
    strict = APIRouter(prefix="/strict", strict_content_type=True)
    default = APIRouter(prefix="/default")
    strict.post("/items")(create)
    default.post("/items")(create)
    outer.include_router(strict)
    outer.include_router(default)
    app.include_router(outer)
    assert post(app, "/outer/strict/items") == (422, NO_CONTENT_TYPE)
    assert post(app, "/outer/default/items") == (200, {"name": "x"})
    # A strict app; a lax router, and a strict one inside it.
    app = Transom()
    lax = APIRouter(prefix="/lax", strict_content_type=False)
    inner = APIRouter(prefix="/inner", strict_content_type=True)
    lax.post("/items")(create)
    inner.post("/items")(create)
    lax.include_router(inner)
    app.include_router(lax)
    assert post(app, "/lax/items") == (200, {"name": "x"})
    assert post(app, "/lax/inner/items") == (422, NO_CONTENT_TYPE)


def test_the_resolved_option_is_on_the_route() -> None:
    router = APIRouter(strict_content_type=False)
    router.post("/items")(create)
    app = Transom()
    app.include_router(router)
    [route] = [r for r in app.routes if isinstance(r, APIRoute) and r.name == "create"]
    assert route.declared == {}
    assert route.options.get("strict_content_type") is False
    assert route.strict_content_type is False


def test_a_strict_content_type_that_is_not_a_bool_is_refused_where_it_is_declared() -> None:
    with pytest.raises(TypeError, match=r"APIRouter: strict_content_type= takes True or False"):
        APIRouter(strict_content_type="no")  # type: ignore[arg-type]
    app = Transom()
    with pytest.raises(TypeError, match=r"route POST /items: strict_content_type= takes"):
        app.post("/items", strict_content_type=0)(create)  # type: ignore[arg-type]
