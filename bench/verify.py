"""Check that every app answers every scenario exactly like the reference, before any timing.

For each framework and scenario, every request's response is compared with the
reference in `scenarios.py`: status, body bytes (a body that differs only by
whitespace or key order passes, and is reported), `Content-Type`,
`Content-Length`, the custom headers, and each `Set-Cookie` parsed into name,
value and its set of lower-cased attributes. Failing (framework, scenario)
cells are written to `results/verify.json` and excluded from timing.

Usage: python verify.py [--out results/verify.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import uvloop

from harness import Captured, Lifespan, capture, load_app
from scenarios import ALL_SCENARIOS, FRAMEWORKS, Call, Cookie

HERE = Path(__file__).parent
STANDARD = {b"content-type", b"content-length", b"set-cookie"}


def _literal(raw: bytes) -> Any:
    """Parse JSON keeping number literals as written (so 9.5 and 9.50 differ)."""
    return json.loads(
        raw,
        parse_float=lambda s: ["float", s],
        parse_int=lambda s: ["int", s],
        parse_constant=lambda s: ["constant", s],
    )


def compare_body(got: bytes, want: bytes) -> tuple[str | None, str | None]:
    """Return (problem, note) for a response body."""
    if got == want:
        return None, None
    try:
        same = json.dumps(_literal(got), sort_keys=True) == json.dumps(
            _literal(want), sort_keys=True
        )
    except ValueError:
        return f"body is not JSON: {got[:80]!r}", None
    if same:
        return None, "body differs from the reference only by whitespace/key order"
    return f"body {got[:120]!r} != reference {want[:120]!r}", None


def _content_headers(
    call: Call, response: Captured, headers: list[tuple[bytes, bytes]]
) -> list[str]:
    """Problems with `Content-Type` and `Content-Length` of a response with a body."""
    problems = []
    where = f"{call.method} {call.target}"
    types = [v for n, v in headers if n == b"content-type"]
    if types != [call.content_type]:
        problems.append(f"{where}: content-type {types} != [{call.content_type!r}]")
    lengths = [v for n, v in headers if n == b"content-length"]
    if lengths != [str(len(response.body)).encode()]:
        problems.append(f"{where}: content-length {lengths} for a {len(response.body)}-byte body")
    return problems


def check(call: Call, response: Captured) -> tuple[list[str], list[str], set[str]]:
    """Return (problems, notes, extra header names) for one response."""
    problems: list[str] = []
    notes: list[str] = []
    headers = [(name.lower(), value) for name, value in response.headers]
    counts = Counter(name for name, _ in headers)
    where = f"{call.method} {call.target}"

    if response.messages[:1] != ["http.response.start"] or "http.response.body" not in set(
        response.messages
    ):
        problems.append(f"{where}: bad message sequence {response.messages}")
    if response.status != call.status:
        problems.append(f"{where}: status {response.status} != {call.status}")
    problem, note = compare_body(response.body, call.body)
    if problem:
        problems.append(f"{where}: {problem}")
    if note:
        notes.append(note)

    lengths = [v for n, v in headers if n == b"content-length"]
    if call.status == 304:  # no body, so no Content-Type or Content-Length (RFC 9110 15.4.5)
        if counts[b"content-type"] or lengths:
            problems.append(f"{where}: a 304 with content headers {sorted(counts)}")
    else:
        problems += _content_headers(call, response, headers)
        if lengths == [str(len(response.body)).encode()] and len(response.body) != len(call.body):
            notes.append(f"content-length {len(response.body)} (reference {len(call.body)})")

    for name, value in call.response_headers:
        got = [v for n, v in headers if n == name]
        if got != [value]:
            problems.append(f"{where}: header {name.decode()} {got} != [{value!r}]")

    cookies = [Cookie.parse(v.decode("latin-1")) for n, v in headers if n == b"set-cookie"]
    if len(cookies) != len(call.cookies) or set(cookies) != call.cookies:
        shown = sorted((c.name, c.value, sorted(c.attributes)) for c in cookies)
        problems.append(f"{where}: cookies {shown} != reference")
    raw = [v.decode("latin-1") for n, v in headers if n == b"set-cookie"]
    if raw:
        notes.append("set-cookie as sent: " + " | ".join(sorted(raw)))

    custom = {name for name, _ in call.response_headers}
    extra = {n.decode() for n in counts if n not in STANDARD and n not in custom}
    return problems, notes, extra


async def verify_framework(target: str) -> dict[str, dict[str, Any]]:
    app = load_app(target)
    lifespan = Lifespan(app)
    await lifespan.startup()
    cells: dict[str, dict[str, Any]] = {}
    try:
        for key, scenario in ALL_SCENARIOS.items():
            problems: list[str] = []
            notes: list[str] = []
            extra: set[str] = set()
            for call in scenario.calls:
                try:
                    response = await capture(app, call, lifespan.state)
                except Exception:
                    problems.append(f"{call.method} {call.target}: {traceback.format_exc(limit=3)}")
                    continue
                p, n, e = check(call, response)
                problems += p
                notes += [x for x in n if x not in notes]
                extra |= e
            cells[key] = {
                "ok": not problems,
                "problems": problems[:5]
                + ([f"... {len(problems) - 5} more"] * (len(problems) > 5)),
                "notes": notes,
                "extra_headers": sorted(extra),
            }
    finally:
        await lifespan.shutdown()
    return cells


async def verify_all(frameworks: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in frameworks:
        try:
            results[name] = await verify_framework(FRAMEWORKS[name])
        except Exception:
            error = traceback.format_exc(limit=5)
            results[name] = {
                key: {
                    "ok": False,
                    "problems": [f"app failed: {error}"],
                    "notes": [],
                    "extra_headers": [],
                }
                for key in ALL_SCENARIOS
            }
    return results


def passed(results: dict[str, Any]) -> dict[str, list[str]]:
    """{framework: [scenario keys that passed]}."""
    return {fw: [key for key, cell in cells.items() if cell["ok"]] for fw, cells in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "verify.json")
    parser.add_argument("frameworks", nargs="*", default=list(FRAMEWORKS))
    args = parser.parse_args()
    results = uvloop.run(verify_all(args.frameworks))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cells": results, "passed": passed(results)}, indent=2))
    failures = 0
    for fw, cells in results.items():
        for key, cell in cells.items():
            status = "ok  " if cell["ok"] else "FAIL"
            failures += not cell["ok"]
            extra = ", ".join(cell["extra_headers"]) or "-"
            print(f"{status} {fw:<13} {key}  extra headers: {extra}  {'; '.join(cell['notes'])}")
            for problem in cell["problems"]:
                print(f"       {problem}")
    print(f"verify: {failures} failing cell(s); failing cells are excluded from timing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
