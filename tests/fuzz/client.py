"""Calling an ASGI app with a request built by hand, byte for byte, and checking the answer.

A `RawRequest` is exactly what a server would put into the scope and deliver
through `receive`, with nothing normalised, so a strategy can send what a
client controls (and, for the hostile strategies, what no server would pass on).
`exchange` records every message the app sends and any exception that escapes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import anyio

from tests.fuzz.rfc9110 import FIELD_VALUE, TOKEN
from transom._types import ASGIApp, Message, Scope

__all__ = ["STATS", "Exchange", "RawRequest", "exchange", "exchange_all", "response_problems"]

#: Requests sent by `exchange` in this process, and known findings met (see `findings`).
STATS: Counter[str] = Counter()

#: Seconds one exchange may take before it counts as hung.
TIMEOUT = 10.0
_NO_BODY_STATUSES = frozenset((*range(100, 200), 204, 304))


@dataclass
class RawRequest:
    """One request as the server hands it to the app."""

    method: str = "GET"
    path: str = "/"
    raw_path: bytes | None = None
    query_string: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=lambda: [b""])
    root_path: str = ""

    def scope(self) -> Scope:
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": "http",
            "path": self.path,
            "root_path": self.root_path,
            "query_string": self.query_string,
            "headers": list(self.headers),
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
        }
        if self.raw_path is not None:
            scope["raw_path"] = self.raw_path
        return scope


@dataclass
class Exchange:
    """What the app sent for one request, and what escaped from it."""

    request: RawRequest
    messages: list[Message]
    error: BaseException | None = None

    @property
    def start(self) -> Message:
        return next(m for m in self.messages if m["type"] == "http.response.start")

    @property
    def status(self) -> int:
        status: int = self.start["status"]
        return status

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(bytes(k), bytes(v)) for k, v in self.start.get("headers", ())]

    @property
    def body(self) -> bytes:
        return b"".join(
            m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"
        )

    def values(self, name: bytes) -> list[bytes]:
        """Every value sent for the lower-cased header `name`."""
        return [v for k, v in self.headers if k.lower() == name]

    def describe(self) -> str:
        """The request and the answer, for an assertion message."""
        lines = [f"request: {self.request!r}"]
        if self.error is not None:
            lines.append(f"raised: {type(self.error).__name__}: {self.error}")
        lines += [f"sent: {message!r}" for message in self.messages]
        return "\n".join(lines)


async def exchange(app: ASGIApp, request: RawRequest) -> Exchange:
    """Call `app` once with `request`; never raises, whatever the app does.

    `receive` delivers the body chunks in order (`more_body` on all but the
    last), then waits until the response is complete before it reports a
    disconnect, as a patient client would.
    """
    messages: list[Message] = []
    chunks = list(request.body) or [b""]
    done = anyio.Event()

    async def receive() -> Message:
        if chunks:
            body = chunks.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(chunks)}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        messages.append(dict(message))
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            done.set()

    STATS["requests"] += 1
    result = Exchange(request, messages)
    try:
        with anyio.fail_after(TIMEOUT):
            await app(request.scope(), receive, send)
    except Exception as exc:
        result.error = exc
    finally:
        done.set()
    return result


async def exchange_all(app: ASGIApp, requests: list[RawRequest]) -> list[Exchange]:
    """`exchange` each request in turn."""
    return [await exchange(app, request) for request in requests]


def response_problems(result: Exchange) -> list[str]:
    """Every way the answer breaks the ASGI message order or RFC 9110; empty if none.

    Checked: no exception escaped; exactly one `http.response.start` first, then
    body messages, the last with `more_body` false and nothing after it; a
    status below 500; header names are tokens and values are RFC 9110 field values
    (no CR, LF, NUL or other control character, no outer whitespace);
    `Content-Length`, when sent, is one number equal to the body's length (for
    `HEAD`, the body is empty and the length is the one a `GET` would get); a
    status that forbids a body sends neither.
    """
    if result.error is not None:
        return [f"raised {type(result.error).__name__}: {result.error}"]
    types = [message["type"] for message in result.messages]
    if not types or types[0] != "http.response.start" or types.count("http.response.start") != 1:
        return [f"message order {types}"]
    bodies = result.messages[1:]
    if not bodies or any(m["type"] != "http.response.body" for m in bodies):
        return [f"message order {types}"]
    ends = [not m.get("more_body", False) for m in bodies]
    if ends[-1] is not True or any(ends[:-1]):
        return [f"more_body flags {[not end for end in ends]}"]
    problems = [] if result.status < 500 else [f"status {result.status}"]
    problems += _header_problems(result.headers)
    problems += _length_problems(result)
    return problems


def _header_problems(headers: list[tuple[bytes, bytes]]) -> list[str]:
    problems = []
    for name, value in headers:
        if not TOKEN.fullmatch(name.decode("latin-1")):
            problems.append(f"header name {name!r} is not a token")
        if not FIELD_VALUE.fullmatch(value.decode("latin-1")):
            problems.append(f"header {name!r} value {value!r} is not a field value")
    return problems


def _length_problems(result: Exchange) -> list[str]:
    lengths = result.values(b"content-length")
    status = result.status
    if status in _NO_BODY_STATUSES:
        if lengths or result.body:
            return [f"status {status} sent a body or content-length"]
        return []
    if not lengths:
        return []
    if len(lengths) > 1:
        return [f"content-length sent {len(lengths)} times: {lengths}"]
    if not lengths[0].isdigit():
        return [f"content-length {lengths[0]!r} is not a number"]
    if result.request.method == "HEAD":
        return [] if not result.body else ["HEAD response has a body"]
    if int(lengths[0]) != len(result.body):
        return [f"content-length {lengths[0]!r} but the body has {len(result.body)} bytes"]
    return []
