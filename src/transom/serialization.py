"""`response_model`: validating, filtering and serialising returned data to JSON bytes.

The model's `TypeAdapter` is built once per route. Per request, data that is
already an instance of the exact model class is not validated again; anything
else is validated with `from_attributes=True` (so ORM objects and other models
work) and then filtered while pydantic-core writes the bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, get_args, get_origin

import pydantic_core
from pydantic import BaseModel, PydanticSchemaGenerationError, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from transom.encoders import from_plain_attributes, plain_data
from transom.exceptions import (
    DeclarationError,
    PydanticV1NotSupportedError,
    ResponseValidationError,
)

__all__ = [
    "ResponseModel",
    "check_not_pydantic_v1",
    "check_response_models",
    "dump_json",
    "load_json",
    "type_label",
]

IncEx = set[int] | set[str] | dict[int, Any] | dict[str, Any] | None


def type_label(annotation: Any) -> str:
    """How an error message names a type: `Foo` for a class, the annotation's repr otherwise."""
    if isinstance(annotation, type) and not get_args(annotation):
        return f"{annotation.__module__}.{annotation.__qualname__}".removeprefix("builtins.")
    return repr(annotation)


def dump_json(value: Any, *, fallback: Callable[[Any], Any] | None = None) -> bytes:
    """Serialise data without a response model: the JSON FastAPI sends for it.

    The data follows FastAPI's `jsonable_encoder` (`transom.encoders.plain_data`:
    a `Decimal` is a number, a datetime its `isoformat()`, a `timedelta` its
    seconds, an object of an unknown class its attributes); non-finite floats
    become `null`. `fallback` turns a value no rule knows into one pydantic-core
    can write instead (e.g. `str` for the exceptions inside validation errors).
    """
    return pydantic_core.to_json(
        plain_data(value),
        inf_nan_mode="null",
        fallback=fallback or from_plain_attributes,
        timedelta_mode="float",
    )


def load_json(data: bytes) -> Any:
    """Parse JSON bytes with pydantic-core (what `dump_json` writes reads back alike).

    Raises:
        ValueError: if `data` is not JSON.
    """
    return pydantic_core.from_json(data)


def _pydantic_v1_model(annotation: Any) -> type[Any] | None:
    """The first `pydantic.v1` model in `annotation` (itself, or inside a union, a list,
    a dict, an `Annotated`...), else `None`.

    Found by the modules of the classes, without importing `pydantic.v1` (which warns).
    """
    origin = get_origin(annotation)
    if origin is None and isinstance(annotation, type):
        is_v1 = any(cls.__module__.startswith("pydantic.v1.") for cls in annotation.__mro__)
        return annotation if is_v1 else None
    if origin is Literal:
        return None
    args = get_args(annotation)
    for arg in args[:1] if origin is Annotated else args:
        found = _pydantic_v1_model(arg)
        if found is not None:
            return found
    return None


def check_not_pydantic_v1(annotation: Any, where: str) -> None:
    """Refuse a `pydantic.v1` model in an annotation at declaration, before pydantic 2
    is asked for its schema (which only warns, then cannot validate it).

    `where` names the route and what declared it (`route GET /items: parameter 'item'`).

    Raises:
        PydanticV1NotSupportedError: naming `where` and the model.
    """
    model = _pydantic_v1_model(annotation)
    if model is not None:
        raise PydanticV1NotSupportedError(
            f"{where}: {type_label(model)} is a pydantic.v1 model, and pydantic.v1 models "
            "are not supported. Update the model to pydantic 2 (`from pydantic import "
            "BaseModel`)."
        )


