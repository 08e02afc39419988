"""`endpoint_ctx`: the validation errors a route raises say where its endpoint is.

A handler of `RequestValidationError` or `ResponseValidationError` that logs
`str(exc)` gets the endpoint's file, line and name, and the request's method
and route path (a mounted app's prefix included), as FastAPI's do.
"""

from __future__ import annotations

import inspect
from typing import Any

from pydantic import BaseModel

from transom import Request, Transom
from transom.exceptions import (
    EndpointContext,
    RequestValidationError,
    ResponseValidationError,
    ValidationError,
)
from transom.responses import JSONResponse
from transom.testclient import TestClient

MISSING = [{"type": "missing", "loc": ("body", "name"), "msg": "Field required", "input": None}]


class Item(BaseModel):
    id: int
    name: str


def capturing(app: Transom, seen: list[ValidationError]) -> None:
    async def capture(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ValidationError)
        seen.append(exc)
        return JSONResponse({"seen": type(exc).__name__}, status_code=418)

    app.add_exception_handler(RequestValidationError, capture)
    app.add_exception_handler(ResponseValidationError, capture)


def get_user(user_id: int) -> dict[str, int]:
    return {"user_id": user_id}  # pragma: no cover


def get_item() -> Any:
    return {"name": "Widget"}


def line_of(function: Any) -> int:
    return inspect.getsourcelines(function)[1]


def test_a_request_validation_error_names_the_endpoint_and_the_route() -> None:
    app = Transom()
    seen: list[ValidationError] = []
    capturing(app, seen)
    app.get("/users/{user_id}")(get_user)
    r = TestClient(app).get("/users/seven")
    assert (r.status_code, r.json()) == (418, {"seen": "RequestValidationError"})
    [exc] = seen
    assert exc.endpoint_ctx == {
        "function": "get_user",
        "file": __file__,
        "line": line_of(get_user),
        "path": "GET /users/{user_id}",
    }
    assert (exc.endpoint_function, exc.endpoint_path) == ("get_user", "GET /users/{user_id}")
    assert (exc.endpoint_file, exc.endpoint_line) == (__file__, line_of(get_user))
    assert str(exc).endswith(
        f'\n  File "{__file__}", line {line_of(get_user)}, in get_user\n    GET /users/{{user_id}}'
    )
    assert str(exc).startswith("1 validation error:\n  path -> user_id: ")


def test_a_response_validation_error_names_the_endpoint_below_its_mount() -> None:
    app = Transom()
    sub = Transom()
    seen: list[ValidationError] = []
    capturing(sub, seen)
    sub.get("/items/", response_model=Item)(get_item)
    app.mount("/sub", sub)
    r = TestClient(app).get("/sub/items/")
    assert (r.status_code, r.json()) == (418, {"seen": "ResponseValidationError"})
    [exc] = seen
    assert exc.endpoint_function == "get_item"
    assert exc.endpoint_path == "GET /sub/items/"
    assert str(exc).endswith(", in get_item\n    GET /sub/items/")


def test_a_body_without_a_content_type_names_the_endpoint_too() -> None:
    app = Transom()
    seen: list[ValidationError] = []
    capturing(app, seen)

    @app.post("/items")
    def create(item: Item) -> Item:
        return item  # pragma: no cover

    assert TestClient(app).post("/items", content=b"{}").status_code == 418
    assert seen[0].endpoint_path == "POST /items"


def test_an_error_raised_with_its_own_context_keeps_it() -> None:
    app = Transom()
    seen: list[ValidationError] = []
    capturing(app, seen)

    @app.get("/")
    def raises() -> None:
        raise RequestValidationError(MISSING, endpoint_ctx={"path": "GET /elsewhere"})

    assert TestClient(app).get("/").status_code == 418
    assert seen[0].endpoint_ctx == {"path": "GET /elsewhere"}


def test_a_context_with_only_a_path_is_shown_as_the_endpoint() -> None:
    context: EndpointContext = {"path": "GET /api/test"}
    exc = RequestValidationError(MISSING, endpoint_ctx=context)
    assert str(exc) == (
        "1 validation error:\n  body -> name: Field required [type=missing, input=None]\n"
        "  Endpoint: GET /api/test"
    )


def test_no_context_adds_nothing() -> None:
    for context in (None, EndpointContext()):
        exc = RequestValidationError(MISSING + MISSING, endpoint_ctx=context)
        assert str(exc) == (
            "2 validation errors:\n"
            "  body -> name: Field required [type=missing, input=None]\n"
            "  body -> name: Field required [type=missing, input=None]"
        )
        assert (exc.endpoint_function, exc.endpoint_path, exc.endpoint_line) == (None, None, None)
