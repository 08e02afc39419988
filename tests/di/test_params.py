"""Request parameters: Path, Query, Header, Cookie and Body, and FastAPI's 422 error shape."""

import ipaddress
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, HttpUrl, Json

from transom import Body, Cookie, DeclarationError, Form, Header, Path, Query, Request, Transom
from transom.testclient import TestClient


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)
    tags: list[str] = []


app = Transom()


@app.get("/path/{item_id:int}/{slug}")
def path_params(item_id: Annotated[int, Path(ge=1)], slug: str = Path(max_length=5)) -> Any:
    return {"item_id": item_id, "slug": slug}


@app.get("/path-typed/{number}")
def path_typed(number: int) -> int:
    return number


@app.get("/query")
def query(
    needed: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: int = Query(0, ge=0),
    flag: bool = False,
    search: Annotated[str | None, Query(alias="search-term", min_length=2)] = None,
    tags: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI style default
    ids: list[int] | None = Query(None),  # noqa: B008
) -> Any:
    return {
        "needed": needed,
        "limit": limit,
        "offset": offset,
        "flag": flag,
        "search": search,
        "tags": tags,
        "ids": ids,
    }


@app.get("/headers")
def headers(
    user_agent: Annotated[str, Header()],
    x_token: Annotated[list[str] | None, Header()] = None,
    strange_name: str = Header("default", convert_underscores=False),
    other: str | None = Header(None, alias="X-Other-Name"),
) -> Any:
    return {"ua": user_agent, "tokens": x_token, "strange": strange_name, "other": other}


@app.get("/cookies")
def cookies(
    session_id: Annotated[str, Cookie()], theme: str = Cookie("light", alias="ui-theme")
) -> Any:
    return {"session_id": session_id, "theme": theme}


@app.post("/items")
def create_item(item: Item) -> Item:
    return item


@app.post("/items-optional")
def optional_item(item: Item | None = None) -> dict[str, Any]:
    return {"item": item.model_dump() if item else None}


@app.post("/embed")
def embed(item: Annotated[Item, Body(embed=True)]) -> Item:
    return item


@app.post("/multi")
def multi(
    item: Item,
    count: Annotated[int, Body(gt=0)],
    note: Annotated[str, Body(alias="the-note")] = "none",
) -> Any:
    return {"item": item.model_dump(), "count": count, "note": note}


@app.post("/scalar-body")
def scalar_body(value: Annotated[int, Body(le=10)]) -> int:
    return value


@pytest.fixture
def client() -> TestClient:
    return TestClient(app)


def detail(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail"}
    errors: list[dict[str, Any]] = body["detail"]
    for error in errors:
        assert {"type", "loc", "msg", "input"} <= set(error)
        assert "url" not in error
    return errors


# Path -------------------------------------------------------------------------------------


def test_path_params_annotated_and_default_style(client: TestClient) -> None:
    assert client.get("/path/3/abc").json() == {"item_id": 3, "slug": "abc"}


def test_path_param_constraints(client: TestClient) -> None:
    assert detail(client.get("/path/0/abcdefg")) == [
        {
            "type": "greater_than_equal",
            "loc": ["path", "item_id"],
            "msg": "Input should be greater than or equal to 1",
            "input": 0,
            "ctx": {"ge": 1},
        },
        {
            "type": "string_too_long",
            "loc": ["path", "slug"],
            "msg": "String should have at most 5 characters",
            "input": "abcdefg",
            "ctx": {"max_length": 5},
        },
    ]


def test_path_param_type_error(client: TestClient) -> None:
    assert client.get("/path-typed/12").json() == 12
    [error] = detail(client.get("/path-typed/twelve"))
    assert error["type"] == "int_parsing"
    assert error["loc"] == ["path", "number"]
    assert error["input"] == "twelve"


# Query ------------------------------------------------------------------------------------


def test_query_defaults(client: TestClient) -> None:
    assert client.get("/query", params={"needed": "x"}).json() == {
        "needed": "x",
        "limit": 10,
        "offset": 0,
        "flag": False,
        "search": None,
        "tags": [],
        "ids": None,
    }


def test_query_values_alias_and_lists(client: TestClient) -> None:
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("needed", "x"),
        ("limit", "5"),
        ("offset", "2"),
        ("flag", "true"),
        ("search-term", "abc"),
        ("tags", "a"),
        ("tags", "b"),
        ("ids", "1"),
        ("ids", "2"),
    ]
    assert client.get("/query", params=params).json() == {
        "needed": "x",
        "limit": 5,
        "offset": 2,
        "flag": True,
        "search": "abc",
        "tags": ["a", "b"],
        "ids": [1, 2],
    }


