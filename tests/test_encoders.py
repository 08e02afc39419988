"""`jsonable_encoder` turns data into JSON-ready values, as FastAPI's does."""

from __future__ import annotations

import collections
import datetime
import decimal
import enum
import pathlib
import re
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel, Field, NameEmail
from pydantic_core import PydanticUndefined

from transom.encoders import jsonable_encoder
from transom.exceptions import PydanticV1NotSupportedError
from transom.serialization import dump_json


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
        (decimal.Decimal("1.10"), 1.1),
        (decimal.Decimal("3"), 3),
        (decimal.Decimal("1E+2"), 100),
        (datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC), "2024-01-02T00:00:00+00:00"),
        (datetime.time(1, 2, tzinfo=datetime.UTC), "01:02:00+00:00"),
        (datetime.timedelta(minutes=5), 300.0),
        (re.compile("a+"), "a+"),
        (b"xy", "xy"),
        (PydanticUndefined, None),
        (NameEmail("Ann", "ann@example.com"), "Ann <ann@example.com>"),
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


class Pet:
    def __init__(self, name: str, weight: decimal.Decimal) -> None:
        self.name = name
        self.weight = weight
        self._sa_instance_state = object()  # SQLAlchemy's, never encoded


class Pairs:
    def __iter__(self) -> Any:
        return iter([("a", 1), ("b", decimal.Decimal("0.5"))])


class Opaque:
    __slots__ = ()


def test_objects_become_their_pairs_or_their_attributes() -> None:
    assert jsonable_encoder(Pet("Rex", decimal.Decimal("2.50"))) == {"name": "Rex", "weight": 2.5}
    assert jsonable_encoder(Pairs()) == {"a": 1, "b": 0.5}
    with pytest.raises(ValueError, match="vars"):
        jsonable_encoder(Opaque())


def test_dict_options_as_fastapi() -> None:
    data = {"name": "pen", "owner": {"name": "Ann"}, "_sa_state": 1, "none": None}
    assert jsonable_encoder(data, include=["name"]) == {"name": "pen"}
    assert jsonable_encoder(data, exclude={"owner"}) == {"name": "pen", "none": None}
    assert jsonable_encoder(data, exclude_none=True) == {"name": "pen", "owner": {"name": "Ann"}}
    assert jsonable_encoder(data, sqlalchemy_safe=False)["_sa_state"] == 1
    assert jsonable_encoder({Color.RED: decimal.Decimal("2")}) == {"red": 2}


def test_custom_encoders_by_type_then_by_class() -> None:
    class Moment(datetime.datetime):
        pass

    moment = Moment(2024, 1, 2, 3, 4, 5)
    assert jsonable_encoder({"at": moment}, custom_encoder={Moment: lambda m: m.hour}) == {"at": 3}
    by_base = {datetime.datetime: lambda m: m.strftime("%H:%M")}
    assert jsonable_encoder([moment], custom_encoder=by_base) == ["03:04"]
    assert jsonable_encoder(moment) == "2024-01-02T03:04:05"


def test_a_pydantic_v1_model_is_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydantic import v1

    class Old(v1.BaseModel):
        name: str

    with pytest.raises(PydanticV1NotSupportedError, match=r"pydantic\.v1"):
        jsonable_encoder(Old(name="x"))


@pytest.mark.parametrize(
    ("value", "body"),
    [
        (collections.OrderedDict(a=decimal.Decimal("1.5")), b'{"a":1.5}'),
        (
            [Item(name="pen", aliasMe=0), decimal.Decimal("2")],
            b'[{"name":"pen","price":1.0,"note":null,"aliasMe":0},2]',
        ),
        ({"s": {decimal.Decimal("0.5")}}, b'{"s":[0.5]}'),
        (collections.deque([decimal.Decimal("0.5")]), b"[0.5]"),
        ({"missing": PydanticUndefined}, b'{"missing":null}'),
        ({"path": pathlib.PurePosixPath("/a/b")}, b'{"path":"/a/b"}'),
    ],
)
def test_plain_data_is_written_as_fastapi_sends_it(value: Any, body: bytes) -> None:
    assert dump_json(value) == body


def test_plain_data_with_a_pydantic_v1_model_is_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydantic import v1

    class Old(v1.BaseModel):
        name: str

    with pytest.raises(PydanticV1NotSupportedError):
        dump_json({"old": Old(name="x")})
    assert jsonable_encoder(pathlib.PurePosixPath("/a")) == "/a"
