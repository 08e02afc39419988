"""JSON schemas for the OpenAPI document, generated together in one pass.

While the document is assembled, every place that needs the schema of a type
(a parameter, a body, a response model, a declared header) gets a
`SchemaSlot`. `SchemaRegistry.resolve` then runs one
`GenerateJsonSchema.generate_definitions` call over all of them, so models
used in several places share one `#/components/schemas/...` entry, and models
with the same class name in different modules get distinct names. Models
whose input and output schemas differ get `-Input` and `-Output` entries, as
in FastAPI.

This module knows nothing of routes; it only turns types into schemas.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any, Literal

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

__all__ = [
    "REF_PREFIX",
    "REF_TEMPLATE",
    "VALIDATION_ERROR_DEFINITIONS",
    "SchemaRegistry",
    "SchemaSlot",
]

Mode = Literal["validation", "serialization"]

REF_PREFIX = "#/components/schemas/"
REF_TEMPLATE = REF_PREFIX + "{model}"

#: The schemas of a `422` response body, exactly as FastAPI defines them.
VALIDATION_ERROR_DEFINITIONS: dict[str, dict[str, Any]] = {
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "loc": {
                "title": "Location",
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            # What a 422 also carries (FastAPI documents both since 0.128).
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"},
        },
        "required": ["loc", "msg", "type"],
    },
    "HTTPValidationError": {
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {"$ref": REF_PREFIX + "ValidationError"},
            }
        },
    },
}


class SchemaSlot:
    """A place in the document for the JSON schema of one type.

    Args:
        core_schema: The pydantic core schema of the type.
        mode: `"validation"` for request data, `"serialization"` for response data.
        title: A title to give the schema when it is inline (not a `$ref`), as
            FastAPI titles parameter and response schemas.
        deprecated: Whether the schema says `"deprecated": true`, as FastAPI's
            schema of a deprecated parameter or body does (beside a `$ref` too).
    """

    __slots__ = ("core_schema", "deprecated", "mode", "title")

    def __init__(
        self,
        core_schema: CoreSchema,
        mode: Mode,
        title: str | None = None,
        *,
        deprecated: bool = False,
    ) -> None:
        self.core_schema = core_schema
        self.mode = mode
        self.title = title
        self.deprecated = deprecated

    def __copy__(self) -> SchemaSlot:
        return self  # a slot is a placeholder: copies of the document must share it

    def __deepcopy__(self, memo: dict[int, Any]) -> SchemaSlot:
        return self


class SchemaRegistry:
    """Collects schema slots while the document is built, then fills them all at once."""

    def __init__(self, *, separate: bool = True) -> None:
        #: `False`: every schema in validation mode, so a model is documented once
        #: (but a model with computed fields keeps its response schema).
        self.separate = separate
        self._slots: list[SchemaSlot] = []
        self._adapters: dict[Any, TypeAdapter[Any]] = {}
        self._extra: dict[str, dict[str, Any]] = {}

    def slot(
        self,
        adapter: TypeAdapter[Any],
        mode: Mode,
        title: str | None = None,
        *,
        deprecated: bool = False,
    ) -> SchemaSlot:
        """A slot for the type `adapter` validates, filled in by `resolve` (see `SchemaSlot`)."""
        schema = adapter.core_schema
        # Without separate schemas a model is documented as input, unless it has
        # computed fields: then a response shows them (read-only), as in FastAPI.
        if not self.separate and not _has_computed_fields(schema):
            mode = "validation"
        slot = SchemaSlot(schema, mode, title, deprecated=deprecated)
        self._slots.append(slot)
        return slot

    def slot_for(self, annotation: Any, mode: Mode, title: str | None = None) -> SchemaSlot:
        """A slot for `annotation`; its `TypeAdapter` is built once per build."""
        try:
            adapter = self._adapters.get(annotation)
        except TypeError:  # an unhashable annotation, e.g. with a list in Annotated
            adapter = None
        if adapter is None:
            adapter = TypeAdapter(annotation)
            with contextlib.suppress(TypeError):  # unhashable: not cached
                self._adapters[annotation] = adapter
        return self.slot(adapter, mode, title)

    def define(self, definitions: dict[str, dict[str, Any]]) -> None:
        """Add fixed component schemas (e.g. the validation error schemas)."""
        self._extra.update(definitions)

    def resolve(self, document: Any) -> dict[str, Any]:
        """Fill every slot in `document` (in place) and return the component schemas.

        The component schemas are sorted by name, as in FastAPI.
        """
        generator = _FastAPIJsonSchema(ref_template=REF_TEMPLATE)
        inputs = [(index, slot.mode, slot.core_schema) for index, slot in enumerate(self._slots)]
        mapping, definitions = generator.generate_definitions(inputs)
        filled: dict[int, dict[str, Any]] = {}
        for index, slot in enumerate(self._slots):
            schema = dict(mapping[(index, slot.mode)])
            if slot.title is not None and "$ref" not in schema:
                schema["title"] = slot.title
            if slot.deprecated:
                schema["deprecated"] = True
            filled[id(slot)] = schema
        _fill(document, filled)
        components: dict[str, dict[str, Any]] = {}
        for name, definition in definitions.items():
            description = definition.get("description")
            if isinstance(description, str):
                # As FastAPI: text after a form feed is for the code's readers only.
                definition = {**definition, "description": description.split("\f")[0]}
            components[name] = definition
        components.update(copy.deepcopy(self._extra))
        return {name: components[name] for name in sorted(components)}


class _FastAPIJsonSchema(GenerateJsonSchema):
    """pydantic's JSON schemas as FastAPI writes them.

    No `"default": null`, which FastAPI never documents; `bytes` as a string of
    octets (`contentMediaType`, the JSON Schema 2020-12 way that OpenAPI 3.1
    uses for binary data, where pydantic writes `format: binary`), with
    `contentEncoding: base64` where the model reads or writes base64.
    """

    def bytes_schema(self, schema: core_schema.BytesSchema) -> JsonSchemaValue:
        json_schema: dict[str, Any] = {
            "type": "string",
            "contentMediaType": "application/octet-stream",
        }
        config = self._config
        encoding = config.ser_json_bytes if self.mode == "serialization" else config.val_json_bytes
        if encoding == "base64":
            json_schema["contentEncoding"] = "base64"
        self.update_with_validations(json_schema, schema, self.ValidationsMapping.bytes)
        return json_schema

    def default_schema(self, schema: Any) -> Any:
        json_schema = super().default_schema(schema)
        if isinstance(json_schema, dict) and json_schema.get("default", ...) is None:
            del json_schema["default"]
        return json_schema


def _has_computed_fields(schema: CoreSchema) -> bool:
    """Whether `schema` is a model's whose own fields include computed ones."""
    inner: Any = schema.get("schema", {})
    return isinstance(inner, dict) and bool(inner.get("computed_fields"))


def _fill(node: Any, filled: dict[int, dict[str, Any]]) -> None:
    """Replace every `SchemaSlot` below `node` by its schema (a fresh copy each time)."""
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in list(items):
        if isinstance(value, SchemaSlot):
            node[key] = copy.deepcopy(filled[id(value)])
        else:
            _fill(value, filled)
