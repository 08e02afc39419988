"""Peak memory of one large multipart upload: Transom against FastAPI.

In a fresh process per framework, build an app whose `POST /upload` takes one
`UploadFile` parameter and answers its size, and send it one
`multipart/form-data` body with a `--mib` MiB file, in process, as raw ASGI
`http.request` messages of 64 KiB, as a server delivers it. The body is never
held whole: every message but the first and the last is the same 64 KiB of
random bytes, so the client costs nothing while the request runs. The request's
peak is VmHWM after it minus VmRSS before it, with the high-water mark reset
just before (`5` written to /proc/self/clear_refs), as in `body_memory.py`.

Both frameworks spool an uploaded file into a `SpooledTemporaryFile` that moves
to disk past 1 MiB, so the peak should stay near idle whatever the file's size.
Transom's route raises its body limit (`max_body_size=`) above the body;
FastAPI has none.

Usage: python upload_memory.py [--mib 200] [--repeat 3] [--frameworks transom,fastapi]
"""

# No `from __future__ import annotations`: the endpoints below are built in a
# function, and their annotations must be objects, not names to resolve later.
import argparse
import asyncio
import gc
import importlib
import json
import random
import statistics
import sys
from pathlib import Path
from typing import Any

from body_memory import measured, status_kib
from harness import run_child

HERE = Path(__file__).parent
CHUNK = 64 * 1024
BOUNDARY = "----TransomBenchUpload7fQ2"


def build_app(framework: str, limit: int) -> tuple[Any, str]:
    """The app, and the body limit its route sets (if any)."""
    module = importlib.import_module(framework)
    upload_file = module.UploadFile

    async def upload(file: upload_file) -> dict[str, Any]:  # type: ignore[valid-type]
        return {"size": file.size}

    if framework == "transom":
        app = module.Transom()
        app.post("/upload", max_body_size=limit)(upload)
        return app, f"route max_body_size={limit}"
    app = module.FastAPI()
    app.post("/upload")(upload)
    return app, "no body limit"


class Body:
    """A multipart body with one `size`-byte file, as 64 KiB messages made on demand."""

    def __init__(self, size: int) -> None:
        head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.length = len(head) + size + len(tail)
        # The file is `block` repeated; every message after the first starts at the
        # same offset in the block, so they are all one bytes object, made once.
        block = random.Random(200).randbytes(CHUNK)
        first = CHUNK - len(head)
        self.first = head + block[:first]
        self.middle = block[first:] + block[:first]
        self.count = -(-self.length // CHUNK)
        rest = self.length - CHUNK * (self.count - 1)  # bytes in the last message
        self.last = (self.middle * 2)[: rest - len(tail)] + tail

    def message(self, index: int) -> bytes:
        if index == 0:
            return self.first
        return self.last if index == self.count - 1 else self.middle


async def send_once(app: Any, body: Body) -> tuple[int, bytes]:
    """POST `body` to `/upload`; the status and response body."""
    index = 0
    answer: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal index
        if index >= body.count:
            await asyncio.sleep(3600)  # the client waits for the answer
        chunk = body.message(index)
        index += 1
        return {"type": "http.request", "body": chunk, "more_body": index < body.count}

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
        "path": "/upload",
        "raw_path": b"/upload",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"content-length", str(body.length).encode()),
        ],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
    }
    await app(scope, receive, send)
    return answer["status"], answer["body"]


def child(framework: str, mib: int) -> dict[str, Any]:
    body = Body(mib * 1024 * 1024)
    app, note = build_app(framework, max(300 * 2**20, body.length + 2**20))
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = status_kib("VmRSS")
    status, answer = asyncio.run(send_once(app, body))
    peak = status_kib("VmHWM")
    after = status_kib("VmRSS")
    if status != 200 or json.loads(answer) != {"size": body.size}:
        raise RuntimeError(f"{framework}: unexpected answer {status} {answer[:200]!r}")
    return {
        "body_bytes": body.length,
        "file_bytes": body.size,
        "rss_before_kib": before,
        "peak_kib": peak,
        "rss_after_kib": after,
        "note": note,
    }


def section(results: dict[str, Any]) -> list[str]:
    """The RESULTS.md section for `results` (what `main` writes to results/upload_memory.json)."""
    out = ["## Upload memory", ""]
    if not results:
        return [*out, "Not run.", ""]
    out += [
        f"One `POST /upload` with a {results['mib']} MiB file in a `multipart/form-data` body "
        "to an app whose handler takes it as an `UploadFile` parameter and answers its size, "
        "sent in process as 64 KiB `http.request` messages (the client holds 64 KiB, never "
        f"the body); a fresh process per row, median of {results['repeat']}. Peak is VmHWM "
        "after the request minus VmRSS before it (the high-water mark reset first). Both "
        "frameworks spool the file to a temporary file on disk past 1 MiB. Measured on "
        f"{results['measured']}. Command: `{results['command']}`.",
        "",
        "| framework | file MiB | RSS before MiB | peak above it MiB | note |",
        "|---|---:|---:|---:|---|",
    ]
    for row in results["rows"]:
        out.append(
            f"| {row['framework']} | {row['file_mib']:.0f} | {row['rss_before_mib']:.1f} | "
            f"{row['peak_mib']:.1f} | {row['note']} |"
        )
    out.append("")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=200, help="file size in MiB")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per row")
    parser.add_argument("--frameworks", default="transom,fastapi")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "upload_memory.json")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        framework, mib = args.child
        print(json.dumps(child(framework, int(mib))))
        return 0

    rows = []
    for framework in args.frameworks.split(","):
        runs = [run_child(__file__, framework, str(args.mib)) for _ in range(args.repeat)]
        peak = statistics.median(run["peak_kib"] - run["rss_before_kib"] for run in runs)
        row = {
            "framework": framework,
            "file_mib": runs[0]["file_bytes"] / 2**20,
            "rss_before_mib": statistics.median(run["rss_before_kib"] for run in runs) / 1024,
            "peak_mib": peak / 1024,
            "note": runs[0]["note"],
            "runs": runs,
        }
        rows.append(row)
        print(
            f"  {framework:<8} file {row['file_mib']:.0f} MiB, RSS before "
            f"{row['rss_before_mib']:.1f} MiB, peak +{row['peak_mib']:.1f} MiB {row['note']}",
            flush=True,
        )
    command = " ".join(["python bench/upload_memory.py", *sys.argv[1:]])
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
