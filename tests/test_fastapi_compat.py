"""Behaviours FastAPI users rely on, each a bug found by porting FastAPI code."""

import contextlib
import contextvars
import dataclasses
import datetime
import functools
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any

import pytest
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

from transom import (
    APIRouter,
    BackgroundTasks,
    Body,
    DeclarationError,
    Depends,
    Header,
    Path,
    Query,
    RedirectResponse,
    Request,
    Transom,
)
from transom.exceptions import DeprecatedOptionWarning
from transom.testclient import TestClient

ONE_HOUR = timedelta(hours=1)


def test_an_unannotated_parameter_means_any() -> None:
    app = Transom()

    @app.get("/items/{item_id}")
    def read_item(item_id, q=None):  # type: ignore[no-untyped-def]
        return {"item_id": item_id, "q": q}

    client = TestClient(app)
    assert client.get("/items/5", params={"q": "x"}).json() == {"item_id": "5", "q": "x"}
    assert client.get("/openapi.json").status_code == 200


def test_response_class_redirect_with_a_returned_url_is_a_307() -> None:
    app = Transom()

    @app.get("/go", response_class=RedirectResponse)
    def go() -> str:
        return "https://example.com/x"

    @app.get("/moved", response_class=RedirectResponse, status_code=301)
    def moved() -> str:
        return "https://example.com/y"

    client = TestClient(app, follow_redirects=False)
    r = client.get("/go")
    assert (r.status_code, r.headers["location"]) == (307, "https://example.com/x")
    assert client.get("/moved").status_code == 301


async def add(a: int, b: int = 0) -> int:
    return a + b


