"""Range requests for files (RFC 9110 section 14, and `If-Range`), sans-IO.

- `parse_range(value, size)`: the byte ranges a `Range` header asks of a file
  of `size` bytes, as half-open `(start, end)` pairs; an end past the file is
  clamped, a suffix (`-500`) counts from the end, several ranges are sorted and
  merged where they overlap. A header that names no range it can parse is
  `MalformedRange` (a 400); a range that starts past the file is
  `RangeNotSatisfiable` (a 416). More than `MAX_RANGES` ranges: the whole file.
- `if_range_allows(value, etag, last_modified)`: whether `If-Range` lets the
  ranges apply (a strong ETag or the exact date; a weak tag never).
- `byteranges_part(...)`: the header of one part of a `multipart/byteranges` body.

These are Starlette 1.x's rules, measured: a malformed header is a 400 rather
than the whole file, and an end past the file is clamped.
"""

from __future__ import annotations

__all__ = [
    "MAX_RANGES",
    "MalformedRange",
    "RangeNotSatisfiable",
    "byteranges_length",
    "byteranges_part",
    "if_range_allows",
    "parse_range",
    "requested_ranges",
]

#: More ranges than this in one header are answered with the whole file.
MAX_RANGES = 100


class MalformedRange(ValueError):
    """A `Range` header that names no byte range that can be served (a 400)."""


class RangeNotSatisfiable(ValueError):
    """A `Range` that starts past the end of the file (a 416 with `Content-Range: bytes */size`).

    Attributes:
        size: The file's size in bytes.
    """

    def __init__(self, size: int) -> None:
        super().__init__(f"The requested range is not satisfiable for a file of {size} bytes.")
        self.size = size


def _parse_part(part: str, size: int) -> tuple[int, int] | None:
    """One `start-end` (or `start-`, `-suffix`) as a half-open range, or `None`."""
    first, dash, last = part.partition("-")
    first, last = first.strip(), last.strip()
    if not dash or not (first or last):
        return None
    if not (first.isdigit() or not first) or not (last.isdigit() or not last):
        return None
    if not first:
        return max(size - int(last), 0), size
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    return start, end


def parse_range(value: str, size: int) -> list[tuple[int, int]]:
    """The byte ranges `value` asks of a file of `size` bytes; `[]` means the whole file.

    Raises:
        MalformedRange: if the unit is not `bytes` or no range parses.
        RangeNotSatisfiable: if a range starts at or past the end of the file.
    """
    unit, equals, spec = value.partition("=")
    if not equals:
        raise MalformedRange("Malformed Range header: expected 'bytes=start-end'.")
    if unit.strip().lower() != "bytes":
        raise MalformedRange("Only byte ranges are supported ('bytes=start-end').")
    parts = spec.split(",")
    if len(parts) > MAX_RANGES:
        return []
    ranges = [found for part in parts if (found := _parse_part(part, size)) is not None]
    if not ranges:
        raise MalformedRange("Malformed Range header: no range could be read.")
    if any(not 0 <= start < size for start, _ in ranges):
        raise RangeNotSatisfiable(size)
    if any(start >= end for start, end in ranges):
        raise MalformedRange("Malformed Range header: a range must end after it starts.")
    ranges.sort()
    merged = [ranges[0]]
    for start, end in ranges[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def requested_ranges(
    range_value: str | None, if_range: str | None, size: int, etag: str, last_modified: str
) -> list[tuple[int, int]]:
    """The ranges to answer a GET with: `[]` for the whole file (no `Range`, or an
    `If-Range` that no longer matches).

    Raises:
        MalformedRange: a 400.
        RangeNotSatisfiable: a 416.
    """
    if range_value is None:
        return []
    if if_range is not None and not if_range_allows(if_range, etag, last_modified):
        return []
    return parse_range(range_value, size)


def if_range_allows(value: str, etag: str, last_modified: str) -> bool:
    """Whether `If-Range: value` lets a range request be answered with ranges."""
    value = value.strip()
    if value.startswith("W/"):
        return False
    return value in (etag, last_modified)


def byteranges_part(boundary: str, content_type: str, start: int, end: int, size: int) -> bytes:
    """The delimiter and headers that open one part of a `multipart/byteranges` body."""
    return (
        f"--{boundary}\r\nContent-Type: {content_type}\r\n"
        f"Content-Range: bytes {start}-{end - 1}/{size}\r\n\r\n"
    ).encode("latin-1")


def byteranges_length(
    boundary: str, content_type: str, ranges: list[tuple[int, int]], size: int
) -> int:
    """The exact length of a `multipart/byteranges` body for `ranges`."""
    parts = sum(
        len(byteranges_part(boundary, content_type, start, end, size)) + (end - start) + 2
        for start, end in ranges
    )
    return parts + len(boundary) + 4  # the closing `--boundary--`
