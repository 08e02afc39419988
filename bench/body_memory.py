"""Peak memory of one large JSON request body: Transom against FastAPI.

In a fresh process per framework and body shape, build an app whose `POST /items`
takes one body parameter (`list[Any]`, or `dict[str, Any]`), build a JSON body of
`--mib` MiB (a list of small objects, or an object of them), and send it once, in
process, as raw ASGI `http.request` messages of 64 KiB, as a server delivers it.
The request's peak is VmHWM after it minus VmRSS before it, with the high-water
mark reset just before (`5` written to /proc/self/clear_refs), so building the
body does not count; it is reported as a multiple of the body size.

Transom may limit request bodies (`Transom(max_body_size=...)`): when its
constructor takes that option, the limit is raised above the body so both
frameworks do the same work; when it does not, there is no limit to raise.

Usage: python body_memory.py [--mib 64] [--repeat 3] [--frameworks transom,fastapi]
"""

# No `from __future__ import annotations`: the endpoints below are built in a
# function, and their annotations must be objects, not names to resolve later.
import argparse
import asyncio
import gc
import importlib
import importlib.metadata
import inspect
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

from harness import run_child

HERE = Path(__file__).parent
CHUNK = 64 * 1024
SHAPES = {"list": "list[Any]", "dict": "dict[str, Any]"}


def status_kib(field: str) -> int:
    """A field of /proc/self/status in KiB (`VmRSS`, `VmHWM`)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def build_app(framework: str, shape: str, limit: int) -> tuple[Any, str]:
    """The app, and how Transom's body limit (if it has one) was set."""
    module = importlib.import_module(framework)
    body = module.Body
    note = ""
    if framework == "transom":
        takes_limit = "max_body_size" in inspect.signature(module.Transom).parameters
        app = module.Transom(**({"max_body_size": limit} if takes_limit else {}))
        note = f"max_body_size={limit}" if takes_limit else "no body limit option"
    else:
        app = module.FastAPI()

    if shape == "list":

        async def create(items: Annotated[list[Any], body()]) -> dict[str, int]:
            return {"count": len(items)}

    else:

        async def create(items: Annotated[dict[str, Any], body()]) -> dict[str, int]:
            return {"count": len(items)}

    app.post("/items")(create)
    return app, note


def make_body(shape: str, size: int) -> tuple[bytes, int]:
    """A JSON body of at least `size` bytes made of small objects, and how many."""
    out = bytearray(b"[" if shape == "list" else b"{")
    count = 0
    while len(out) < size:
        if count:
            out += b","
        if shape == "dict":
            out += b'"k%d":' % count
        out += b'{"id":%d,"name":"item %d","price":%d.5,"tags":["a","b"]}' % (count, count, count)
        count += 1
    out += b"]" if shape == "list" else b"}"
    return bytes(out), count


async def send_once(app: Any, body: bytes) -> tuple[int, bytes]:
    """POST `body` to `/items` in 64 KiB chunks; the status and response body."""
    offset = 0
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal offset
        if offset >= len(body) and offset:
            await asyncio.sleep(3600)  # the client waits for the answer
        chunk = body[offset : offset + CHUNK]
        offset += CHUNK
        return {"type": "http.request", "body": chunk, "more_body": offset < len(body)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/items",
        "raw_path": b"/items",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
    }
    await app(scope, receive, send)
    return answer["status"], answer["body"]


def child(framework: str, shape: str, mib: int) -> dict[str, Any]:
    body, count = make_body(shape, mib * 1024 * 1024)
    app, note = build_app(framework, shape, 2 * len(body))
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = status_kib("VmRSS")
    status, answer = asyncio.run(send_once(app, body))
    peak = status_kib("VmHWM")
    if status != 200 or json.loads(answer) != {"count": count}:
        raise RuntimeError(f"{framework}: unexpected answer {status} {answer[:200]!r}")
    return {
        "body_bytes": len(body),
        "items": count,
        "rss_before_kib": before,
        "peak_kib": peak,
        "note": note,
    }


def measured() -> str:
    """What was measured: the transom commit and the versions that parse the body."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
        )
        commit = done.stdout.strip() or "?"
    except OSError:
        commit = "?"
    versions = []
    for package in ("fastapi", "pydantic", "pydantic-core"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} not installed")
    return f"transom at git {commit}, " + ", ".join(versions)


def section(results: dict[str, Any]) -> list[str]:
    """The RESULTS.md section for `results` (what `main` writes to results/body_memory.json)."""
    out = ["## Request body memory", ""]
    if not results:
        return [*out, "Not run.", ""]
    out += [
        f"One `POST /items` with a {results['mib']} MiB JSON body (small objects: "
        '`{"id":1,"name":"item 1","price":1.5,"tags":["a","b"]}`) to an app whose handler '
        "takes it as one body parameter, sent in process as 64 KiB `http.request` messages; "
        f"a fresh process per row, median of {results['repeat']}. Peak is VmHWM after the "
        "request minus VmRSS before it (the high-water mark reset first, so building the "
        "body is not counted); multiple = peak / body size. Measured on "
        f"{results['measured']}. Command: `{results['command']}`.",
        "",
        "| framework | body parameter | body MiB | peak RSS MiB | multiple | note |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in results["rows"]:
        out.append(
            f"| {row['framework']} | `{SHAPES[row['shape']]}` | {row['body_mib']:.1f} | "
            f"{row['peak_mib']:.0f} | {row['multiple']:.1f}× | {row['note']} |"
        )
    out.append("")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=64, help="body size in MiB")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per row")
    parser.add_argument("--frameworks", default="transom,fastapi")
    parser.add_argument("--shapes", default="list,dict")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "body_memory.json")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        framework, shape, mib = args.child
        print(json.dumps(child(framework, shape, int(mib))))
        return 0

    rows = []
    for shape in args.shapes.split(","):
        for framework in args.frameworks.split(","):
            runs = [
                run_child(__file__, framework, shape, str(args.mib)) for _ in range(args.repeat)
            ]
            peak = statistics.median(run["peak_kib"] - run["rss_before_kib"] for run in runs)
            body = runs[0]["body_bytes"]
            row = {
                "framework": framework,
                "shape": shape,
                "body_mib": body / 2**20,
                "items": runs[0]["items"],
                "peak_mib": peak / 1024,
                "multiple": peak * 1024 / body,
                "note": runs[0]["note"],
                "runs": runs,
            }
            rows.append(row)
            print(
                f"  {framework:<8} {SHAPES[shape]:<15} body {row['body_mib']:.1f} MiB, peak "
                f"{row['peak_mib']:.0f} MiB = {row['multiple']:.1f}x {row['note']}",
                flush=True,
            )
    command = " ".join(["python bench/body_memory.py", *sys.argv[1:]])
    results = {
        "mib": args.mib,
        "repeat": args.repeat,
        "command": command,
        "measured": measured(),
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print("\n".join(section(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