def wrapped(call: Callable[..., Awaitable[int]]) -> Callable[..., Awaitable[int]]:
    @functools.wraps(call)
    async def wrapper(*args: Any, **kwargs: Any) -> int:
        return await call(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize(
    "dependency", [functools.partial(add, b=1), wrapped(add)], ids=["partial", "wraps"]
)
def test_partial_and_wrapped_async_dependencies_are_awaited(
    dependency: Callable[..., Awaitable[int]],
) -> None:
    app = Transom()

    @app.get("/")
    async def handler(value: int = Depends(dependency)) -> int:
        return value

    assert TestClient(app).get("/", params={"a": 1}).json() in (1, 2)


def test_depends_of_the_same_callable_are_equal() -> None:
    assert Depends(add) == Depends(add)
    assert Depends(add) != Depends(add, use_cache=False)
    assert len({Depends(add), Depends(add)}) == 1


def test_dependency_overrides_may_be_reset_with_none() -> None:
    app = Transom()
    app.dependency_overrides[add] = lambda: 1
    app.dependency_overrides = None
    assert dict(app.dependency_overrides) == {}


def test_a_router_route_with_an_empty_path_takes_the_include_prefix() -> None:
    router = APIRouter()

    @router.get("")
    def root() -> str:
        return "root"

    app = Transom()
    app.include_router(router, prefix="/root")
    outer = APIRouter()
    outer.include_router(router, prefix="/nested")
    app.include_router(outer)
    client = TestClient(app)
    assert client.get("/root").json() == "root"
    assert client.get("/nested").json() == "root"
    empty = "Prefix and path cannot be both empty: the path operation 'root' has the path ''"
    # Without prefix= the route has no path, wherever it is included (as in FastAPI).
    for includer in (Transom(), APIRouter(), APIRouter(prefix="/outer")):
        with pytest.raises(DeclarationError, match=re.escape(empty)):
            includer.include_router(router)
    with pytest.raises(ValueError, match="included with a prefix"):
        Transom().get("")(root)


def test_a_router_cannot_be_included_into_itself_or_a_router_it_includes() -> None:
    first, second, third = APIRouter(prefix="/first"), APIRouter(), APIRouter(prefix="/third")
    with pytest.raises(
        DeclarationError,
        match=re.escape(
            "Cannot include the same APIRouter instance into itself. Did you mean to include "
            "a different router? (router: APIRouter(prefix='/first'))"
        ),
    ):
        first.include_router(first)
    first.include_router(second)
    second.include_router(third)
    with pytest.raises(
        AssertionError,  # as FastAPI's assert
        match=re.escape(
            "Cannot include APIRouter(prefix='/first') into APIRouter(prefix='/third'): the "
            "first already includes the second, directly or through other routers."
        ),
    ):
        third.include_router(first)
    with pytest.raises(DeclarationError, match="an APIRouter without prefix"):
        second.include_router(first)
    app = Transom()
    app.include_router(first)
    app.include_router(second)  # included twice, but no cycle


def test_an_empty_openapi_url_turns_the_document_and_docs_off() -> None:
    client = TestClient(Transom(openapi_url=""))
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404


def test_a_misspelt_path_operation_option_raises_with_a_hint() -> None:
    app = Transom()
    with pytest.raises(TypeError, match=r"'respons_model'\. Did you mean 'response_model'"):
        app.put("/y", respons_model=int)  # type: ignore[call-arg]


def test_plain_data_sends_a_timedelta_as_seconds() -> None:
    app = Transom()
    app.get("/")(lambda: {"wait": timedelta(minutes=5)})
    assert TestClient(app).get("/").json() == {"wait": 300.0}


class MaskedUUID:
    """A UUID that is not one: asyncpg's UUIDs claim the class and have no `__dict__`."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return uuid.UUID

    @property
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        raise TypeError("no __dict__")


@dataclasses.dataclass
class Reading:
    at: datetime.datetime
    value: Decimal


class Gauge:
    def __init__(self) -> None:
        self.level = Decimal("0.25")
        self._sa_instance_state = "SQLAlchemy's"


def test_plain_data_is_sent_as_fastapis_jsonable_encoder_makes_it() -> None:
    utc = datetime.datetime(2018, 12, 22, 14, 5, tzinfo=datetime.UTC)
    app = Transom()

    @app.get("/", response_model=None)  # plain data: no model to serialise it
    def read() -> dict[str, Any]:
        return {
            "price": Decimal("1.10"),
            "count": Decimal("3"),
            "at": utc,
            "local": datetime.datetime(2018, 12, 22, 15, 5, tzinfo=datetime.timezone(ONE_HOUR)),
            "alarm": datetime.time(7, 30, tzinfo=datetime.UTC),
            "id": MaskedUUID("a10ff360-3b1e-4984-a26f-d3ab460bdb51"),
            "readings": [Reading(utc, Decimal("2.5"))],
            "gauge": Gauge(),
            "by_day": {datetime.date(2018, 12, 22): Decimal("1")},
            "tags": ("a", "b"),
        }

    body = TestClient(app).get("/").content
    assert json.loads(body) == {
        "price": 1.1,
        "count": 3,
        "at": "2018-12-22T14:05:00+00:00",
        "local": "2018-12-22T15:05:00+01:00",
        "alarm": "07:30:00+00:00",
        "id": "a10ff360-3b1e-4984-a26f-d3ab460bdb51",
        "readings": [{"at": "2018-12-22T14:05:00+00:00", "value": 2.5}],
        "gauge": {"level": 0.25},
        "by_day": {"2018-12-22": 1},
        "tags": ["a", "b"],
    }
    assert b'"count":3,' in body


class Priced(BaseModel):
    price: Decimal
    at: datetime.datetime


def test_models_in_plain_data_keep_pydantics_json_as_in_fastapi() -> None:
    utc = datetime.datetime(2018, 12, 22, 14, 5, tzinfo=datetime.UTC)
    app = Transom()
    app.get("/")(lambda: {"item": Priced(price=Decimal("1.10"), at=utc)})
    assert TestClient(app).get("/").json() == {
        "item": {"price": "1.10", "at": "2018-12-22T14:05:00Z"}
    }


def test_plain_data_of_an_object_with_nothing_to_read_is_a_500() -> None:
    app = Transom()
    app.get("/")(lambda: {"x": object()})
    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500


class Item(BaseModel):
    name: str
    price: float


def test_body_errors_have_fastapis_shape() -> None:
    app = Transom()

    @app.post("/")
    def create(item: Item) -> Item:
        return item

    client = TestClient(app)
    assert client.post("/", json={"name": "x"}).json()["detail"] == [
        {
            "type": "missing",
            "loc": ["body", "price"],
            "msg": "Field required",
            "input": {"name": "x"},
        }
    ]
    [error] = client.post("/", json=[1, 2]).json()["detail"]
    assert (error["type"], error["loc"], error["input"]) == (
        "model_attributes_type",
        ["body"],
        [1, 2],
    )


def test_the_test_client_can_be_entered_twice() -> None:
    client = TestClient(Transom())
    with client:
        pass
    with client:
        assert client.get("/nowhere").status_code == 404


def test_a_body_parameter_a_dependency_and_the_handler_share_is_one_field() -> None:
    app = Transom()

    def name_of(item: Item) -> str:
        return item.name

    @app.post("/")
    def create(item: Item, name: str = Depends(name_of)) -> dict[str, str]:
        return {"dependency": name, "handler": item.name}

    client = TestClient(app)
    assert client.post("/", json={"name": "x", "price": 1}).json() == {
        "dependency": "x",
        "handler": "x",
    }
    detail = client.post("/", json={"name": "x"}).json()["detail"]
    assert [error["loc"] for error in detail] == [["body", "price"]]


def test_a_request_scope_resource_outlives_background_tasks_behind_a_middleware() -> None:
    log: list[str] = []

    async def resource() -> Any:
        log.append("open")
        yield "r"
        log.append("close")

    app = Transom()

    @app.middleware("http")
    async def passthrough(request: Any, call_next: Any) -> Any:
        return await call_next(request)

    @app.get("/")
    def handler(tasks: BackgroundTasks, value: str = Depends(resource)) -> str:
        tasks.add_task(log.append, "task")
        return value

    assert TestClient(app).get("/").json() == "r"
    assert log == ["open", "task", "close"]


def test_one_generator_in_two_scopes_is_two_resources() -> None:
    opened: list[object] = []

    def resource() -> Any:
        value = object()
        opened.append(value)
        yield value

    app = Transom()

    @app.get("/")
    def handler(
        a: object = Depends(resource, scope="function"),
        b: object = Depends(resource, scope="request"),
    ) -> bool:
        return a is b

    assert TestClient(app).get("/").json() is False
    assert len(opened) == 2


def test_an_exception_a_yield_dependency_swallows_is_a_500_that_says_why() -> None:
    async def swallow() -> Any:
        with contextlib.suppress(RuntimeError):  # swallowed, not re-raised
            yield 1

    app = Transom()

    @app.get("/")
    def handler(value: int = Depends(swallow)) -> None:
        raise RuntimeError("boom")

    r = TestClient(app, raise_server_exceptions=False).get("/")
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    # What the server logs: the error that says why.
    with pytest.raises(RuntimeError, match="did not re-raise it"):
        TestClient(app).get("/")


def test_a_type_checking_only_name_in_a_dependency_return_annotation_is_fine() -> None:
    namespace: dict[str, Any] = {}
    exec(  # a module whose return annotation names what only TYPE_CHECKING imports
        "from __future__ import annotations\ndef dependency(q: int) -> Decimal:\n    return q\n",
        namespace,
    )
    app = Transom()

    @app.get("/")
    def handler(value: int = Depends(namespace["dependency"])) -> int:
        return value

    assert TestClient(app).get("/", params={"q": 3}).json() == 3


def test_router_lifespans_and_startup_handlers_run_with_the_apps() -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def router_lifespan(app: Any) -> AsyncIterator[dict[str, str]]:
        events.append("router start")
        yield {"from_router": "yes"}
        events.append("router stop")

    @contextlib.asynccontextmanager
    async def app_lifespan(app: Any) -> AsyncIterator[None]:
        events.append("app start")
        yield
        events.append("app stop")

    router = APIRouter(lifespan=router_lifespan)

    with pytest.warns(DeprecationWarning, match="^on_event is deprecated"):

        @router.on_event("startup")
        def router_startup() -> None:
            events.append("router on_startup")

    @router.get("/state")
    def state(request: Request) -> str:
        return str(request.state.from_router)

    app = Transom(lifespan=app_lifespan, on_startup=[lambda: events.append("app on_startup")])
    app.include_router(router)
    with TestClient(app) as client:
        assert client.get("/state").json() == "yes"
    assert events == [
        "app on_startup",
        "router on_startup",
        "app start",
        "router start",
        "router stop",
        "app stop",
    ]


def starlette_class(module: str, name: str, base: type = object) -> type:
    """A stand-in for one of Starlette's classes: what Transom matches is its name."""
    return type(name, (base,), {"__module__": module, "__qualname__": name})


def test_starlettes_request_and_background_tasks_annotations_mean_transoms() -> None:
    starlette_request = starlette_class("starlette.requests", "Request")
    starlette_tasks = starlette_class("starlette.background", "BackgroundTasks")
    app = Transom()
    ran: list[str] = []

    def handler(request, tasks) -> str:  # type: ignore[no-untyped-def]
        tasks.add_task(ran.append, "task")
        return str(request.url.path)

    handler.__annotations__ = {"request": starlette_request, "tasks": starlette_tasks}
    app.get("/where")(handler)
    assert TestClient(app).get("/where").json() == "/where"
    assert ran == ["task"]


def test_a_handler_registered_for_starlettes_http_exception_handles_transoms() -> None:
    starlette_http_exception = starlette_class("starlette.exceptions", "HTTPException", Exception)

    async def on_http(request: Request, exc: Any) -> Any:
        from transom import PlainTextResponse

        return PlainTextResponse(f"handled {exc.status_code}", status_code=exc.status_code)

    app = Transom(exception_handlers={starlette_http_exception: on_http})
    r = TestClient(app).get("/nowhere")
    assert (r.status_code, r.text) == (404, "handled 404")


def test_a_body_of_an_unknown_class_names_the_route_and_parameter() -> None:
    class Unknown:
        pass

    app = Transom()
    with pytest.raises(DeclarationError, match=r"route POST /: parameter 'thing' is read"):

        @app.post("/")
        def create(thing: Unknown) -> None:
            pass


def test_a_json_body_without_a_content_type_is_refused_unless_strictness_is_off() -> None:
    def app(**options: Any) -> Transom:
        app = Transom(**options)

        @app.post("/")
        def create(item: dict[str, Any]) -> dict[str, Any]:
            return item

        return app

    body = b'{"name": "x", "price": 1}'
    r = TestClient(app()).post("/", content=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"].endswith("got no Content-Type.")
    r = TestClient(app(strict_content_type=False)).post("/", content=body)
    assert r.json() == {"name": "x", "price": 1}


STATE: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("state", default=None)


def test_a_yield_dependency_resets_its_contextvar_behind_a_middleware() -> None:
    async def request_state() -> AsyncIterator[dict[str, str]]:
        state = {"user": "deadpond"}
        token = STATE.set(state)
        yield state
        STATE.reset(token)  # raises if the teardown ran in another context

    app = Transom()

    @app.middleware("http")
    async def tag(request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["custom"] = "foo"
        return response

    @app.get("/user", dependencies=[Depends(request_state)])
    def user() -> str:
        state = STATE.get()
        assert state is not None
        return state["user"]

    r = TestClient(app).get("/user")
    assert (r.json(), r.headers["custom"]) == ("deadpond", "foo")


def test_validation_alias_names_the_parameter_in_the_request() -> None:
    app = Transom()

    @app.get("/q")
    def by_query(p: Annotated[str, Query(alias="p_alias", validation_alias="p_val")]) -> str:
        return p

    @app.get("/h")
    def by_header(token: Annotated[str, Header(validation_alias="X-Token")]) -> str:
        return token

    class Filters(BaseModel):
        limit: int = Field(validation_alias="max")

    @app.get("/m")
    def by_model(filters: Annotated[Filters, Query()]) -> int:
        return filters.limit

    client = TestClient(app)
    assert client.get("/q", params={"p_val": "a"}).json() == "a"
    missing = client.get("/q", params={"p_alias": "a", "p": "a"}).json()["detail"]
    assert [(e["type"], e["loc"]) for e in missing] == [("missing", ["query", "p_val"])]
    assert client.get("/h", headers={"x-token": "t"}).json() == "t"
    assert client.get("/m", params={"max": "3"}).json() == 3
    error = client.get("/m", params={"limit": "3"}).json()["detail"][0]
    assert (error["loc"], error["input"]) == (["query", "max"], {"limit": "3"})
    parameters = client.get("/openapi.json").json()["paths"]["/q"]["get"]["parameters"]
    assert (parameters[0]["name"], parameters[0]["schema"]["title"]) == ("p_val", "P Val")


def test_validation_alias_must_be_a_name() -> None:
    with pytest.raises(TypeError, match="validation_alias"):
        Query(validation_alias=AliasChoices("a", "b"))  # type: ignore[arg-type]


def test_number_and_string_options_are_enforced() -> None:
    app = Transom()

    @app.post("/")
    def create(
        x: Annotated[float, Query(allow_inf_nan=False)] = 0,
        n: Annotated[int, Query(strict=True)] = 0,
        code: Annotated[str, Query(pattern="^[a-z]+$")] = "a",
        price: Annotated[Decimal, Query(max_digits=4, decimal_places=2)] = Decimal(0),
        b: Annotated[float, Body(allow_inf_nan=False)] = 0,
    ) -> str:
        return "ok"

    client = TestClient(app)
    assert client.post("/", params={"x": "1.5", "code": "abc", "price": "10.25"}).json() == "ok"
    for params in ({"x": "inf"}, {"x": "nan"}, {"n": "5"}, {"code": "AB"}, {"price": "1.234"}):
        assert client.post("/", params=params).status_code == 422, params
    assert client.post("/", json="-inf").status_code == 422


def test_regex_and_example_are_deprecated_spellings() -> None:
    app = Transom()
    with pytest.warns(DeprecatedOptionWarning, match="pattern="):

        @app.get("/")
        def read(code: Annotated[str, Query(regex="^[a-z]+$")]) -> str:
            return code

    with pytest.warns(DeprecatedOptionWarning, match="examples="):
        Query(example="x")
    client = TestClient(app)
    assert client.get("/", params={"code": "abc"}).status_code == 200
    assert client.get("/", params={"code": "ABC"}).status_code == 422


def test_several_markers_of_one_kind_all_apply() -> None:
    app = Transom()

    @app.get("/")
    def read(foo: Annotated[int, Query(gt=2), Query(lt=10)]) -> int:
        return foo

    client = TestClient(app)
    assert client.get("/", params={"foo": "5"}).json() == 5
    assert client.get("/", params={"foo": "1"}).status_code == 422
    assert client.get("/", params={"foo": "10"}).status_code == 422
    with pytest.raises(DeclarationError, match="several markers"):

        @app.get("/y")
        def mixed(foo: Annotated[int, Query(), Header()]) -> int:
            return foo


def test_markers_repr_as_fastapi() -> None:
    assert [repr(Query("x")), repr(Path()), repr(Body([])), repr(Header(None))] == [
        "Query(x)",
        "Path(PydanticUndefined)",
        "Body([])",
        "Header(None)",
    ]


def test_a_parameter_model_gets_everything_sent() -> None:
    class Extra(BaseModel):
        model_config = ConfigDict(extra="allow")
        param: str

    class Auth(BaseModel):
        x_user_id: str

    app = Transom()

    @app.get("/query")
    def query(data: Annotated[Extra, Query()]) -> Extra:
        return data

    @app.get("/header")
    def header(data: Annotated[Auth, Header()]) -> Auth:
        return data

    client = TestClient(app)
    sent = client.get("/query", params=[("param", "1"), ("more", "2"), ("more", "3")])
    assert sent.json() == {"param": "1", "more": ["2", "3"]}
    error = client.get("/query", params={"other": "x"}).json()["detail"][0]
    assert (error["loc"], error["input"]) == (["query", "param"], {"other": "x"})
    both = [("x-user-id", "hyphen"), ("x_user_id", "underscore")]
    assert client.get("/header", headers=both).json() == {"x_user_id": "hyphen"}
    assert client.get("/header", headers={"x_user_id": "u"}).status_code == 422


PositiveQuery = TypeAliasType("PositiveQuery", Annotated[int, Query(gt=0)])


def answer() -> int:
    return 42


Answer = TypeAliasType("Answer", Annotated[int, Depends(answer)])


def test_type_aliases_of_annotated_markers_are_unwrapped() -> None:
    app = Transom()

    @app.get("/")
    def read(n: PositiveQuery, a: Answer) -> list[int]:
        return [n, a]

    client = TestClient(app)
    assert client.get("/", params={"n": "3"}).json() == [3, 42]
    assert client.get("/", params={"n": "0"}).status_code == 422


def test_openapi_examples_and_example_are_documented() -> None:
    app = Transom()
    examples = {"short": {"summary": "A short one", "value": "ab"}}

    class Item(BaseModel):
        name: str

    with pytest.warns(DeprecatedOptionWarning):

        @app.post("/")
        def create(
            item: Annotated[Item, Body(openapi_examples={"pen": {"value": {"name": "pen"}}})],
            q: Annotated[str, Query(openapi_examples=examples)] = "",
            old: Annotated[str, Query(example="x")] = "",
        ) -> str:
            return q

    operation = TestClient(app).get("/openapi.json").json()["paths"]["/"]["post"]
    q, old = operation["parameters"]
    assert (q["examples"], old["example"]) == (examples, "x")
    content = operation["requestBody"]["content"]["application/json"]
    assert content["examples"] == {"pen": {"value": {"name": "pen"}}}


def test_root_path_is_set_on_requests_and_listed_as_the_first_server() -> None:
    app = Transom(root_path="/api/v1", servers=[{"url": "https://example.com"}])

    @app.get("/app")
    def read(request: Request) -> dict[str, Any]:
        return {"root_path": request.scope.get("root_path")}

    client = TestClient(app)
    assert client.get("/app").json() == {"root_path": "/api/v1"}
    servers = client.get("/openapi.json").json()["servers"]
    assert servers == [{"url": "/api/v1"}, {"url": "https://example.com"}]
    hidden = Transom(root_path="/api/v1", root_path_in_servers=False)
    assert "servers" not in TestClient(hidden).get("/openapi.json").json()


def test_openapi_prefix_is_the_deprecated_name_of_root_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="transom"):
        app = Transom(openapi_prefix="/api/v1")
    assert [(record.name, record.getMessage()) for record in caplog.records] == [
        (
            "transom",
            '"openapi_prefix" is deprecated in favour of "root_path", which follows the ASGI '
            "standard: Transom(root_path='/api/v1').",
        )
    ]

    @app.get("/app")
    def read(request: Request) -> dict[str, Any]:
        return {"root_path": request.scope.get("root_path")}

    client = TestClient(app)
    assert client.get("/app").json() == {"root_path": "/api/v1"}
    document = client.get("/openapi.json").json()
    assert (document["servers"], list(document["paths"])) == ([{"url": "/api/v1"}], ["/app"])
    assert Transom(root_path="/v2", openapi_prefix="/v1").root_path == "/v2"


def test_a_clients_root_path_is_not_kept_for_the_next_one() -> None:
    app = Transom()
    app.get("/")(lambda: None)
    spoofed = TestClient(app, root_path="/evil").get("/openapi.json").json()
    assert spoofed["servers"] == [{"url": "/evil"}]
    assert "servers" not in TestClient(app).get("/openapi.json").json()
