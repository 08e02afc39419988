"""`jsonable_encoder`: turn data into JSON-compatible Python values, as FastAPI does."""

from __future__ import annotations

from typing import Any

import pydantic_core
from pydantic import BaseModel

__all__ = ["jsonable_encoder"]


def jsonable_encoder(
    obj: Any,
    include: set[str] | dict[str, Any] | None = None,
    exclude: set[str] | dict[str, Any] | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
) -> Any:
    """Convert models, dataclasses, datetimes, UUIDs, sets and so on to JSON-ready values.

    Conversion is done by pydantic-core; unknown objects fall back to `str()`.
    """
    if isinstance(obj, BaseModel):
        return obj.model_dump(
            mode="json",
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )
    if isinstance(obj, list | tuple | set | frozenset):
        return [
            jsonable_encoder(
                item, None, None, by_alias, exclude_unset, exclude_defaults, exclude_none
            )
            for item in obj
        ]
    return pydantic_core.to_jsonable_python(
        obj,
        include=include,
        exclude=exclude,
        by_alias=by_alias,
        exclude_none=exclude_none,
        fallback=str,
    )
