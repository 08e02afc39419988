"""Matching a path template in time linear in the length of the path.

A template such as `/f/{a:path}/x/{b:path}/y` or `/{a}-{b}-{c}.txt` compiles to a
regex whose parameters can take the same characters. On a long path that does
not match, Python's backtracking engine tries every way of dividing the path
between them, so the time grows with the path's length to the power of the
number of parameters: seconds for a 15 KB path. `match` gives the regex's own
answer in linear time. The regex lets each parameter, from the left, take the
longest text that still lets the rest of the template match; so a backward pass
marks, for each part of the template, the positions the rest of the template
can match from, and a forward pass gives each parameter the longest text that
ends on such a position.

`paths.compile_path` decides which templates need this, and uses it only for
paths too long for their regex to be cheap.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Part", "Shape", "match"]


class Shape(enum.Enum):
    """What text a parameter takes, as far as the linear matcher needs to know."""

    #: One or more characters other than `/` (`str`).
    SEGMENT = "segment"
    #: Any text, empty included, but no newline: what the regex `.*` takes (`path`).
    ANY = "any"
    #: One or more ASCII digits (`int`).
    DIGITS = "digits"
    #: Digits, optionally followed by `.` and digits (`float`).
    DECIMAL = "decimal"
    #: Text of one fixed length that the converter's regex checks (`uuid`).
    FIXED = "fixed"


#: The runs of characters a parameter of each shape can take, and its shortest length.
_RUNS = {
    Shape.SEGMENT: (re.compile(r"[^/]+"), 1),
    Shape.ANY: (re.compile(r"[^\n]+"), 0),
    Shape.DIGITS: (re.compile(r"[0-9]+"), 1),
    Shape.DECIMAL: (re.compile(r"[0-9]+"), 1),
}
_DIGITS = _RUNS[Shape.DIGITS][0]
_ONES = b"\x01"


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a template: literal `text`, or (with a `name`) a parameter of a `shape`."""

    text: str = ""
    name: str | None = None
    shape: Shape = Shape.ANY
    #: For a `FIXED` parameter: the converter's regex.
    regex: re.Pattern[str] | None = None


def match(parts: Sequence[Part], path: str) -> dict[str, str] | None:
    """The text of each parameter if `path` matches `parts`, exactly as the regex would."""
    # feasible[i][p] == 1: parts[i:] can match path[p:].
    feasible = [bytearray()] * len(parts) + [bytearray(len(path)) + _ONES]
    for index in range(len(parts) - 1, -1, -1):
        starts = _starts(parts[index], path, feasible[index + 1])
        if starts.find(1) == -1:
            return None
        feasible[index] = starts
    if not feasible[0][0]:
        return None
    groups: dict[str, str] = {}
    position = 0
    for part, after in zip(parts, feasible[1:], strict=True):
        if part.name is None:
            position += len(part.text)
        else:
            end = _longest(part, path, position, after)
            groups[part.name] = path[position:end]
            position = end
    return groups


def _starts(part: Part, path: str, after: bytearray) -> bytearray:
    """Where `part` can start so that the rest can match from where it ends."""
    if part.name is None:
        return _literal_starts(part.text, path, after)
    if part.shape is Shape.FIXED:
        return _fixed_starts(part, path, after)
    runs, shortest = _RUNS[part.shape]
    starts = bytearray(after) if shortest == 0 else bytearray(len(after))
    for run in runs.finditer(path):
        start, end = run.span()
        if part.shape is Shape.DECIMAL and _fraction_end(path, end, after) != -1:
            starts[start:end] = _ONES * (end - start)  # every start can take the fraction
            continue
        # A start p in this run works if the text can end on a feasible q in
        # [p + shortest, end]: every p up to the last such q, less the shortest length.
        last = after.rfind(1, start + shortest, end + 1)
        if last != -1:
            starts[start : last - shortest + 1] = _ONES * (last - shortest + 1 - start)
    return starts


def _literal_starts(text: str, path: str, after: bytearray) -> bytearray:
    starts = bytearray(len(after))
    found = path.find(text)
    while found != -1:
        if after[found + len(text)]:
            starts[found] = 1
        found = path.find(text, found + 1)
    return starts


def _fixed_starts(part: Part, path: str, after: bytearray) -> bytearray:
    starts = bytearray(len(after))
    if part.regex is not None:
        for position in range(len(path)):
            found = part.regex.match(path, position)
            if found is not None and after[found.end()]:
                starts[position] = 1
    return starts


def _fraction_end(path: str, end: int, after: bytearray) -> int:
    """For digits ending at `end`: the longest feasible end of a `.digits` after them, or -1."""
    if path[end : end + 1] != "." or (fraction := _DIGITS.match(path, end + 1)) is None:
        return -1
    return after.rfind(1, end + 2, fraction.end() + 1)


def _longest(part: Part, path: str, start: int, after: bytearray) -> int:
    """Where parameter `part` from `start` ends: as late as the rest of the match allows."""
    if part.shape is Shape.FIXED:
        found = part.regex.match(path, start) if part.regex is not None else None
        return start if found is None else found.end()
    runs, shortest = _RUNS[part.shape]
    run = runs.match(path, start)
    end = start if run is None else run.end()
    if part.shape is Shape.DECIMAL and (fraction := _fraction_end(path, end, after)) != -1:
        return fraction
    return after.rfind(1, start + shortest, end + 1)
