"""Behaviours FastAPI users rely on, each a bug found by porting FastAPI code."""

import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from transom import APIRouter, Depends, RedirectResponse, Transom
from transom.testclient import TestClient


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
    assert TestClient(app).get("/root").json() == "root"
    with pytest.raises(ValueError, match="included with a prefix"):
        Transom().include_router(router)
    with pytest.raises(ValueError, match="included with a prefix"):
        Transom().get("")(root)


def test_an_empty_openapi_url_turns_the_document_and_docs_off() -> None:
    client = TestClient(Transom(openapi_url=""))
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404


def test_a_misspelt_path_operation_option_raises_with_a_hint() -> None:
    app = Transom()
    with pytest.raises(TypeError, match=r"'respons_model'\. Did you mean 'response_model'"):
        app.put("/y", respons_model=int)(lambda: 1)  # type: ignore[call-arg]


def test_plain_data_sends_a_timedelta_as_seconds() -> None:
    app = Transom()
    app.get("/")(lambda: {"wait": timedelta(minutes=5)})
    assert TestClient(app).get("/").json() == {"wait": 300.0}


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
