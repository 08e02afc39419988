"""A parameter of a class Transom cannot read is a `DeclarationError` at declaration.

The error names the route (and the dependency), the parameter and the type, in
a sentence that says what to use instead; never pydantic's own schema error,
whose advice (`arbitrary_types_allowed`) does not apply to a request parameter.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from starlette.requests import Request as StarletteRequest  # FastAPI's, in the dev extra

from transom import Body, Cookie, Depends, Form, Header, Path, Query, Transom
from transom.exceptions import DeclarationError
from transom.testclient import TestClient


class Foo:
    """A plain class: pydantic has no schema for it."""


BODY_FIX = (
    "is not one pydantic can validate. Use a model, a dataclass or a standard type; for "
    "the request itself, annotate it with transom's Request."
)
STRING_FIX = "cannot be read from a single string; use a scalar type, a list of scalars, or Body()."
FOO = f"{__name__}.Foo"


def body_foo(foo: Foo) -> None: ...
def optional_body_foo(foo: Foo | None = None) -> None: ...
def list_body_foo(foo: list[Foo]) -> None: ...
def explicit_body_foo(foo: Annotated[Foo, Body()]) -> None: ...
def embedded_body_foo(foo: Annotated[Foo, Body(embed=True)]) -> None: ...
def two_bodies(count: Annotated[int, Body()], foo: Foo) -> None: ...
def form_foo(foo: Annotated[Foo, Form()]) -> None: ...
def query_foo(foo: Annotated[Foo, Query()]) -> None: ...
def header_foo(foo: Annotated[Foo, Header()]) -> None: ...
def cookie_foo(foo: Annotated[Foo, Cookie()]) -> None: ...
def path_foo(foo: Annotated[Foo, Path()]) -> None: ...
def needs_foo(foo: Foo) -> int:
    return 1  # pragma: no cover


def dependency_foo(value: Annotated[int, Depends(needs_foo)]) -> None: ...


@pytest.mark.parametrize(
    ("endpoint", "path", "message"),
    [
        (body_foo, "/x", f"parameter 'foo' is read from the JSON body, but its type {FOO} "),
        (optional_body_foo, "/x", f"its type {FOO} | None "),
        (list_body_foo, "/x", f"its type list[{FOO}] "),
        (
            explicit_body_foo,
            "/x",
            f"parameter 'foo' is read from the JSON body, but its type {FOO} ",
        ),
        (
            embedded_body_foo,
            "/x",
            f"parameter 'foo' is read from the JSON body, but its type {FOO} ",
        ),
        (two_bodies, "/x", f"parameter 'foo' is read from the JSON body, but its type {FOO} "),
        (form_foo, "/x", f"parameter 'foo' is a form field, but its type {FOO} "),
        (dependency_foo, "/x", "dependency needs_foo: parameter 'foo' is read from the JSON body"),
    ],
    ids=["body", "optional", "list", "Body()", "embed", "two-bodies", "form", "dependency"],
)
def test_a_body_of_a_plain_class_is_refused_at_declaration(
    endpoint: Any, path: str, message: str
) -> None:
    app = Transom()
    with pytest.raises(DeclarationError) as excinfo:
        app.post(path)(endpoint)
    text = str(excinfo.value)
    assert text.startswith(f"route POST {path}: ")
    assert message in text
    assert text.endswith(BODY_FIX)
    assert "arbitrary_types_allowed" not in text
    assert excinfo.value.__cause__ is None


@pytest.mark.parametrize(
    ("endpoint", "path", "kind"),
    [
        (query_foo, "/x", "Query"),
        (header_foo, "/x", "Header"),
        (cookie_foo, "/x", "Cookie"),
    ],
)
def test_a_request_parameter_of_a_plain_class_is_refused_at_declaration(
    endpoint: Any, path: str, kind: str
) -> None:
    app = Transom()
    with pytest.raises(DeclarationError) as excinfo:
        app.get(path)(endpoint)
    assert str(excinfo.value) == (
        f"route GET {path}: {kind} parameter 'foo' must be one of the supported types: its type "
        f"{FOO} {STRING_FIX}"
    )


@pytest.mark.parametrize(
    ("annotation", "label"),
    [(Foo, FOO), (list, "list"), (set[int], "set[int]"), (tuple, "tuple"), (dict, "dict")],
)
def test_a_path_parameter_must_be_a_scalar(annotation: Any, label: str) -> None:
    def read(item: Any) -> None: ...  # pragma: no cover

    read.__annotations__["item"] = annotation
    app = Transom()
    with pytest.raises(DeclarationError) as excinfo:
        app.get("/items/{item}")(read)
    assert str(excinfo.value) == (
        f"route GET /items/{{item}}: parameter 'item' is a Path parameter of type {label}, "
        "but a path parameter is one segment of the path, a single string; use a scalar "
        "type (str, int, float, bool, a UUID, an Enum, a Literal...)."
    )
    with pytest.raises(DeclarationError, match="is a Path parameter of type "):
        app.get("/x/{foo}")(path_foo)


def test_a_websocket_parameter_of_a_plain_class_is_refused() -> None:
    app = Transom()

    async def chat(foo: Foo) -> None: ...

    with pytest.raises(DeclarationError, match=f"^websocket /ws: parameter 'foo' .* {FOO} "):
        app.websocket("/ws")(chat)


def test_a_response_model_of_a_plain_class_says_how_to_opt_out() -> None:
    app = Transom()

    def read() -> Foo:
        return Foo()  # pragma: no cover

    with pytest.raises(DeclarationError) as excinfo:
        app.get("/foo")(read)
    assert str(excinfo.value) == (
        f"route GET /foo: the response model {FOO} (`response_model=`, or the return "
        "annotation) is not a valid Pydantic field type. Use a model, a dataclass or a "
        "standard type, or set the path operation parameter response_model=None to return "
        "it unvalidated."
    )


def test_starlettes_request_is_the_request() -> None:
    app = Transom()

    def where(request: StarletteRequest) -> str:
        return str(request.url.path)

    app.get("/where")(where)
    assert TestClient(app).get("/where").json() == "/where"
