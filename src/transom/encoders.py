"""JSON-ready values, by FastAPI's rules.

Two functions share one table of rules for single values (`_ENCODERS`):

- `jsonable_encoder` is FastAPI's public function: it turns anything into
  plain dicts, lists, strings, numbers and `None`, with the same options.
- `plain_data` is what a handler's returned data (no response model) goes
  through before pydantic-core writes it (`serialization.dump_json`): the bytes
  are those FastAPI sends, but containers that need no change are returned as
  they are, and pydantic models are left to pydantic-core, which writes them
  exactly as `model_dump(mode="json")` would.

FastAPI's rules differ from pydantic-core's own in a few places, which is why
this exists: a `Decimal` is a number (an int when it has no fraction digits), a
datetime or time is its `isoformat()` (`+00:00`, never `Z`), a dataclass is
`dataclasses.asdict`, and an object of an unknown class is `dict(obj)` or else
its attributes.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import ipaddress
import pathlib
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from types import GeneratorType
from typing import Any

import pydantic_core
from pydantic import BaseModel, NameEmail, SecretBytes, SecretStr
from pydantic.networks import AnyUrl

from transom.exceptions import PydanticV1NotSupportedError

__all__ = ["decimal_number", "from_attributes", "jsonable_encoder", "plain_data"]

IncEx = set[int] | set[str] | dict[int, Any] | dict[str, Any]


def decimal_number(value: decimal.Decimal) -> int | float:
    """A `Decimal` as FastAPI sends it: an int with no fraction digits, else a float.

    `Decimal("3")` and `Decimal("1E+2")` are ints (3, 100), `Decimal("1.10")` is
    1.1; NaN and infinities are floats.
    """
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


def _isoformat(value: datetime.date | datetime.time) -> str:
    return value.isoformat()


def _colour_classes() -> tuple[type[Any], ...]:
    """pydantic's deprecated `Color` and pydantic-extra-types' `Color`, if installed."""
    found: list[type[Any]] = []
    try:
        from pydantic.color import Color

        found.append(Color)
    except ImportError:  # pragma: no cover - pydantic 2 still has it
        pass
    try:
        from pydantic_extra_types.color import Color as ExtraColor  # type: ignore[import-not-found]

        found.append(ExtraColor)
    except ImportError:
        pass
    return tuple(found)


#: Rules for single values, tried in order by `isinstance` (after an exact-type
#: lookup in `_BY_TYPE`). Each encoder returns a JSON-ready value.
_ENCODERS: tuple[tuple[tuple[type[Any], ...], Callable[[Any], Any]], ...] = (
    ((bytes,), lambda value: value.decode()),
    ((datetime.date, datetime.time), _isoformat),
    ((datetime.timedelta,), lambda value: value.total_seconds()),
    ((decimal.Decimal,), decimal_number),
    ((re.Pattern,), lambda value: value.pattern),
    (
        (
            uuid.UUID,
            ipaddress.IPv4Address,
            ipaddress.IPv4Interface,
            ipaddress.IPv4Network,
            ipaddress.IPv6Address,
            ipaddress.IPv6Interface,
            ipaddress.IPv6Network,
            NameEmail,
            pathlib.PurePath,
            SecretBytes,
            SecretStr,
            AnyUrl,
            pydantic_core.Url,
            *_colour_classes(),
        ),
        str,
    ),
)
_BY_TYPE: dict[type[Any], Callable[[Any], Any]] = {
    cls: encoder for classes, encoder in _ENCODERS for cls in classes
}

#: Values written as they are.
_NATIVE = frozenset((str, int, float, bool, type(None)))
_SEQUENCES = (list, tuple, set, frozenset, deque, GeneratorType)
_UNDEFINED = type(pydantic_core.PydanticUndefined)


def _encoder(value: Any) -> Callable[[Any], Any] | None:
    """The rule of `_ENCODERS` for `value`, or `None`."""
    encoder = _BY_TYPE.get(type(value))
    if encoder is not None:
        return encoder
    for classes, candidate in _ENCODERS:
        if isinstance(value, classes):
            return candidate
    return None


def _check_not_v1(value: Any) -> None:
    # Without importing `pydantic.v1` (which warns): by the modules of its classes.
    if any(cls.__module__.startswith("pydantic.v1.") for cls in type(value).__mro__):
        raise PydanticV1NotSupportedError(
            f"pydantic.v1 models are not supported; update the model {value!r} to pydantic 2."
        )


def from_attributes(value: Any, sqlalchemy_safe: bool = True) -> dict[Any, Any]:
    """An object of a class no rule knows, as a dict: `dict(value)`, else its attributes.

    With `sqlalchemy_safe`, attributes whose name starts with `_sa` (SQLAlchemy's
    state) are left out.

    Raises:
        ValueError: if `value` is neither iterable as pairs nor has attributes.
    """
    _check_not_v1(value)
    errors: list[Exception] = []
    try:
        return dict(value)
    except Exception as exc:  # any failure means "not a mapping"
        errors.append(exc)
    try:
        attributes = vars(value)
    except Exception as exc:  # any failure means "no attributes"
        errors.append(exc)
        raise ValueError(errors) from exc
    return {
        key: item
        for key, item in attributes.items()
        if not (sqlalchemy_safe and isinstance(key, str) and key.startswith("_sa"))
    }


def jsonable_encoder(
    obj: Any,
    include: IncEx | Iterable[Any] | None = None,
    exclude: IncEx | Iterable[Any] | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    custom_encoder: dict[Any, Callable[[Any], Any]] | None = None,
    sqlalchemy_safe: bool = True,
) -> Any:
    """`obj` as plain dicts, lists, strings, numbers and `None`, as FastAPI makes it.

    Args:
        obj: Anything: models, dataclasses, dicts, sequences, datetimes, ...
        include, exclude: The keys (or model fields) to keep or leave out, at the
            top level (passed on to models as their `include`/`exclude`).
        by_alias, exclude_unset, exclude_defaults: Passed to pydantic models.
        exclude_none: Leave out `None` values of models and dicts.
        custom_encoder: `{type: function}` tried first, by exact type, then by
            `isinstance`.
        sqlalchemy_safe: Leave out dict keys starting with `_sa`.

    Raises:
        ValueError: for an object that is none of the known kinds, not iterable as
            pairs, and has no attributes.
    """
    options = _Options(
        by_alias,
        exclude_unset,
        exclude_defaults,
        exclude_none,
        custom_encoder or {},
        sqlalchemy_safe,
    )
    return options.encode(obj, _as_set(include), _as_set(exclude))


def _as_set(keys: IncEx | Iterable[Any] | None) -> IncEx | None:
    if keys is None or isinstance(keys, set | dict):
        return keys
    return set(keys)


@dataclasses.dataclass(frozen=True, slots=True)
class _Options:
    by_alias: bool
    exclude_unset: bool
    exclude_defaults: bool
    exclude_none: bool
    custom: dict[Any, Callable[[Any], Any]]
    sqlalchemy_safe: bool

    def encode(self, obj: Any, include: IncEx | None = None, exclude: IncEx | None = None) -> Any:
        custom = self._custom(obj)
        if custom is not None:
            return custom(obj)
        if isinstance(obj, BaseModel):
            dumped = obj.model_dump(
                mode="json",
                include=include,
                exclude=exclude,
                by_alias=self.by_alias,
                exclude_unset=self.exclude_unset,
                exclude_defaults=self.exclude_defaults,
                exclude_none=self.exclude_none,
            )
            return self.encode(dumped)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return self.encode(dataclasses.asdict(obj), include, exclude)
        if isinstance(obj, enum.Enum):
            return obj.value
        if isinstance(obj, pathlib.PurePath):
            return str(obj)
        if obj is None or isinstance(obj, str | int | float):
            return obj
        if isinstance(obj, _UNDEFINED):
            return None
        if isinstance(obj, dict):
            return self._dict(obj, include, exclude)
        if isinstance(obj, _SEQUENCES):
            return [self.encode(item, include, exclude) for item in obj]
        encoder = _encoder(obj)
        if encoder is not None:
            return encoder(obj)
        return self.encode(from_attributes(obj, False), include, exclude)

    def _custom(self, obj: Any) -> Callable[[Any], Any] | None:
        if not self.custom:
            return None
        found = self.custom.get(type(obj))
        if found is not None:
            return found
        return next((encoder for cls, encoder in self.custom.items() if isinstance(obj, cls)), None)

    def _dict(self, obj: dict[Any, Any], include: IncEx | None, exclude: IncEx | None) -> Any:
        keys = set(obj)
        if include is not None:
            keys &= set(include)
        if exclude is not None:
            keys -= set(exclude)
        return {
            self.encode(key): self.encode(value)
            for key, value in obj.items()
            if key in keys
            and (value is not None or not self.exclude_none)
            and not (self.sqlalchemy_safe and isinstance(key, str) and key.startswith("_sa"))
        }


def plain_data(value: Any) -> Any:
    """`value` ready for pydantic-core to write the JSON FastAPI would send for it.

    The same object comes back when nothing in it needs a FastAPI rule (dicts
    and lists of strings and numbers, models); otherwise a converted copy, in
    which only what changed is new. Objects of classes no rule knows are left
    for pydantic-core, whose `fallback` should be `from_plain_attributes`.
    """
    # This runs for every data response: dicts and lists are walked in one loop
    # each, copied only when an item changes; a list of strings and numbers is
    # checked by a loop in C.
    cls = type(value)
    if cls in _NATIVE:
        return value
    if cls is dict:
        return _plain_dict(value)
    if cls is list:
        if _NATIVE.issuperset(map(type, value)):
            return value
        return _plain_sequence(value)
    if cls is tuple:
        return _plain_sequence(value)
    return _plain_other(value)


def from_plain_attributes(value: Any) -> Any:
    """pydantic-core's `fallback` for `plain_data`: an unknown object as a dict.

    Raises:
        TypeError: naming the class, for an object with neither pairs nor attributes.
    """
    try:
        fields = from_attributes(value)
    except ValueError:
        raise TypeError(
            f"{type(value).__qualname__!r} objects cannot be sent as JSON: return a model, "
            "a dataclass, a dict or a list, or declare a response_model."
        ) from None
    return plain_data(fields)


def _plain_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    copy: dict[Any, Any] | None = None
    for key, item in value.items():
        if type(key) is not str and type(key) not in _NATIVE:
            # A Decimal, Enum, datetime, ... key: FastAPI encodes keys too.
            return {plain_data(key): plain_data(item) for key, item in value.items()}
        if type(item) in _NATIVE:
            continue
        new = plain_data(item)
        if new is not item:
            if copy is None:
                copy = dict(value)
            copy[key] = new
    return value if copy is None else copy


def _plain_sequence(value: list[Any] | tuple[Any, ...]) -> list[Any] | tuple[Any, ...]:
    copy: list[Any] | None = None
    for index, item in enumerate(value):
        if type(item) in _NATIVE:
            continue
        new = plain_data(item)
        if new is not item:
            if copy is None:
                copy = list(value)
            copy[index] = new
    return value if copy is None else copy


def _plain_other(value: Any) -> Any:
    if isinstance(value, BaseModel | enum.Enum | str | int | float):
        return value  # pydantic-core writes these as FastAPI does
    if isinstance(value, dict):
        return _plain_dict(value)
    if isinstance(value, list | tuple):
        return _plain_sequence(value)
    if isinstance(value, _SEQUENCES):
        return [plain_data(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain_data(dataclasses.asdict(value))
    if isinstance(value, _UNDEFINED):
        return None
    encoder = _encoder(value)
    if encoder is not None:
        return encoder(value)
    _check_not_v1(value)
    return value
