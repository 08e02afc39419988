"""`response_model`: validation, filtering and JSON of returned data, as FastAPI does it."""

import datetime
import math
import uuid
from typing import Any, Unpack

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, Field

from transom import (
    APIRouter,
    DeclarationError,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    ResponseValidationError,
    Transom,
)
from transom.routing import RouteOptions
from transom.testclient import TestClient


class UserOut(BaseModel):
    name: str
    email: str | None = None


class UserWithSecret(UserOut):
    password: str


class Item(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str
    description: str | None = None
    price: float = Field(default=10.0, alias="itemPrice")
    tags: list[str] = []


class Holder:
    """A plain object read with `from_attributes`, like an ORM row."""

    def __init__(self) -> None:
        self.name = "orm"
        self.email = "orm@example.com"
        self.password = "hunter2"


def get(
    handler: Any, raise_errors: bool = False, **options: Unpack[RouteOptions]
) -> httpx.Response:
    app = Transom()
    app.add_api_route("/", handler, methods=["GET"], **options)
    return TestClient(app, raise_server_exceptions=raise_errors).get("/")


def test_explicit_response_model_filters_extra_fields() -> None:
    def handler() -> Any:
        return {"name": "ann", "password": "hunter2", "email": "a@example.com"}

    r = get(handler, response_model=UserOut)
    assert r.json() == {"name": "ann", "email": "a@example.com"}
    assert "hunter2" not in r.text


def test_return_annotation_is_the_response_model() -> None:
    def handler() -> UserOut:
        return UserWithSecret(name="ann", password="hunter2")

    r = get(handler)
    assert r.json() == {"name": "ann", "email": None}
    assert "hunter2" not in r.text


def test_explicit_response_model_wins_over_annotation() -> None:
    def handler() -> UserWithSecret:
        return UserWithSecret(name="ann", password="hunter2")

    assert get(handler, response_model=UserOut).json() == {"name": "ann", "email": None}


def test_list_of_models_annotation() -> None:
    def handler() -> list[UserOut]:
        return [
            UserWithSecret(name="a", password="p"),
            {"name": "b", "password": "p"},  # type: ignore[list-item]
        ]

    r = get(handler)
    assert r.json() == [{"name": "a", "email": None}, {"name": "b", "email": None}]


def test_scalar_annotation_validates_lax_like_fastapi() -> None:
    def handler() -> dict[str, int]:
        return {"a": "1"}  # type: ignore[dict-item]

    assert get(handler).json() == {"a": 1}


def test_response_annotation_means_no_model() -> None:
    def handler() -> Response:
        return PlainTextResponse("plain")

    assert get(handler).text == "plain"


def test_a_union_of_a_response_class_and_data_is_refused_as_in_fastapi() -> None:
    def secret(flag: bool = False) -> PlainTextResponse | UserOut:
        return UserWithSecret(name="ann", password="hunter2")  # would go out unfiltered

    with pytest.raises(DeclarationError) as excinfo:
        get(secret)
    assert str(excinfo.value) == (
        "route GET /: the return annotation transom.responses.PlainTextResponse | "
        "tests.test_serialization.UserOut joins a response class and data, which is not a "
        "valid Pydantic field type. Set the path operation parameter response_model=None "
        "to return either unvalidated, or response_model= to the data's type to validate "
        "the data (a returned response is sent as it is)."
    )
    assert get(secret, response_model=UserOut).json() == {"name": "ann", "email": None}
    assert get(secret, response_model=None).json()["password"] == "hunter2"

    def plain() -> PlainTextResponse | UserOut:
        return PlainTextResponse("plain")

    assert get(plain, response_model=UserOut).text == "plain"


def test_a_responses_model_pydantic_cannot_describe_is_refused_at_declaration() -> None:
    app = Transom()

    def handler() -> None:
        return None  # pragma: no cover

    with pytest.raises(DeclarationError) as excinfo:
        app.get("/", responses={500: {"model": list[Holder]}})(handler)
    assert str(excinfo.value) == (
        "route GET /: responses={500: {'model': list[tests.test_serialization.Holder]}} is "
        "not a valid Pydantic field type, so the OpenAPI document cannot describe it. Use a "
        "model, a dataclass or a standard type."
    )
    with pytest.raises(DeclarationError, match=r"^APIRouter: responses=\{'4XX': "):
        APIRouter(responses={"4XX": {"model": Holder}})


def test_response_model_none_returns_data_unvalidated() -> None:
    def handler() -> UserOut:
        return {"anything": "goes"}  # type: ignore[return-value]

    assert get(handler, response_model=None).json() == {"anything": "goes"}


def test_no_annotation_serialises_data_as_is() -> None:
    when = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    ident = uuid.UUID(int=1)

    def handler():  # type: ignore[no-untyped-def]
        return {"when": when, "id": ident, "nan": math.nan, "model": UserOut(name="m")}

    assert get(handler).json() == {
        "when": "2024-01-02T03:04:05+00:00",
        "id": str(ident),
        "nan": None,
        "model": {"name": "m", "email": None},
    }


def test_returning_none_is_json_null() -> None:
    def handler() -> Any:
        return None

    r = get(handler)
    assert (r.status_code, r.content) == (200, b"null")
    assert r.headers["content-type"] == "application/json"


def test_from_attributes_with_a_plain_object() -> None:
    def handler() -> Any:
        return Holder()

    r = get(handler, response_model=UserOut)
    assert r.json() == {"name": "orm", "email": "orm@example.com"}
    assert "hunter2" not in r.text


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"name": "pen", "description": None, "itemPrice": 10.0, "tags": []}),
        ({"response_model_exclude_unset": True}, {"name": "pen", "tags": []}),
        ({"response_model_exclude_defaults": True}, {"name": "pen"}),
        (
            {"response_model_exclude_none": True},
            {"name": "pen", "itemPrice": 10.0, "tags": []},
        ),
        ({"response_model_include": {"name", "price"}}, {"name": "pen", "itemPrice": 10.0}),
        ({"response_model_exclude": {"tags", "description"}}, {"name": "pen", "itemPrice": 10.0}),
        (
            {"response_model_by_alias": False},
            {"name": "pen", "description": None, "price": 10.0, "tags": []},
        ),
    ],
)
def test_filtering_options(options: RouteOptions, expected: dict[str, Any]) -> None:
    def model_handler() -> Item:
        return Item(name="pen", tags=[])

    def dict_handler() -> Any:
        return {"name": "pen", "tags": [], "secret": "x"}

    assert get(model_handler, **options).json() == expected
    with_model: RouteOptions = {**options, "response_model": Item}
    assert get(dict_handler, **with_model).json() == expected


