"""A tiny ASGI caller: scopes built by hand, lifespan, response capture, timed loops.

No server and no test client: `receive` and `send` are the smallest callables
that satisfy the ASGI spec, so what is measured is the app and not the caller.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenarios import Call, Scenario, target, update_jar, with_cookies

Message = dict[str, Any]
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_DISCONNECT: Message = {"type": "http.disconnect"}


def load_app(target: str) -> ASGIApp:
    """Import `module:attribute` (as uvicorn does) and return the app."""
    module, _, attribute = target.partition(":")
    app: ASGIApp = getattr(importlib.import_module(module), attribute)
    return app


def scenario_app(framework: str, scenario: Scenario) -> ASGIApp | None:
    """The app of `framework` that serves `scenario`, or `None` if its module has none."""
    module, _, attribute = target(framework, scenario).partition(":")
    app: ASGIApp | None = getattr(importlib.import_module(module), attribute, None)
    return app


def scope_template(call: Call) -> Scope:
    """The `http` scope uvicorn would build for `call` (headers as a client sends them)."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"), (b"accept", b"*/*")]
    headers += list(call.headers)
    if call.method == "POST":
        headers.append((b"content-length", str(len(call.request_body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
        "scheme": "http",
        "method": call.method,
        "root_path": "",
        "path": call.path,
        "raw_path": call.path.encode(),
        "query_string": call.query,
        "headers": headers,
    }


#: A body larger than this arrives in messages of this size, as a server reads it
#: off the socket (only S6's upload is that large).
CHUNK = 64 * 1024


def split_body(body: bytes) -> tuple[bytes, ...]:
    """`body` as the `http.request` messages' bodies: 64 KiB pieces (one, if small)."""
    if len(body) <= CHUNK:
        return (body,)
    return tuple(body[i : i + CHUNK] for i in range(0, len(body), CHUNK))


def make_receive(chunks: tuple[bytes, ...]) -> Receive:
    """One `http.request` per chunk (`more_body` on all but the last), then `http.disconnect`."""
    if len(chunks) == 1:  # the common case, kept as cheap as it always was
        message: Message | None = {"type": "http.request", "body": chunks[0], "more_body": False}

        async def receive() -> Message:
            nonlocal message
            if message is None:
                return _DISCONNECT
            sent, message = message, None
            return sent

        return receive

    last = len(chunks) - 1
    index = 0

    async def receive_chunks() -> Message:
        nonlocal index
        if index > last:
            return _DISCONNECT
        body = chunks[index]
        index += 1
        return {"type": "http.request", "body": body, "more_body": index <= last}

    return receive_chunks


class Lifespan:
    """Runs an app's lifespan protocol like uvicorn's `--lifespan auto`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        try:
            await self.app(scope, self._inbox.get, self._outbox.put)
        finally:
            await self._outbox.put({"type": "lifespan.ended"})

    async def startup(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())
        await self._inbox.put({"type": "lifespan.startup"})
        message = await self._outbox.get()
        if message["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"lifespan startup failed: {message.get('message')}")
        # "lifespan.ended" here means the app does not support lifespan: fine.

    async def shutdown(self) -> None:
        if self._task is None or self._task.done():
            return
        await self._inbox.put({"type": "lifespan.shutdown"})
        await self._outbox.get()
        await asyncio.wait_for(self._task, 5)


@dataclass
class Captured:
    """One complete response."""

    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    messages: list[str] = field(default_factory=list)


async def capture(app: ASGIApp, call: Call, state: dict[str, Any]) -> Captured:
    """Send `call` to `app` and record everything it sends."""
    out = Captured()
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        out.messages.append(message["type"])
        if message["type"] == "http.response.start":
            out.status = message["status"]
            out.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))

    scope = scope_template(call)
    scope["state"] = dict(state)
    await app(scope, make_receive(split_body(call.request_body)), send)
    out.body = b"".join(chunks)
    return out


async def run_setup(
    app: ASGIApp, scenario: Scenario, state: dict[str, Any]
) -> tuple[list[tuple[Call, Captured]], tuple[Call, ...]]:
    """Send `scenario.setup` in order, each with the cookies the earlier ones set.

    Returns each setup call as sent with its response, and `scenario.calls` with
    the cookies the setup left (the calls themselves if it has no setup).
    """
    jar: dict[str, str] = {}
    done = []
    for call in scenario.setup:
        sent = with_cookies(call, jar)
        response = await capture(app, sent, state)
        headers = response.headers
        update_jar(jar, (v.decode("latin-1") for n, v in headers if n.lower() == b"set-cookie"))
        done.append((sent, response))
    return done, tuple(with_cookies(call, jar) for call in scenario.calls)


class Sink:
    """The `send` of timed loops: keeps the last status and counts responses that are
    neither 200 nor 304 (S10's revalidations are 304s; `verify.py` checks which is which)."""

    __slots__ = ("bad", "status")

    def __init__(self) -> None:
        self.status = 0
        self.bad = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            if self.status != 200 and self.status != 304:
                self.bad += 1


@dataclass(frozen=True)
class Prepared:
    scope: Scope
    chunks: tuple[bytes, ...]  # the request body, split once, outside the timed loop


def prepare(calls: tuple[Call, ...]) -> list[Prepared]:
    return [Prepared(scope_template(call), split_body(call.request_body)) for call in calls]


async def timed_loop(
    app: ASGIApp, prepared: list[Prepared], n: int, state: dict[str, Any], sink: Sink
) -> float:
    """Make `n` requests round-robin over `prepared`; return seconds elapsed.

    Each request gets a fresh scope (a shallow copy with its own header list and
    state, as a server gives) and a fresh `receive`; both costs are the same for
    every app and are part of the raw ASGI floor.
    """
    count = len(prepared)
    start = time.perf_counter()
    for k in range(n):
        p = prepared[k % count]
        scope = p.scope.copy()
        scope["headers"] = p.scope["headers"].copy()
        scope["state"] = state.copy()
        await app(scope, make_receive(p.chunks), sink)
    return time.perf_counter() - start


def run_child(script: str, *args: str) -> dict[str, Any]:
    """Run `python script --child *args` in a fresh process; its last stdout line is JSON.

    The measuring scripts (startup, body and upload memory) measure in a new
    process each time, so one measurement's memory never colours the next.
    """
    done = subprocess.run(
        [sys.executable, script, "--child", *args],
        cwd=Path(script).parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
