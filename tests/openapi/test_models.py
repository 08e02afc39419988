"""`transom.openapi.models`: the OpenAPI 3.1 document as pydantic models, FastAPI's names."""

from __future__ import annotations

from typing import Any

import examples.app as example
import pytest
from pydantic import ValidationError

from tests.openapi.golden_apps import GOLDEN_APPS
from transom.openapi.models import (
    APIKey,
    Components,
    Info,
    MediaType,
    OpenAPI,
    Operation,
    Parameter,
    ParameterInType,
    PathItem,
    Reference,
    Response,
    Schema,
)


def documents() -> dict[str, dict[str, Any]]:
    built = {name: make().openapi() for name, make in GOLDEN_APPS.items()}
    return {**built, "example": example.app.openapi()}


@pytest.mark.parametrize("name", sorted(documents()))
def test_every_document_transom_builds_validates_and_dumps_back_unchanged(name: str) -> None:
    document = documents()[name]
    model = OpenAPI.model_validate(document)
    assert model.model_dump(mode="json", by_alias=True, exclude_none=True) == document


@pytest.mark.parametrize("value", ["array", ["string", "null"], None])
def test_a_schema_type_is_a_type_name_a_list_of_them_or_none(value: Any) -> None:
    assert Schema(type=value).type == value


def test_a_schema_type_of_another_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"^2 validation errors for Schema"):
        Schema(type=True)  # type: ignore[arg-type]


def test_a_document_built_from_models_dumps_under_the_specs_names() -> None:
    # Aliased fields (`in`, `schema`, `$ref`, `not`) are given by their spelled names.
    parameter = Parameter.model_validate({"name": "id", "in": "path", "required": True})
    media = MediaType.model_validate({"schema": Reference.model_validate({"$ref": "#/c/Item"})})
    operation = Operation(
        operationId="read_item",
        parameters=[parameter],
        responses={"200": Response(description="OK", content={"application/json": media})},
    )
    document = OpenAPI.model_validate(
        {
            "openapi": "3.1.0",
            "info": Info(title="Shop", version="1"),
            "paths": {"/items/{id}": PathItem(get=operation)},
            "components": Components(
                schemas={"Item": Schema.model_validate({"type": "object", "not": False})},
                securitySchemes={"key": APIKey.model_validate({"in": "header", "name": "X-Key"})},
            ),
            "x-logo": "shop.png",
        }
    )
    assert parameter.in_ is ParameterInType.path
    assert document.model_dump(mode="json", by_alias=True, exclude_none=True) == {
        "openapi": "3.1.0",
        "info": {"title": "Shop", "version": "1"},
        "paths": {
            "/items/{id}": {
                "get": {
                    "operationId": "read_item",
                    "parameters": [{"name": "id", "in": "path", "required": True}],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"$ref": "#/c/Item"}}},
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {"Item": {"type": "object", "not": False}},
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        },
        "x-logo": "shop.png",
    }