def check_response_models(responses: Mapping[int | str, Mapping[str, Any]], label: str) -> None:
    """Check at declaration that each `responses={status: {"model": ...}}` can be documented.

    Raises:
        DeclarationError: naming the status and the model, for a type pydantic
            cannot describe (a plain class, or a list of them).
        PydanticV1NotSupportedError: for a `pydantic.v1` model.
    """
    for status, response in responses.items():
        model = response.get("model")
        if model is None:
            continue
        check_not_pydantic_v1(model, f"{label}: responses={{{status!r}: {{'model': ...}}}}")
        try:
            TypeAdapter(model)
        except (PydanticSchemaGenerationError, TypeError):
            raise DeclarationError(
                f"{label}: responses={{{status!r}: {{'model': {type_label(model)}}}}} is not a "
                "valid Pydantic field type, so the OpenAPI document cannot describe it. Use a "
                "model, a dataclass or a standard type."
            ) from None


class ResponseModel:
    """A compiled `response_model` with FastAPI's filtering options."""

    __slots__ = (
        "adapter",
        "annotation",
        "dump_options",
        "exact",
        "options",
        "prepare",
        "serializer",
        "validate",
    )

    def __init__(
        self,
        annotation: Any,
        *,
        label: str,
        include: IncEx = None,
        exclude: IncEx = None,
        by_alias: bool = True,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> None:
        check_not_pydantic_v1(annotation, f"{label}: the response model")
        try:
            self.adapter: TypeAdapter[Any] = TypeAdapter(annotation)
        except (PydanticSchemaGenerationError, TypeError) as exc:
            # pydantic's own advice (`arbitrary_types_allowed`) does not apply here.
            detail = "" if isinstance(exc, PydanticSchemaGenerationError) else f" ({exc})"
            raise DeclarationError(
                f"{label}: the response model {type_label(annotation)} (`response_model=`, "
                f"or the return annotation) is not a valid Pydantic field type{detail}. Use "
                "a model, a dataclass or a standard type, or set the path operation "
                "parameter response_model=None to return it unvalidated."
            ) from None
        self.serializer = self.adapter.serializer
        validator = self.adapter.validator
        # pydantic-core's validator directly: `TypeAdapter.validate_python` adds a
        # Python frame and argument checks per call. A validator pydantic has not
        # built yet (deferred forward references) goes through the adapter.
        self.validate: Callable[..., Any] = (
            validator.validate_python
            if isinstance(validator, pydantic_core.SchemaValidator)
            else self.adapter.validate_python
        )
        self.annotation = annotation
        is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        self.exact: type[Any] | None = annotation if is_model else None
        self.prepare = exclude_unset or exclude_defaults or exclude_none
        self.options: dict[str, Any] = {
            "include": include,
            "exclude": exclude,
            "by_alias": by_alias,
            "exclude_unset": exclude_unset,
            "exclude_defaults": exclude_defaults,
            "exclude_none": exclude_none,
        }
        # Only the options that differ from pydantic-core's defaults (fewer keywords
        # per call); `by_alias` always, as pydantic's default follows the model config.
        self.dump_options = {
            key: value
            for key, value in self.options.items()
            if key == "by_alias" or (value is not None and value is not False)
        }

    def _prepared(self, value: Any) -> Any:
        # As FastAPI: models are dumped first so "unset" means unset by the handler.
        if isinstance(value, BaseModel):
            return value.model_dump(
                by_alias=True,
                exclude_unset=self.options["exclude_unset"],
                exclude_defaults=self.options["exclude_defaults"],
                exclude_none=self.options["exclude_none"],
            )
        if isinstance(value, list):
            return [self._prepared(item) for item in value]
        return value

    def dump(self, value: Any) -> bytes:
        """Validate and filter `value`, and return the JSON bytes.

        Raises:
            ResponseValidationError: if `value` does not match the model.
        """
        if type(value) is not self.exact:
            if self.prepare:
                value = self._prepared(value)
            try:
                value = self.validate(value, from_attributes=True)
            except PydanticValidationError as exc:
                errors = [
                    {**error, "loc": ("response", *error["loc"])}
                    for error in exc.errors(include_url=False)
                ]
                raise ResponseValidationError(errors, body=value) from None
        return self.serializer.to_json(value, **self.dump_options)
