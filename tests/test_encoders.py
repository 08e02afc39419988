"""`jsonable_encoder` turns data into JSON-ready values, as FastAPI's does."""

from __future__ import annotations

import datetime
import enum
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel, Field

from transom.encoders import jsonable_encoder


class Color(enum.Enum):
    RED = "red"


class Item(BaseModel):
    name: str
    price: float = 1.0
    note: str | None = None
    alias_me: int = Field(0, alias="aliasMe")


@dataclass
class Point:
    x: int
    y: int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2024, 1, 2), "2024-01-02"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (Color.RED, "red"),
        (Point(1, 2), {"x": 1, "y": 2}),
        ({"when": datetime.datetime(2024, 1, 2, 3, 4, 5)}, {"when": "2024-01-02T03:04:05"}),
        ((1, 2), [1, 2]),
        (object, "<class 'object'>"),
    ],
)
def test_values_become_json_ready(value: Any, expected: Any) -> None:
    assert jsonable_encoder(value) == expected


def test_model_options_as_fastapi() -> None:
    item = Item(name="pen", aliasMe=3)
    assert jsonable_encoder(item) == {"name": "pen", "price": 1.0, "note": None, "aliasMe": 3}
    assert jsonable_encoder(item, by_alias=False)["alias_me"] == 3
    assert jsonable_encoder(item, exclude_unset=True) == {"name": "pen", "aliasMe": 3}
    assert jsonable_encoder(item, exclude_defaults=True) == {"name": "pen", "aliasMe": 3}
    assert jsonable_encoder(item, exclude_none=True) == {"name": "pen", "price": 1.0, "aliasMe": 3}
    assert jsonable_encoder(item, include={"name"}) == {"name": "pen"}
    assert jsonable_encoder([item], exclude_unset=True) == [{"name": "pen", "aliasMe": 3}]
