"""S8 (WebSocket echo) and S9 (Server-Sent Events) over the wire, every framework.

Each app of `apps/realtime.py` is served by uvicorn (httptools, uvloop, the
`websockets` protocol, one worker) pinned to CPU 0; this client runs pinned to
CPU 1 on 127.0.0.1:

- S8: one connection sends 1,000 text messages of 64 bytes, each waiting for its
  echo (a round trip per message: the cost of receiving and sending one message);
- S9: one `GET /s9/events` reads the whole stream of 1,000 events.

Every answer is checked first (the echoes byte for byte, the 1,000 events' JSON
in order). Then in each round every framework runs both once, in an order
rotated per round; a cell reports the median time and the median over rounds
of its ratio to raw ASGI within the round (see `wire.py` for why).

`--in-process` calls the apps directly on a uvloop loop instead (no server, no
client): the framework's own cost per message and per event.

Usage: python realtime.py [--rounds 7] [--messages 1000] [--in-process]
       (REALTIME_FRAMEWORKS=raw_asgi,transom,... picks the frameworks)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from wire import HOST, free_port, server_command, stop, wait_ready

HERE = Path(__file__).parent
ALL = "raw_asgi,transom,fastapi,starlette,litestar,blacksheep"
FRAMEWORKS = os.environ.get("REALTIME_FRAMEWORKS", ALL).split(",")
PAYLOAD = "x" * 64
CLIENT_CPU = 1


async def echo(port: int, messages: int) -> float:
    """Seconds for `messages` round trips on one connection (checked)."""
    async with connect(f"ws://{HOST}:{port}/s8/echo", compression=None) as socket:
        start = time.perf_counter()
        for _ in range(messages):
            await socket.send(PAYLOAD)
            reply = await socket.recv()
            if reply != PAYLOAD:
                raise AssertionError(f"echo answered {reply!r}")
        return time.perf_counter() - start


def parse_events(body: bytes) -> list[Any]:
    """The JSON data of every event of an event stream."""
    found = []
    for block in body.decode().replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            found.append(json.loads("\n".join(data)))
    return found


async def events(client: httpx.AsyncClient, port: int) -> tuple[float, bytes]:
    """Seconds to read the whole S9 stream, and its bytes."""
    start = time.perf_counter()
    async with client.stream("GET", f"http://{HOST}:{port}/s9/events") as response:
        if response.headers["content-type"].split(";")[0] != "text/event-stream":
            raise AssertionError(f"S9 answered {response.headers['content-type']!r}")
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return time.perf_counter() - start, body


async def verify(ports: dict[str, int], messages: int) -> dict[str, str]:
    """Problems per framework (none means it answers both scenarios as expected)."""
    problems: dict[str, str] = {}
    expected = [{"n": number} for number in range(1000)]
    async with httpx.AsyncClient(timeout=30) as client:
        for fw, port in ports.items():
            try:
                await echo(port, 10)
                _, body = await events(client, port)
                if parse_events(body) != expected:
                    problems[fw] = f"S9 events differ: {body[:120]!r}"
            except Exception as exc:
                problems[fw] = f"{type(exc).__name__}: {exc}"
    return problems


async def measure(ports: dict[str, int], rounds: int, messages: int) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    names = list(ports)
    async with httpx.AsyncClient(timeout=30) as client:
        for fw in names:  # warm-up
            await echo(ports[fw], messages // 4)
            await events(client, ports[fw])
        for index in range(rounds):
            order = names[index % len(names) :] + names[: index % len(names)]
            row: dict[str, Any] = {}
            for fw in order:
                s8 = await echo(ports[fw], messages)
                s9, _ = await events(client, ports[fw])
                row[fw] = {"S8": s8, "S9": s9}
            results.append(row)
    return results


async def echo_in_process(app: Any, messages: int) -> float:
    """Seconds for the app to echo `messages` messages, called directly (no server)."""
    incoming = [{"type": "websocket.connect"}]
    incoming += [{"type": "websocket.receive", "text": PAYLOAD}] * messages
    incoming.append({"type": "websocket.disconnect", "code": 1000})
    feed = iter(incoming)

    async def receive() -> dict[str, Any]:
        return next(feed)

    async def send(message: dict[str, Any]) -> None:
        pass

    scope = {
        "type": "websocket", "path": "/s8/echo", "root_path": "", "query_string": b"",
        "headers": [(b"host", b"bench")], "scheme": "ws", "subprotocols": [],
        "server": ("bench", 80), "asgi": {"version": "3.0"},
    }  # fmt: skip
    start = time.perf_counter()
    await app(scope, receive, send)
    return time.perf_counter() - start


async def events_in_process(app: Any) -> float:
    """Seconds for the app to produce the S9 stream, called directly."""
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    scope = {
        "type": "http", "method": "GET", "path": "/s9/events", "root_path": "",
        "query_string": b"", "headers": [(b"host", b"bench")], "scheme": "http",
        "server": ("bench", 80), "asgi": {"version": "3.0"},
    }  # fmt: skip
    start = time.perf_counter()
    await app(scope, receive, send)
    return time.perf_counter() - start


async def in_process(rounds: int, messages: int) -> list[dict[str, Any]]:
    """Both scenarios per framework, called directly on one loop, frameworks interleaved."""
    import importlib

    module = importlib.import_module("apps.realtime")
    apps = {fw: getattr(module, fw) for fw in FRAMEWORKS}
    results = []
    for index in range(rounds + 1):
        row = {}
        for fw, app in apps.items():
            s8 = statistics.median([await echo_in_process(app, messages) for _ in range(5)])
            s9 = statistics.median([await events_in_process(app) for _ in range(5)])
            row[fw] = {"S8": s8, "S9": s9}
        if index:  # the first round warms up
            results.append(row)
    return results


def summarise(rounds: list[dict[str, Any]], messages: int) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for fw in rounds[0]:
        cell: dict[str, Any] = {}
        for key, count in (("S8", messages), ("S9", 1000)):
            times = [row[fw][key] for row in rounds]
            ratios = [row["raw_asgi"][key] / row[fw][key] for row in rounds if "raw_asgi" in row]
            median = statistics.median(times)
            cell[key] = {
                "ms": round(median * 1e3, 2),
                "per_second": round(count / median),
                "ratio_to_raw": round(statistics.median(ratios), 2) if ratios else None,
            }
        summary[fw] = cell
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--in-process", action="store_true", help="call the apps directly")
    options = parser.parse_args()
    if options.in_process:
        import uvloop

        rounds = uvloop.run(in_process(options.rounds, options.messages))
        report(summarise(rounds, options.messages), "realtime-inprocess.json", rounds, {})
        return 0
    os.sched_setaffinity(0, {CLIENT_CPU})
    servers: dict[str, subprocess.Popen[bytes]] = {}
    ports: dict[str, int] = {}
    try:
        for fw in FRAMEWORKS:
            port = free_port()
            command = [*server_command(f"apps.realtime:{fw}", port), "--ws", "websockets-sansio"]
            servers[fw] = subprocess.Popen(command, cwd=HERE, stdin=subprocess.DEVNULL)
            ports[fw] = port
        for fw, port in ports.items():
            wait_ready(port, servers[fw])
        problems = asyncio.run(verify(ports, options.messages))
        for fw, problem in problems.items():
            print(f"{fw}: not timed: {problem}")
            del ports[fw]
        rounds = asyncio.run(measure(ports, options.rounds, options.messages))
    finally:
        for server in servers.values():
            stop(server)
    report(summarise(rounds, options.messages), "realtime.json", rounds, problems)
    return 0


def report(
    summary: dict[str, Any], name: str, rounds: list[dict[str, Any]], problems: dict[str, str]
) -> None:
    out = HERE / "results" / name
    data = {"rounds": rounds, "summary": summary, "problems": problems}
    out.write_text(json.dumps(data, indent=2))
    head = f"{'S8 echo ms':>11} {'msg/s':>8} {'x raw':>6}   {'S9 SSE ms':>10} {'ev/s':>8}"
    print(f"{'':12} {head} {'x raw':>6}")
    for fw, cell in summary.items():
        s8, s9 = cell["S8"], cell["S9"]
        print(
            f"{fw:12} {s8['ms']:11} {s8['per_second']:8} {s8['ratio_to_raw']!s:>6}   "
            f"{s9['ms']:10} {s9['per_second']:8} {s9['ratio_to_raw']!s:>6}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
