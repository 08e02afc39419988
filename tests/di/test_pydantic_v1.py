"""A `pydantic.v1` model on a route is a `PydanticV1NotSupportedError` at declaration.

Wherever a route would have pydantic 2 validate or document it: a parameter (also
inside a union, a list or a dict, and a dependency's), `response_model=`, the return
annotation, `responses=`. The error names the route, where the model stands and the
model, and comes before pydantic is asked for a schema (which would only warn,
"Mixing V1 models and V2 models", and then fail on the first request).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Annotated, Any

import pytest

from transom import Depends, Query, Transom
from transom.exceptions import DeclarationError, PydanticV1NotSupportedError
from transom.testclient import TestClient

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pydantic.v1 warns on import under Python 3.14
    from pydantic import v1


class Old(v1.BaseModel):
    name: str


OLD = f"{__name__}.Old"
FIX = "Update the model to pydantic 2 (`from pydantic import BaseModel`)."


def body_old(item: Old) -> None: ...
def union_old(item: dict[str, Any] | Old) -> None: ...
def list_old(items: list[Old]) -> None: ...
def dict_old(items: dict[str, Old | None]) -> None: ...
def query_old(item: Annotated[Old, Query()]) -> None: ...
def needs_old(item: Old) -> int:
    return 1  # pragma: no cover


def dependency_old(value: Annotated[int, Depends(needs_old)]) -> None: ...
def returns_old() -> Old:
    return Old(name="x")  # pragma: no cover


def returns_list_of_old() -> list[Old]:
    return []  # pragma: no cover


@pytest.mark.parametrize(
    ("endpoint", "where"),
    [
        (body_old, "route POST /x: parameter 'item'"),
        (union_old, "route POST /x: parameter 'item'"),
        (list_old, "route POST /x: parameter 'items'"),
        (dict_old, "route POST /x: parameter 'items'"),
        (query_old, "route POST /x: parameter 'item'"),
        (dependency_old, "route POST /x: dependency needs_old: parameter 'item'"),
        (returns_old, "route POST /x: the response model"),
        (returns_list_of_old, "route POST /x: the response model"),
    ],
)
def test_a_pydantic_v1_model_in_the_signature_is_refused(
    endpoint: Callable[..., Any], where: str
) -> None:
    app = Transom()
    with pytest.raises(PydanticV1NotSupportedError) as caught:
        app.post("/x")(endpoint)
    assert str(caught.value) == f"{where}: {OLD} is a pydantic.v1 model, and pydantic.v1 " + (
        f"models are not supported. {FIX}"
    )
    assert isinstance(caught.value, DeclarationError)


def test_a_pydantic_v1_response_model_is_refused() -> None:
    app = Transom()
    with pytest.raises(PydanticV1NotSupportedError, match=r"^route GET /x: the response model: "):
        app.get("/x", response_model=Old | None)(lambda: None)


def test_a_pydantic_v1_model_in_responses_is_refused() -> None:
    app = Transom()
    with pytest.raises(PydanticV1NotSupportedError) as caught:
        app.get("/x", response_model=None, responses={400: {"model": Old}})(lambda: {})
    assert str(caught.value).startswith(
        f"route GET /x: responses={{400: {{'model': ...}}}}: {OLD} is a pydantic.v1 model"
    )


def test_a_route_without_pydantic_v1_still_serves() -> None:
    app = Transom()

    @app.get("/x", responses={400: {"model": dict[str, str]}})
    def read(name: Annotated[str, Query()] = "v2") -> dict[str, str]:
        return {"name": name}

    with TestClient(app) as client:
        response = client.get("/x")
    assert (response.status_code, response.content) == (200, b'{"name":"v2"}')
