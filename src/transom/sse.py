"""Server-Sent Events: `ServerSentEvent`, the wire format, and `EventSourceResponse`.

A path operation that `yield`s with `response_class=EventSourceResponse`
streams each item as one event (`transom.streams` runs it): a
`ServerSentEvent` as the event it describes, anything else as an event whose
`data` is the item as JSON, validated and filtered by the route's item model.

The wire format is FastAPI's (the WHATWG event-stream format): the fields in
the order comment (`: ` lines), `event:`, `data:` (one line per line of the
data), `id:`, `retry:`, then a blank line. `data` is JSON, so a string arrives
quoted; `raw_data` is sent verbatim. An idle stream sends a `: ping` comment
every `PING_INTERVAL` seconds so that proxies keep the connection open.
"""

from __future__ import annotations

from typing import Any

from transom.responses import EventSourceResponse

__all__ = [
    "EVENT_SCHEMA",
    "KEEPALIVE_COMMENT",
    "PING_INTERVAL",
    "EventSourceResponse",
    "ServerSentEvent",
    "format_sse_event",
]

#: An event as OpenAPI 3.2 describes one (section 4.14.4), for streamed operations.
EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {"type": "string"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}

#: The comment an idle stream sends to keep proxies from closing it.
KEEPALIVE_COMMENT = b": ping\n\n"

#: Seconds an event stream may stay silent before a `: ping` comment is sent.
PING_INTERVAL = 15.0


def _single_line(value: str | None, name: str) -> str | None:
    if value is not None:
        if not isinstance(value, str):
            raise TypeError(f"SSE '{name}' must be a string, got {type(value).__name__}.")
        if "\r" in value or "\n" in value:
            raise ValueError(f"SSE '{name}' must be a single line, got {value!r}.")
    return value


class ServerSentEvent:
    """One event of an event stream, yielded from a streamed path operation.

    Args:
        data: The payload, sent as JSON (a string arrives quoted).
        raw_data: Text sent as the data verbatim, instead of `data`.
        event: The event type (`addEventListener(event, ...)`); one line.
        id: The event id, sent back by the browser as `Last-Event-ID`; one line, no NUL.
        retry: The reconnection delay in milliseconds, a whole number >= 0.
        comment: Comment lines (ignored by `EventSource`).

    Raises:
        ValueError: if a field breaks its rule, or both `data` and `raw_data` are given.
    """

    __slots__ = ("comment", "data", "event", "id", "raw_data", "retry")

    def __init__(
        self,
        data: Any = None,
        *,
        raw_data: str | None = None,
        event: str | None = None,
        id: str | None = None,
        retry: int | None = None,
        comment: str | None = None,
    ) -> None:
        if data is not None and raw_data is not None:
            raise ValueError(
                "Cannot set both 'data' and 'raw_data' on one ServerSentEvent: 'data' is "
                "sent as JSON, 'raw_data' as it is."
            )
        if id is not None and "\0" in id:
            raise ValueError(f"SSE 'id' must not contain null characters, got {id!r}.")
        if retry is not None and (
            not isinstance(retry, int) or isinstance(retry, bool) or retry < 0
        ):
            raise ValueError(
                f"SSE 'retry' must be a whole number of milliseconds >= 0, got {retry!r}."
            )
        self.data = data
        self.raw_data = raw_data
        self.event = _single_line(event, "event")
        self.id = _single_line(id, "id")
        self.retry = retry
        self.comment = comment

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in ("data", "raw_data", "event", "id", "retry", "comment")
            if getattr(self, name) is not None
        )
        return f"ServerSentEvent({fields})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]


def _lines(value: str) -> list[str]:
    # The format's line ends only (\r\n, \r, \n), keeping a trailing empty line.
    return value.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def format_sse_event(
    *,
    data_str: str | None = None,
    event: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> bytes:
    """One event in the wire format, ending with the blank line that terminates it."""
    lines: list[str] = []
    if comment is not None:
        lines += [f": {line}" for line in _lines(comment)]
    if event is not None:
        lines.append(f"event: {event}")
    if data_str is not None:
        lines += [f"data: {line}" for line in _lines(data_str)]
    if id is not None:
        lines.append(f"id: {id}")
    if retry is not None:
        lines.append(f"retry: {retry}")
    lines += ["", ""]
    return "\n".join(lines).encode("utf-8")
