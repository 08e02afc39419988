"""`ImmutableMultiDict`: the read side of query strings and forms.

A key may repeat. As in Starlette, `d[key]` and `d.get(key)` give the **last**
value of `key`, `getlist(key)` every value in order, `multi_items()` every pair;
`keys()`, `values()`, `items()` and `len()` see each key once, in the order it
was first sent. Sans-IO, standard library only.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from operator import itemgetter
from typing import Any, Generic, TypeVar

__all__ = ["ImmutableMultiDict"]

V = TypeVar("V")


class ImmutableMultiDict(Mapping[str, V], Generic[V]):
    """Pairs of a key and a value, read as a mapping of each key to its last value.

    Subclasses build the pairs and call `_set` once.
    """

    __slots__ = ("_dict", "_list")

    _list: list[tuple[str, V]]
    _dict: dict[str, V]

    def _set(self, pairs: list[tuple[str, V]]) -> None:
        self._list = pairs
        self._dict = dict(pairs)

    def getlist(self, key: str) -> list[V]:
        """Every value of `key`, in order; empty if absent."""
        return [value for name, value in self._list if name == key]

    def get(self, key: str, default: Any = None) -> Any:
        """The last value of `key`, or `default`."""
        return self._dict.get(key, default)

    def multi_items(self) -> list[tuple[str, V]]:
        """All `(key, value)` pairs, repeated keys included, in order."""
        return list(self._list)

    def keys(self) -> KeysView[str]:
        return self._dict.keys()

    def values(self) -> ValuesView[V]:
        """The last value of each key."""
        return self._dict.values()

    def items(self) -> ItemsView[str, V]:
        """Each key with its last value."""
        return self._dict.items()

    def __getitem__(self, key: str) -> V:
        return self._dict[key]

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __eq__(self, other: object) -> bool:
        # The same pairs, whatever the order of the keys (values need not sort).
        if not isinstance(other, type(self)) and not isinstance(self, type(other)):
            return NotImplemented
        assert isinstance(other, ImmutableMultiDict)
        by_key = itemgetter(0)
        return sorted(self._list, key=by_key) == sorted(other._list, key=by_key)

    __hash__ = None  # type: ignore[assignment]