def test_query_parameter_name_is_not_read_when_aliased(client: TestClient) -> None:
    r = client.get("/query", params={"needed": "x", "search": "abc"})
    assert r.json()["search"] is None


def test_missing_required_query_param_is_422_with_input_null(client: TestClient) -> None:
    assert detail(client.get("/query")) == [
        {"type": "missing", "loc": ["query", "needed"], "msg": "Field required", "input": None}
    ]


def test_query_constraints_report_every_error(client: TestClient) -> None:
    params = {"needed": "x", "limit": "1000", "search-term": "a", "ids": "z"}
    errors = detail(client.get("/query", params=params))
    assert errors[0] == {
        "type": "less_than_equal",
        "loc": ["query", "limit"],
        "msg": "Input should be less than or equal to 100",
        "input": "1000",
        "ctx": {"le": 100},
    }
    assert [error["loc"] for error in errors] == [
        ["query", "limit"],
        ["query", "search-term"],
        ["query", "ids", 0],
    ]


# Header and Cookie ------------------------------------------------------------------------


def test_a_json_parameter_is_one_value_holding_json() -> None:
    app = Transom()

    @app.get("/tags")
    def tags(
        items: Annotated[Json[list[str]], Query()],
        x_limits: Annotated[Json[dict[str, int]] | None, Header()] = None,
    ) -> list[Any]:
        return [items, x_limits]

    c = TestClient(app)
    r = c.get("/tags", params={"items": '["a","b"]'}, headers={"x-limits": '{"n":2}'})
    assert (r.status_code, r.content) == (200, b'[["a","b"],{"n":2}]')
    r = c.get("/tags", params={"items": '["a"'})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_invalid"
    assert r.json()["detail"][0]["loc"] == ["query", "items"]


def test_header_underscore_conversion_lists_and_alias(client: TestClient) -> None:
    headers = [
        ("x-token", "a"),
        ("x-token", "b"),
        ("strange_name", "kept"),
        ("x-other-name", "other"),
    ]
    assert client.get("/headers", headers=headers).json() == {
        "ua": "testclient",
        "tokens": ["a", "b"],
        "strange": "kept",
        "other": "other",
    }


def test_header_defaults_and_converted_name_is_not_read_raw(client: TestClient) -> None:
    r = client.get("/headers", headers={"strange-name": "converted?", "x_token": "raw"})
    assert r.json() == {"ua": "testclient", "tokens": None, "strange": "default", "other": None}


def test_missing_required_header_is_422() -> None:
    c = TestClient(app, headers={"user-agent": ""})
    del c.headers["user-agent"]
    assert detail(c.get("/headers")) == [
        {"type": "missing", "loc": ["header", "user-agent"], "msg": "Field required", "input": None}
    ]


def test_cookies_with_alias_and_default() -> None:
    c = TestClient(app, cookies={"session_id": "s1"})
    assert c.get("/cookies").json() == {"session_id": "s1", "theme": "light"}
    c.cookies.set("ui-theme", "dark")
    assert c.get("/cookies").json() == {"session_id": "s1", "theme": "dark"}


def test_missing_cookie_is_422(client: TestClient) -> None:
    [error] = detail(client.get("/cookies"))
    assert error["loc"] == ["cookie", "session_id"]
    assert error["input"] is None


# Body -------------------------------------------------------------------------------------


def test_single_model_body(client: TestClient) -> None:
    r = client.post("/items", json={"name": "pen", "price": 1.5, "extra": "ignored"})
    assert r.json() == {"name": "pen", "price": 1.5, "tags": []}


def test_single_model_body_errors_have_body_loc(client: TestClient) -> None:
    # A missing field reports the enclosing object as its input, as FastAPI does.
    assert detail(client.post("/items", json={"price": -1})) == [
        {
            "type": "missing",
            "loc": ["body", "name"],
            "msg": "Field required",
            "input": {"price": -1},
        },
        {
            "type": "greater_than",
            "loc": ["body", "price"],
            "msg": "Input should be greater than 0",
            "input": -1,
            "ctx": {"gt": 0.0},
        },
    ]


