"""The OpenAPI document: golden files, validity, serving, and declared headers.

The golden documents in `golden/` are compared exactly, key order included. After
an intended change, regenerate them with

    TRANSOM_UPDATE_GOLDEN=1 .venv/bin/pytest tests/openapi

and review the diff by eye before accepting it.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import examples.app as example
import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel, Discriminator, Field, Tag, computed_field

from tests.openapi.golden_apps import GOLDEN_APPS, declared_app, items_app, routers_app
from transom import (
    APIRouter,
    Body,
    Cookie,
    Depends,
    Header,
    Path,
    Query,
    Response,
    ResponseCookie,
    ResponseHeader,
    Transom,
)
from transom.openapi.utils import get_openapi
from transom.routing.api import APIRoute
from transom.testclient import TestClient

GOLDEN = pathlib.Path(__file__).parent / "golden"
UPDATE = os.environ.get("TRANSOM_UPDATE_GOLDEN") == "1"


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", sorted(GOLDEN_APPS))
def test_document_matches_golden_file(name: str) -> None:
    document = GOLDEN_APPS[name]().openapi()
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_text(dump(document), encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert document == expected
    assert dump(document) == path.read_text(encoding="utf-8")  # key order too


@pytest.mark.parametrize("name", sorted(GOLDEN_APPS))
def test_document_is_valid_openapi_3_1(name: str) -> None:
    document = GOLDEN_APPS[name]().openapi()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_example_app_document_is_valid() -> None:
    document = example.app.openapi()
    validate(document)
    assert {"/login", "/notes", "/notes/{note_id}"} <= set(document["paths"])


def test_openapi_json_is_served() -> None:
    app = items_app()
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == app.openapi()


def test_openapi_json_is_served_at_the_configured_url() -> None:
    app = Transom(openapi_url="/api/schema.json", docs_url=None, redoc_url=None)
    with TestClient(app) as client:
        assert client.get("/api/schema.json").json()["info"]["title"] == "Transom"
        assert client.get("/openapi.json").status_code == 404


def test_openapi_url_none_disables_the_document() -> None:
    app = Transom(openapi_url=None)

    @app.get("/items")
    def items() -> list[int]:
        return []

    with TestClient(app) as client:
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/items").json() == []


def test_document_is_built_once() -> None:
    app = items_app()
    assert app.openapi() is app.openapi()


def test_docs_routes_and_plain_routes_are_not_documented() -> None:
    paths = items_app().openapi()["paths"]
    assert "/openapi.json" not in paths
    assert "/docs" not in paths
    assert "/health" not in paths


def test_mounts_are_not_documented() -> None:
    app = Transom(docs_url=None, redoc_url=None)
    app.mount("/sub", items_app())
    assert app.openapi()["paths"] == {}


def test_operation_ids_are_fastapi_unique_ids() -> None:
    paths = items_app().openapi()["paths"]
    assert paths["/items/{item_id}"]["get"]["operationId"] == "read_item_items__item_id__get"
    assert paths["/items/{item_id}"]["put"]["operationId"] == "update_item_items__item_id__put"


def test_each_method_of_a_route_is_an_operation_with_its_own_id() -> None:
    ping = routers_app().openapi()["paths"]["/ping"]
    assert list(ping) == ["get", "head"]
    assert ping["head"]["operationId"] == "ping_ping_head"


def test_bad_responses_key_is_reported() -> None:
    app = Transom(docs_url=None, redoc_url=None)

    @app.get("/x", responses={"oops": {"description": "?"}})
    def x() -> None:
        return None

    with pytest.raises(ValueError, match=r"route GET /x: responses= has the key 'oops'"):
        app.openapi()


def test_route_without_parameters_has_no_validation_error() -> None:
    app = Transom(docs_url=None, redoc_url=None)

    @app.get("/x")
    def x() -> int:
        return 1

    document = app.openapi()
    assert list(document["paths"]["/x"]["get"]["responses"]) == ["200"]
    assert "components" not in document


def test_openapi_extra_is_deep_merged() -> None:
    app = Transom(docs_url=None, redoc_url=None)

    @app.post(
        "/x",
        openapi_extra={
            "requestBody": {"content": {"application/json": {"example": {"n": 1}}}},
            "x-internal": True,
        },
    )
    def x(n: Annotated[int, Body(embed=True)]) -> int:
        return n

    operation = app.openapi()["paths"]["/x"]["post"]
    assert operation["x-internal"] is True
    content = operation["requestBody"]["content"]["application/json"]
    assert content == {
        "schema": {"$ref": "#/components/schemas/Body_x_x_post"},
        "example": {"n": 1},
    }


def test_header_parameter_uses_the_name_looked_up() -> None:
    app = Transom(docs_url=None, redoc_url=None)

    @app.get("/x")
    def x(
        user_agent: Annotated[str, Header()],
        raw_name: Annotated[str | None, Header(convert_underscores=False)] = None,
    ) -> None:
        return None

    parameters = app.openapi()["paths"]["/x"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("user-agent", "header", True),
        ("raw_name", "header", False),
    ]
    assert parameters[0]["schema"] == {"type": "string", "title": "User-Agent"}


# declared headers and cookies ------------------------------------------------------------


def headers_of(document: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    headers: dict[str, Any] = document["paths"][path][method]["responses"][status].get(
        "headers", {}
    )
    return headers


def test_closest_layer_wins_by_header_name_case_insensitively() -> None:
    document = declared_app().openapi()
    listed = headers_of(document, "/items", "get", "200")
    created = headers_of(document, "/items", "post", "201")
    assert [name for name in listed if name.lower() == "x-rate-limit"] == ["x-rate-limit"]
    assert listed["x-rate-limit"]["description"] == "Requests left (router)."
    assert [name for name in created if name.lower() == "x-rate-limit"] == ["X-RATE-LIMIT"]
    assert created["X-RATE-LIMIT"]["description"] == "Requests left (route)."


def test_headers_apply_to_their_statuses_only() -> None:
    document = declared_app().openapi()
    ok = headers_of(document, "/items", "get", "200")
    unauthorized = headers_of(document, "/items", "get", "401")
    assert "Link" in ok
    assert "Link" not in unauthorized
    assert "WWW-Authenticate" not in ok
    assert unauthorized["WWW-Authenticate"] == {
        "description": "How to log in.",
        "required": True,
        "schema": {"type": "string"},
    }
    created = headers_of(document, "/items", "post", "201")
    assert created["Location"]["required"] is True
    assert "Location" not in headers_of(document, "/items", "post", "422")


def test_declared_header_object() -> None:
    ok = headers_of(declared_app().openapi(), "/items", "get", "200")
    assert ok["X-Total-Count"] == {
        "description": "Total items",
        "required": True,
        "schema": {"type": "integer"},
        "example": 42,
    }
    assert ok["Link"]["deprecated"] is True


def test_cookies_are_one_set_cookie_header_per_status() -> None:
    document = declared_app().openapi()
    ok = headers_of(document, "/items", "get", "200")["Set-Cookie"]
    unauthorized = headers_of(document, "/items", "get", "401")["Set-Cookie"]
    assert ok["schema"] == {"type": "string"}
    assert ok["description"] == (
        "Cookies this response may set:\n\n"
        "- `visits`: Visits so far `visits=<value>; Max-Age=3600; Path=/; SameSite=Lax`\n"
        "- `session`: Session id `session=<value>; Path=/; Secure; HttpOnly; SameSite=Strict`"
    )
    # Cookies declared without statuses belong to successful answers only.
    assert unauthorized["description"] == (
        "Cookies this response may set:\n\n"
        "- `login_attempts`: Failed logins `login_attempts=<value>; Path=/items; SameSite=Lax`"
    )


def test_headers_given_in_responses_are_kept_as_written() -> None:
    raw = headers_of(declared_app().openapi(), "/items/raw", "get", "200")
    assert raw["X-Total-Count"] == {"schema": {}}
    assert raw["X-API-Version"]["description"] == "The API version."


def test_declared_routes_send_what_they_document() -> None:
    # TestClient checks that required declared headers are sent.
    with TestClient(declared_app()) as client:
        listed = client.get("/items")
        created = client.post("/items", json={"name": "lamp"})
    assert listed.status_code == 200
    assert listed.headers["x-total-count"] == "2"
    assert listed.headers["x-api-version"] == "3"
    assert created.status_code == 201
    assert created.headers["location"] == "/items/lamp"


class Page(BaseModel):
    items: list[int]


LayerBuilder = Callable[[], Transom]


def layered_app(route_statuses: list[int | str] | None) -> Transom:
    app = Transom(
        docs_url=None,
        redoc_url=None,
        response_headers=[ResponseHeader("X-Layer", "app", required=True)],
    )
    router = APIRouter(response_headers=[ResponseHeader("x-layer", "router", required=True)])

    @router.get(
        "/page",
        responses={404: {"description": "Missing"}},
        response_headers=[
            ResponseHeader("X-LAYER", "route", annotation=int, statuses=route_statuses)
        ],
    )
    def page(response: Response) -> Page:
        response.headers["X-Layer"] = "1"
        return Page(items=[])

    app.include_router(router)
    return app


def test_route_declaration_overrides_router_and_app() -> None:
    app = layered_app(None)
    responses = app.openapi()["paths"]["/page"]["get"]["responses"]
    assert responses["200"]["headers"] == {
        "X-LAYER": {"description": "route", "required": False, "schema": {"type": "integer"}}
    }
    # Declarations without statuses cover successful answers, not the 404.
    assert "headers" not in responses["404"]
    with TestClient(app) as client:
        assert client.get("/page").headers["x-layer"] == "1"


def test_route_declaration_for_some_statuses_overrides_only_those() -> None:
    responses = layered_app([404]).openapi()["paths"]["/page"]["get"]["responses"]
    assert responses["404"]["headers"]["X-LAYER"]["description"] == "route"
    assert responses["200"]["headers"] == {
        "x-layer": {"description": "router", "required": True, "schema": {"type": "string"}}
    }


def test_specific_statuses_win_within_one_layer() -> None:
    app = Transom(
        docs_url=None,
        redoc_url=None,
        response_headers=[
            ResponseHeader("Retry-After", "Seconds to wait.", annotation=int, statuses=[429]),
            ResponseHeader("Retry-After", "Generic."),
        ],
        response_cookies=[ResponseCookie("a", "Everywhere")],
    )

    @app.get("/x", responses={429: {"description": "Slow down"}})
    def x() -> None:
        return None

    responses = app.openapi()["paths"]["/x"]["get"]["responses"]
    assert responses["429"]["headers"]["Retry-After"]["description"] == "Seconds to wait."
    assert responses["200"]["headers"]["Retry-After"]["description"] == "Generic."
    assert "Set-Cookie" in responses["200"]["headers"]
    assert "Set-Cookie" not in responses["429"]["headers"]


def test_external_docs_are_in_the_document() -> None:
    docs = {"description": "More", "url": "https://example.com/docs"}
    document = TestClient(Transom(openapi_external_docs=docs)).get("/openapi.json").json()
    assert document["externalDocs"] == docs


class Address(BaseModel):
    """
    Where a parcel goes.
    \f
    Text after a form feed is for the code's readers only.
    """

    city: str


class Base64Data(BaseModel):
    data: bytes
    model_config = {"val_json_bytes": "base64", "ser_json_bytes": "base64"}


def test_model_schemas_as_fastapi_writes_them() -> None:
    app = Transom()

    @app.post("/addresses")
    def create(address: Address) -> Address:
        return address

    @app.post("/data")
    def data(body: Base64Data, raw: bytes = Body()) -> dict[str, int]:
        return {"size": len(body.data)}

    schemas = app.openapi()["components"]["schemas"]
    # The model docstring up to the form feed, its line break kept (as FastAPI).
    assert schemas["Address"]["description"] == "Where a parcel goes.\n"
    # Bytes are a string of octets, base64 where the model reads and writes base64.
    octets = {"type": "string", "contentMediaType": "application/octet-stream"}
    assert schemas["Base64Data"]["properties"]["data"] == {
        **octets,
        "contentEncoding": "base64",
        "title": "Data",
    }
    assert schemas["Body_data_data_post"]["properties"]["raw"] == {**octets, "title": "Raw"}
    validate(app.openapi())


class SentHeaders(BaseModel):
    x_token: str | None = None


def test_header_parameters_are_documented_as_they_are_sent() -> None:
    # The names and titles FastAPI 0.141 documents for the same declarations.
    app = Transom()

    @app.get("/one")
    def one(
        user_agent: Annotated[str | None, Header()] = None,
        raw_name: Annotated[str | None, Header(convert_underscores=False)] = None,
        aliased: Annotated[str | None, Header(alias="X-Foo_bar")] = None,
        Big_One: Annotated[str | None, Header()] = None,  # noqa: N803
    ) -> None:
        return None

    @app.get("/model")
    def model(headers: Annotated[SentHeaders, Header()]) -> None:
        return None

    def documented(path: str) -> list[tuple[str, str]]:
        parameters = app.openapi()["paths"][path]["get"]["parameters"]
        return [(p["name"], p["schema"]["title"]) for p in parameters]

    assert documented("/one") == [
        ("user-agent", "User-Agent"),
        ("raw_name", "Raw Name"),
        ("X-Foo_bar", "X-Foo Bar"),
        ("Big-One", "Big-One"),
    ]
    assert documented("/model") == [("x-token", "X Token")]


def test_generate_unique_id_function_on_app_router_include_and_route() -> None:
    def named(prefix: str) -> Callable[[APIRoute], str]:
        return lambda route: f"{prefix}_{route.name}_{'-'.join(map(str, route.tags))}"

    app = Transom(generate_unique_id_function=named("app"))
    router = APIRouter(tags=["r"], generate_unique_id_function=named("router"))
    plain = APIRouter()

    @app.get("/a")
    def a() -> None: ...

    @app.get("/own", generate_unique_id_function=named("route"), operation_id=None)
    def own() -> None: ...

    @router.get("/b")
    def b() -> None: ...

    @plain.get("/c")
    def c() -> None: ...

    @plain.get("/d", operation_id="fixed")
    def d() -> None: ...

    app.include_router(router)
    app.include_router(plain, generate_unique_id_function=named("include"))
    paths = TestClient(app).get("/openapi.json").json()["paths"]
    ids = {path: operation["get"]["operationId"] for path, operation in paths.items()}
    assert ids == {
        "/a": "app_a_",
        "/own": "route_own_",
        "/b": "router_b_r",
        "/c": "include_c_",
        "/d": "fixed",
    }


def test_a_duplicate_operation_id_warns() -> None:
    app = Transom(generate_unique_id_function=lambda route: "same")
    app.post("/one")(lambda: None)
    app.post("/two")(lambda: None)
    with pytest.warns(UserWarning, match="Duplicate Operation ID 'same'"):
        app.openapi()


class Shape(BaseModel):
    name: str
    sides: int = 3

    @computed_field  # type: ignore[prop-decorator]
    @property
    def corners(self) -> int:
        return self.sides


def shapes_app(**options: Any) -> Transom:
    app = Transom(**options)

    @app.post("/shapes")
    def create(shape: Shape) -> Shape:
        return shape

    return app


class Price(BaseModel):
    amount: Decimal  # read as a number or a string, written as a string


def test_separate_input_output_schemas_false_documents_a_model_once() -> None:
    def prices_app(**options: Any) -> Transom:
        app = Transom(**options)

        @app.post("/prices")
        def create(price: Price) -> Price:
            return price

        return app

    separate = prices_app().openapi()["components"]["schemas"]
    assert {"Price-Input", "Price-Output"} <= set(separate)
    merged = prices_app(separate_input_output_schemas=False).openapi()
    schemas = merged["components"]["schemas"]
    assert "Price-Input" not in schemas
    assert schemas["Price"]["properties"]["amount"] == {
        "anyOf": [{"type": "number"}, {"type": "string"}],
        "title": "Amount",
    }
    operation = merged["paths"]["/prices"]["post"]
    ref = {"$ref": "#/components/schemas/Price"}
    assert operation["requestBody"]["content"]["application/json"]["schema"] == ref
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == ref


def test_a_model_with_computed_fields_keeps_its_response_schema_when_not_separate() -> None:
    schemas = shapes_app(separate_input_output_schemas=False).openapi()["components"]["schemas"]
    assert set(schemas["Shape-Input"]["properties"]) == {"name", "sides"}
    assert schemas["Shape-Output"]["properties"]["corners"] == {
        "readOnly": True,
        "title": "Corners",
        "type": "integer",
    }
    assert schemas["Shape-Output"]["required"] == ["name", "corners"]


def test_get_openapi_builds_the_apps_document_from_its_routes() -> None:
    app = shapes_app(title="Shapes", version="2.0")
    document = get_openapi(
        title="Shapes",
        version="2.0",
        routes=app.routes,
        summary="S",
        terms_of_service="https://example.com/terms",
        contact={"name": "Ann"},
        license_info={"name": "MIT"},
    )
    assert document["info"] == {
        "title": "Shapes",
        "summary": "S",
        "termsOfService": "https://example.com/terms",
        "contact": {"name": "Ann"},
        "license": {"name": "MIT"},
        "version": "2.0",
    }
    assert document["paths"] == app.openapi()["paths"]


def test_the_apps_info_has_fastapis_metadata_options() -> None:
    app = Transom(
        title="Shop",
        summary="Things for sale",
        description="All of them.",
        terms_of_service="https://example.com/terms",
        contact={"name": "Ann", "email": "ann@example.com"},
        license_info={"name": "Apache 2.0", "identifier": "Apache-2.0"},
    )
    assert TestClient(app).get("/openapi.json").json()["info"] == {
        "title": "Shop",
        "version": "0.1.0",
        "summary": "Things for sale",
        "description": "All of them.",
        "termsOfService": "https://example.com/terms",
        "contact": {"name": "Ann", "email": "ann@example.com"},
        "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"},
    }


def route_dep(r: str, x_r: Annotated[str, Header()]) -> None: ...


def dep(a: str, x_a: Annotated[str, Header()]) -> None: ...


def test_parameters_are_listed_by_kind_then_handler_first_as_in_fastapi() -> None:
    app = Transom()

    @app.get("/items/{item_id}", dependencies=[Depends(route_dep)])
    def read(
        c: Annotated[str, Cookie()],
        b: str,
        d: Annotated[None, Depends(dep)],
        item_id: int,
        x_b: Annotated[str, Header()],
    ) -> None: ...

    operation = TestClient(app).get("/openapi.json").json()["paths"]["/items/{item_id}"]["get"]
    assert [(p["in"], p["name"]) for p in operation["parameters"]] == [
        ("path", "item_id"),
        ("query", "b"),
        ("query", "r"),
        ("query", "a"),
        ("header", "x-b"),
        ("header", "x-r"),
        ("header", "x-a"),
        ("cookie", "c"),
    ]


class Tool(BaseModel):
    name: str


def test_a_deprecated_parameter_or_body_says_so_in_its_schema_too() -> None:
    app = Transom()

    @app.post("/tools/{tool_id}")
    def update(
        tool_id: Annotated[int, Path(deprecated=True)],
        q: Annotated[str | None, Query(alias="item-query", min_length=3, deprecated=True)] = None,
        count: Annotated[int, Body(deprecated=True)] = 1,
        tool: Annotated[Tool | None, Body(deprecated=True)] = None,
    ) -> None: ...

    @app.put("/tools")
    def replace(tool: Annotated[Tool, Body(deprecated=True)]) -> None: ...

    document = TestClient(app).get("/openapi.json").json()
    operation = document["paths"]["/tools/{tool_id}"]["post"]
    assert operation["parameters"] == [
        {
            "name": "tool_id",
            "in": "path",
            "required": True,
            "deprecated": True,
            "schema": {"type": "integer", "deprecated": True, "title": "Tool Id"},
        },
        {
            "name": "item-query",
            "in": "query",
            "required": False,
            "deprecated": True,
            "schema": {
                "anyOf": [{"type": "string", "minLength": 3}, {"type": "null"}],
                "deprecated": True,
                "title": "Item-Query",
            },
        },
    ]
    body = document["components"]["schemas"]["Body_update_tools__tool_id__post"]["properties"]
    assert body == {
        "count": {"type": "integer", "default": 1, "deprecated": True, "title": "Count"},
        "tool": {
            "anyOf": [{"$ref": "#/components/schemas/Tool"}, {"type": "null"}],
            "deprecated": True,
        },
    }
    content = document["paths"]["/tools"]["put"]["requestBody"]["content"]
    assert content["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Tool",
        "deprecated": True,
    }


class Cat(BaseModel):
    pet_type: str = "cat"
    meows: int


class Dog(BaseModel):
    pet_type: str = "dog"
    barks: float


def _pet_type(value: Any) -> str:
    return str(value.get("pet_type", "")) if isinstance(value, dict) else ""


Pet = Annotated[Annotated[Cat, Tag("cat")] | Annotated[Dog, Tag("dog")], Discriminator(_pet_type)]


def test_annotated_metadata_applies_with_the_marker_as_default_too() -> None:
    """`pet: Pet = Body()` keeps `Pet`'s discriminator and `Annotated[int, Field(gt=3)]
    = Query()` its bound: validated and documented (FastAPI drops them)."""
    app = Transom()

    @app.post("/pets")
    async def create(pet: Pet = Body()) -> Any:  # noqa: B008
        return pet

    @app.get("/count")
    async def count(n: Annotated[int, Field(gt=3)] = Query()) -> int:
        return n

    client = TestClient(app)
    assert client.post("/pets", json={"pet_type": "dog", "barks": 1.5}).json() == {
        "pet_type": "dog",
        "barks": 1.5,
    }
    r = client.post("/pets", json={"pet_type": "dog", "meows": 1})
    assert (r.status_code, r.json()["detail"][0]["loc"]) == (422, ["body", "dog", "barks"])
    assert client.get("/count", params={"n": 1}).json()["detail"][0]["type"] == "greater_than"
    document = client.get("/openapi.json").json()
    content = document["paths"]["/pets"]["post"]["requestBody"]["content"]
    assert content["application/json"]["schema"] == {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "title": "Pet",
    }
    parameter = document["paths"]["/count"]["get"]["parameters"][0]
    assert parameter["schema"] == {"type": "integer", "exclusiveMinimum": 3, "title": "N"}
