"""Parameter models: a pydantic model declared with `Query()`, `Header()` or `Cookie()`.

The examples of FastAPI's "Query/Header/Cookie Parameter Models" pages, imports changed.
"""

from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from transom import Cookie, Header, Query, Transom
from transom.testclient import TestClient


class FilterParams(BaseModel):
    limit: int = Field(100, gt=0, le=100)
    offset: int = Field(0, ge=0)
    order_by: Literal["created_at", "updated_at"] = "created_at"
    tags: list[str] = []


class StrictFilterParams(FilterParams):
    model_config = {"extra": "forbid"}


class CommonHeaders(BaseModel):
    host: str
    save_data: bool
    if_modified_since: str | None = None
    traceparent: str | None = None
    x_tag: list[str] = []


class Cookies(BaseModel):
    model_config = {"extra": "forbid"}

    session_id: str
    fatebook_tracker: str | None = None
    googall_tracker: str | None = None


def app() -> Transom:
    app = Transom()

    @app.get("/items/")
    async def read_items(filter_query: Annotated[FilterParams, Query()]) -> FilterParams:
        return filter_query

    @app.get("/strict/")
    async def read_strict(filter_query: Annotated[StrictFilterParams, Query()]) -> Any:
        return filter_query

    @app.get("/headers/")
    async def read_headers(headers: Annotated[CommonHeaders, Header()]) -> CommonHeaders:
        return headers

    @app.get("/cookies/")
    async def read_cookies(cookies: Annotated[Cookies, Cookie()]) -> Cookies:
        return cookies

    return app


def test_query_model_fields_are_read_one_by_one() -> None:
    r = TestClient(app()).get("/items/", params={"limit": 5, "tags": ["a", "b"]})
    assert r.json() == {"limit": 5, "offset": 0, "order_by": "created_at", "tags": ["a", "b"]}


def test_query_model_errors_are_located_at_the_fields() -> None:
    r = TestClient(app()).get("/items/", params={"limit": 500, "order_by": "size"})
    assert r.status_code == 422
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [
        ("less_than_equal", ["query", "limit"]),
        ("literal_error", ["query", "order_by"]),
    ]


def test_a_model_that_forbids_extra_refuses_unknown_query_parameters() -> None:
    c = TestClient(app())
    assert c.get("/items/", params={"tool": "plumbus"}).status_code == 200
    r = c.get("/strict/", params={"tool": "plumbus"})
    assert r.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["query", "tool"],
            "msg": "Extra inputs are not permitted",
            "input": "plumbus",
        }
    ]


def test_header_model_converts_underscores_and_collects_lists() -> None:
    headers = {"save-data": "true", "if-modified-since": "yesterday", "x-tag": "1"}
    r = TestClient(app()).get("/headers/", headers=headers)
    assert r.json() == {
        "host": "testserver",
        "save_data": True,
        "if_modified_since": "yesterday",
        "traceparent": None,
        "x_tag": ["1"],
    }
    r = TestClient(app()).get("/headers/")
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [
        ("missing", ["header", "save_data"])
    ]


def test_a_422_shows_the_defaults_of_the_fields_left_out_as_sent() -> None:
    client = TestClient(app())
    client.headers.clear()
    r = client.get("/headers/", headers={"traceparent": "123"})
    assert r.status_code == 422
    # As in FastAPI: the fields' own keys with their defaults (`None` ones left
    # out), then what no field reads.
    assert r.json()["detail"] == [
        {
            "type": "missing",
            "loc": ["header", "save_data"],
            "msg": "Field required",
            "input": {"host": "testserver", "traceparent": "123", "x_tag": []},
        }
    ]
    r = client.get("/strict/", params={"limit": "5", "tool": "plumbus"})
    assert r.json()["detail"][0]["input"] == "plumbus"
    r = client.get("/strict/", params={"limit": "500"})
    assert r.json()["detail"][0]["loc"] == ["query", "limit"]


class Page(BaseModel):
    size: int = 10
    seen: list[str] = Field(default_factory=list)
    note: str | None = None


def test_defaults_of_fields_left_out_count_as_set_and_are_fresh() -> None:
    app = Transom()

    @app.get("/page/")
    async def page(page: Annotated[Page, Query()]) -> dict[str, Any]:
        page.seen.append("handler")
        return page.model_dump(exclude_unset=True)

    client = TestClient(app)
    for _ in range(2):
        assert client.get("/page/").json() == {"size": 10, "seen": ["handler"]}
    assert client.get("/page/", params={"note": "n"}).json() == {
        "size": 10,
        "seen": ["handler"],
        "note": "n",
    }


@pytest.mark.parametrize(
    ("cookies", "status", "detail"),
    [
        ({"session_id": "123"}, 200, None),
        ({}, 422, [("missing", ["cookie", "session_id"])]),
        (
            {"session_id": "1", "santa_tracker": "x"},
            422,
            [("extra_forbidden", ["cookie", "santa_tracker"])],
        ),
    ],
)
def test_cookie_model_with_extra_forbidden(
    cookies: dict[str, str], status: int, detail: list[tuple[str, list[str]]] | None
) -> None:
    client = TestClient(app())
    for name, value in cookies.items():
        client.cookies.set(name, value)
    r = client.get("/cookies/")
    assert r.status_code == status
    if detail is None:
        assert r.json()["session_id"] == "123"
    else:
        assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == detail


def test_openapi_lists_each_model_field_as_a_parameter() -> None:
    document = TestClient(app()).get("/openapi.json").json()
    parameters = document["paths"]["/items/"]["get"]["parameters"]
    assert parameters == [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {
                "type": "integer",
                "maximum": 100,
                "exclusiveMinimum": 0,
                "default": 100,
                "title": "Limit",
            },
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0, "default": 0, "title": "Offset"},
        },
        {
            "name": "order_by",
            "in": "query",
            "required": False,
            "schema": {
                "enum": ["created_at", "updated_at"],
                "type": "string",
                "default": "created_at",
                "title": "Order By",
            },
        },
        {
            "name": "tags",
            "in": "query",
            "required": False,
            "schema": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "title": "Tags",
            },
        },
    ]
    headers = document["paths"]["/headers/"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in headers] == [
        ("host", "header", True),
        ("save-data", "header", True),
        ("if-modified-since", "header", False),
        ("traceparent", "header", False),
        ("x-tag", "header", False),
    ]


def test_a_query_model_beside_other_query_parameters_is_still_read_field_by_field() -> None:
    mixed = Transom()

    @mixed.get("/search")
    def search(filters: Annotated[FilterParams, Query()], q: str | None = None) -> dict[str, Any]:
        return {"limit": filters.limit, "tags": filters.tags, "q": q}

    client = TestClient(mixed)
    response = client.get("/search?limit=5&tags=a&tags=b&q=x")
    assert response.json() == {"limit": 5, "tags": ["a", "b"], "q": "x"}
    assert client.get("/search?limit=0").json()["detail"][0]["loc"] == ["query", "limit"]
    parameters = mixed.openapi()["paths"]["/search"]["get"]["parameters"]
    assert [p["name"] for p in parameters] == ["limit", "offset", "order_by", "tags", "q"]