def test_exclude_unset_list_of_models() -> None:
    def handler() -> list[Item]:
        return [Item(name="a", description="d"), Item(name="b", itemPrice=2)]

    r = get(handler, response_model_exclude_unset=True)
    assert r.json() == [{"name": "a", "description": "d"}, {"name": "b", "itemPrice": 2.0}]


def test_invalid_return_value_is_500_without_leaking() -> None:
    def handler() -> UserOut:
        return {"nom": "ann", "password": "hunter2"}  # type: ignore[return-value]

    r = get(handler)
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert "hunter2" not in r.text


def test_invalid_return_value_raises_response_validation_error_in_tests() -> None:
    def handler() -> UserOut:
        return {"nom": "ann"}  # type: ignore[return-value]

    with pytest.raises(ResponseValidationError) as info:
        get(handler, raise_errors=True)
    [error] = info.value.errors()
    assert error["type"] == "missing"
    assert error["loc"] == ("response", "name")


def test_instance_of_the_exact_model_is_sent_as_is() -> None:
    def handler() -> UserOut:
        return UserOut(name="x", email="e")

    assert get(handler).json() == {"name": "x", "email": "e"}


def test_response_class_with_data_and_model() -> None:
    def html() -> str:
        return "<b>hi</b>"

    def plain() -> str:
        return "plain text"

    r = get(html, response_class=HTMLResponse)
    assert (r.text, r.headers["content-type"]) == ("<b>hi</b>", "text/html; charset=utf-8")
    r = get(plain, response_class=PlainTextResponse)
    assert (r.text, r.headers["content-type"]) == ("plain text", "text/plain; charset=utf-8")


def test_custom_json_response_class_still_filters() -> None:
    class PrettyJSON(JSONResponse):
        media_type = "application/vnd.example+json"

    def handler() -> Any:
        return {"name": "ann", "password": "hunter2"}

    r = get(handler, response_model=UserOut, response_class=PrettyJSON)
    assert r.json() == {"name": "ann", "email": None}
    assert r.headers["content-type"] == "application/vnd.example+json"
    assert r.headers["content-length"] == str(len(r.content))


def test_status_code_without_body_skips_the_model() -> None:
    def handler() -> UserOut:
        return None  # type: ignore[return-value]

    r = get(handler, status_code=204)
    assert (r.status_code, r.content) == (204, b"")


def test_unusable_response_model_is_a_declaration_error() -> None:
    class NotPydantic:
        pass

    def handler() -> NotPydantic:
        return NotPydantic()

    with pytest.raises(TypeError, match="route GET /: the response model"):
        get(handler)


class Form:
    def __init__(self) -> None:
        self.username = "ann"
        self.scopes = ["me"]
        self.when = datetime.date(2026, 1, 2)


class Pairs:
    def __iter__(self) -> Any:
        return iter([("a", 1), ("b", Form())])


def test_an_unknown_object_is_sent_as_its_attributes_as_fastapi_does() -> None:
    def handler() -> Any:
        return {"form": Form(), "pairs": Pairs()}

    r = get(handler, response_model=None)  # as with no return annotation
    assert r.json() == {
        "form": {"username": "ann", "scopes": ["me"], "when": "2026-01-02"},
        "pairs": {"a": 1, "b": {"username": "ann", "scopes": ["me"], "when": "2026-01-02"}},
    }


def test_an_object_without_attributes_cannot_be_sent() -> None:
    def handler() -> Any:
        return object()

    with pytest.raises(Exception, match="'object' objects cannot be sent as JSON"):
        get(handler, raise_errors=True, response_model=None)
    assert get(handler, response_model=None).status_code == 500
