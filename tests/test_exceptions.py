"""`HTTPException` and the validation errors: messages and checks at construction."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from transom import HTTPException, Transom
from transom.exceptions import DeclarationError, RequestValidationError, ResponseValidationError
from transom.http.headers import HeaderError
from transom.testclient import TestClient


def test_http_exception_defaults_detail_to_the_status_phrase() -> None:
    exc = HTTPException(404)
    assert (exc.status_code, exc.detail, exc.headers) == (404, "Not Found", None)
    assert str(exc) == "404: Not Found"


@pytest.mark.parametrize(
    ("headers", "rule"),
    [
        ({"X-Bad": "a\r\nb"}, "CR or LF"),
        ({"Bad Name": "v"}, "not a valid token"),
        ({"X-Euro": "€"}, "latin-1"),
    ],
)
def test_http_exception_checks_its_headers_where_it_is_raised(
    headers: dict[str, str], rule: str
) -> None:
    with pytest.raises(HeaderError, match=rule):
        HTTPException(401, "no", headers=headers)


def test_validation_error_str_lists_each_location_type_and_input() -> None:
    exc = RequestValidationError(
        [{"type": "missing", "loc": ("query", "q"), "msg": "Field required", "input": None}]
    )
    assert (
        str(exc) == "1 validation error:\n  query -> q: Field required [type=missing, input=None]"
    )


def test_a_response_validation_error_names_the_error_type() -> None:
    class Person(BaseModel):
        name: str
        surname: str

    app = Transom()

    @app.get("/person", response_model=Person)
    def person() -> Any:
        return {"name": "John"}

    with pytest.raises(ResponseValidationError) as excinfo:
        TestClient(app).get("/person")
    assert str(excinfo.value).startswith(
        "1 validation error:\n"
        "  response -> surname: Field required [type=missing, input={'name': 'John'}]\n"
    )


def test_the_documented_exception_tree_matches_the_classes() -> None:
    """The tree in `transom.exceptions`' docstring is the truth: every node, every base."""
    import builtins
    import re

    import transom.exceptions as module

    assert module.__doc__ is not None
    parents: dict[int, type] = {}
    named: set[str] = set()
    for line in module.__doc__.splitlines():
        found = re.match(r"^    ((?:│   |    )*)(?:[├└]── )?(\w+)(?:\s|$)", line)
        if not found or not found.group(2)[0].isupper():
            continue
        depth = len(found.group(1)) // 4 + (1 if "──" in line else 0)
        cls = getattr(module, found.group(2), None) or getattr(builtins, found.group(2))
        if depth:
            assert issubclass(cls, parents[depth - 1]), (cls, parents[depth - 1])
            named.add(cls.__name__)
        parents[depth] = cls
    errors = {name for name in module.__all__ if name not in ("CookieWarning", "EndpointContext")}
    assert named == errors


def test_a_declaration_error_is_caught_where_fastapi_code_catches_its_assert() -> None:
    def read(ids: list[int]) -> list[int]:
        return ids  # pragma: no cover

    with pytest.raises(AssertionError) as excinfo:
        Transom().get("/items/{ids}")(read)
    assert isinstance(excinfo.value, DeclarationError)
    assert isinstance(excinfo.value, TypeError)
    assert "route GET /items/{ids}: parameter 'ids'" in str(excinfo.value)