def test_missing_required_body_is_422_with_input_null(client: TestClient) -> None:
    assert detail(client.post("/items")) == [
        {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    ]


def test_optional_body_may_be_absent(client: TestClient) -> None:
    assert client.post("/items-optional").json() == {"item": None}
    r = client.post("/items-optional", json={"name": "a", "price": 2})
    assert r.json() == {"item": {"name": "a", "price": 2.0, "tags": []}}


def test_scalar_body_with_constraint(client: TestClient) -> None:
    assert client.post("/scalar-body", json=7).json() == 7
    [error] = detail(client.post("/scalar-body", json=11))
    assert (error["type"], error["loc"]) == ("less_than_equal", ["body"])


def test_malformed_json_is_422(client: TestClient) -> None:
    headers = {"content-type": "application/json"}
    [error] = detail(client.post("/items", content=b'{"name": ', headers=headers))
    assert error["type"] == "json_invalid"
    assert error["loc"][0] == "body"


def test_non_json_content_type_is_422(client: TestClient) -> None:
    r = client.post("/items", content=b"name=pen", headers={"content-type": "text/plain"})
    [error] = detail(r)
    assert error["loc"] == ["body"]


@pytest.mark.parametrize("path", ["/items", "/multi"])
@pytest.mark.parametrize("body", [b"\xff\xfe", b'"\xff"', b'{"name": "\xff", "price": 1}'])
def test_non_utf8_body_is_422_not_500(path: str, body: bytes) -> None:
    c = TestClient(app, raise_server_exceptions=False)
    r = c.post(path, content=body, headers={"content-type": "application/json"})
    [error] = detail(r)
    assert error["loc"][0] == "body"
    assert error["type"] == "json_invalid"


def test_embedded_body() -> None:
    r = TestClient(app).post("/embed", json={"item": {"name": "pen", "price": 2}})
    assert (r.status_code, r.json()) == (200, {"name": "pen", "price": 2.0, "tags": []})


def test_embedded_body_error_locs_use_the_parameter_name() -> None:
    errors = detail(TestClient(app).post("/embed", json={"name": "pen", "price": 2}))
    assert errors == [
        {"type": "missing", "loc": ["body", "item"], "msg": "Field required", "input": None}
    ]


def test_multiple_body_params_are_embedded_by_name_and_alias() -> None:
    body = {"item": {"name": "pen", "price": 2}, "count": 3, "the-note": "hi"}
    r = TestClient(app).post("/multi", json=body)
    assert r.status_code == 200
    assert r.json() == {"item": {"name": "pen", "price": 2.0, "tags": []}, "count": 3, "note": "hi"}


def test_multiple_body_params_errors() -> None:
    errors = detail(TestClient(app).post("/multi", json={"item": {"name": "pen", "price": 0}}))
    assert [(error["type"], error["loc"]) for error in errors] == [
        ("greater_than", ["body", "item", "price"]),
        ("missing", ["body", "count"]),
    ]


def test_async_handler_without_dependencies_validates_and_gets_the_request() -> None:
    # Such handlers take the shortest path through a route; it must behave the same.
    fast = Transom()

    @fast.get("/fast/{item_id}")
    async def handler(item_id: int, request: Request, q: str = "d") -> dict[str, object]:
        return {"id": item_id, "q": q, "path": request.url.path}

    c = TestClient(fast)
    assert c.get("/fast/3?q=x").json() == {"id": 3, "q": "x", "path": "/fast/3"}
    r = c.get("/fast/nope")
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "item_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "nope",
            }
        ]
    }


class AliasedModel(BaseModel):
    p: str = Field(alias="p_alias", validation_alias="p_val_alias")


def validation_alias_app() -> Transom:
    app = Transom()

    @app.get("/query")
    def query(p: Annotated[str, Query(alias="p_alias", validation_alias="p_val_alias")]) -> Any:
        return {"p": p}

    @app.get("/header")
    def header(p: Annotated[str, Header(validation_alias="X-Val")]) -> Any:
        return {"p": p}

    @app.get("/cookie")
    def cookie(p: Annotated[str, Cookie(validation_alias="p_val_alias")]) -> Any:
        return {"p": p}

    @app.get("/query-model")
    def query_model(p: Annotated[AliasedModel, Query()]) -> Any:
        return {"p": p.p}

    @app.post("/body")
    def body(p: Annotated[str, Body(embed=True, validation_alias="p_val_alias")]) -> Any:
        return {"p": p}

    @app.post("/form")
    def form(p: Annotated[str, Form(alias="p_alias", validation_alias="p_val_alias")]) -> Any:
        return {"p": p}

    @app.post("/form-model")
    def form_model(p: Annotated[AliasedModel, Form()]) -> Any:
        return {"p": p.p}

    return app


