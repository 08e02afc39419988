"""An index of parameterised routes by the literal path segments they start with.

`/users/{user_id}/posts` is filed under `users`; a request for `/users/7/posts`
then only tries the routes filed under the segments its path begins with,
instead of every pattern. Candidates keep their declaration order, so the
first declared match still wins.
"""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["SegmentIndex", "literal_segments"]

T = TypeVar("T")


def literal_segments(template: str) -> list[str]:
    """The complete literal segments a template starts with (`/a/b{x}/c` -> `['a']`)."""
    literal, brace, _ = template.partition("{")
    segments = literal.split("/")[1:]
    if brace:
        segments = segments[:-1]  # the piece right before "{" is not a whole segment
    return [segment for segment in segments if segment]


class _Node(Generic[T]):
    __slots__ = ("children", "entries", "items")

    def __init__(self) -> None:
        self.children: dict[str, _Node[T]] = {}
        self.entries: list[tuple[int, T]] = []
        #: The items of `entries` alone, returned as they are when one node matches.
        self.items: list[T] = []


class SegmentIndex(Generic[T]):
    """Routes filed under their leading literal segments."""

    def __init__(self) -> None:
        self._root: _Node[T] = _Node()
        self._count = 0

    def add(self, segments: list[str], item: T) -> None:
        """File `item` under `segments`; later items come after earlier ones."""
        node = self._root
        for segment in segments:
            node = node.children.setdefault(segment, _Node())
        node.entries.append((self._count, item))
        node.items.append(item)
        self._count += 1

    def candidates(self, path: str) -> list[T]:
        """Items whose literal segments are a prefix of `path`'s, in the order added."""
        node = self._root
        found = node.entries
        last = node
        merged = False
        for segment in path.split("/")[1:]:
            child = node.children.get(segment)
            if child is None:
                break
            node = child
            if node.entries:
                if found:
                    found = found + node.entries
                    merged = True
                else:
                    found = node.entries
                    last = node
        if not merged:
            return last.items
        return [item for _, item in sorted(found, key=lambda entry: entry[0])]