@pytest.mark.parametrize(
    ("method", "path", "sent", "by_alias", "loc"),
    [
        ("GET", "/query", {"params": {"p_val_alias": "x"}}, {"params": {"p_alias": "x"}}, "query"),
        ("GET", "/header", {"headers": {"X-Val": "x"}}, {"headers": {"p": "x"}}, "header"),
        ("GET", "/cookie", {"cookies": {"p_val_alias": "x"}}, {"cookies": {"p": "x"}}, "cookie"),
        ("GET", "/query-model", {"params": {"p_val_alias": "x"}}, {"params": {"p": "x"}}, "query"),
        ("POST", "/body", {"json": {"p_val_alias": "x"}}, {"json": {"p": "x"}}, "body"),
        ("POST", "/form", {"data": {"p_val_alias": "x"}}, {"data": {"p_alias": "x"}}, "body"),
        ("POST", "/form-model", {"data": {"p_val_alias": "x"}}, {"data": {"p": "x"}}, "body"),
    ],
)
def test_a_validation_alias_is_the_name_read_from_the_request(
    method: str, path: str, sent: dict[str, Any], by_alias: dict[str, Any], loc: str
) -> None:
    client = TestClient(validation_alias_app())
    for name, value in sent.pop("cookies", {}).items():
        client.cookies.set(name, value)
    assert client.request(method, path, **sent).json() == {"p": "x"}
    client.cookies.clear()
    for name, value in by_alias.pop("cookies", {}).items():
        client.cookies.set(name, value)
    r = client.request(method, path, **by_alias)
    assert r.status_code == 422
    name = "x-val" if path == "/header" else "p_val_alias"
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [("missing", [loc, name])]


def test_a_validation_alias_names_the_parameter_in_the_document() -> None:
    document = validation_alias_app().openapi()
    [parameter] = document["paths"]["/query"]["get"]["parameters"]
    assert parameter == {
        "name": "p_val_alias",
        "in": "query",
        "required": True,
        "schema": {"type": "string", "title": "P Val Alias"},
    }
    [parameter] = document["paths"]["/query-model"]["get"]["parameters"]
    assert parameter["name"] == "p_val_alias"
    form = document["components"]["schemas"]["Body_form_form_post"]
    assert form["properties"] == {"p_val_alias": {"type": "string", "title": "P Val Alias"}}
    assert form["required"] == ["p_val_alias"]


def test_a_validation_alias_that_is_not_a_name_is_refused() -> None:
    from pydantic import AliasChoices

    with pytest.raises(TypeError, match=r"validation_alias of a request parameter .* string"):
        Query(validation_alias=AliasChoices("a", "b"))  # type: ignore[arg-type]


def test_urls_and_ip_addresses_are_read_from_the_query_as_fastapi_does() -> None:
    app = Transom()

    @app.get("/hosts")
    def hosts(
        url: HttpUrl, address: ipaddress.IPv4Address, network: ipaddress.IPv6Network | None = None
    ) -> dict[str, str]:
        return {"url": str(url), "address": str(address), "network": str(network)}

    client = TestClient(app)
    response = client.get("/hosts?url=https://example.com/a&address=10.0.0.1&network=::/64")
    assert response.json() == {
        "url": "https://example.com/a",
        "address": "10.0.0.1",
        "network": "::/64",
    }
    response = client.get("/hosts?url=nope&address=10.0.0.1")
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", "url"]]
    parameters = app.openapi()["paths"]["/hosts"]["get"]["parameters"]
    assert [(p["name"], p["in"]) for p in parameters] == [
        ("url", "query"),
        ("address", "query"),
        ("network", "query"),
    ]


def test_a_default_inside_annotated_is_refused_with_the_fix() -> None:
    app = Transom()

    def read(limit: Annotated[int, Query(default=10)]) -> int:
        return limit  # pragma: no cover

    with pytest.raises(DeclarationError) as excinfo:
        app.get("/items")(read)
    assert str(excinfo.value) == (
        "route GET /items: `Query` default value cannot be set in `Annotated` for 'limit'. "
        "Set the default value with `=` instead: `limit: Annotated[..., Query()] = 10`, "
        "not `Query(default=10)`."
    )

    def fixed(limit: Annotated[int, Query()] = 10) -> int:
        return limit

    app.get("/items")(fixed)
    assert TestClient(app).get("/items").json() == 10


@pytest.mark.parametrize(
    "declared",
    [
        "item_id: Annotated[int, Path(default=1)]",
        "item_id: Annotated[int, Path()] = 1",
        "item_id: int = Path(1)",
        "item_id: int | None = Path(None)",
    ],
)
def test_a_path_parameter_with_a_default_is_refused(declared: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"def read({declared}) -> None: ...", {"Annotated": Annotated, "Path": Path}, namespace)
    with pytest.raises(DeclarationError) as excinfo:
        Transom().get("/items/{item_id}")(namespace["read"])
    default = "None" if "None" in declared else "1"
    assert str(excinfo.value) == (
        f"route GET /items/{{item_id}}: parameter 'item_id' is declared with Path() and a "
        f"default ({default}). Path parameters cannot have a default value: a path "
        "parameter always comes from the path. Remove the default."
    )
