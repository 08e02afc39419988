"""Check that every app answers every scenario exactly like the reference, before any timing.

For each framework and scenario, every request's response is compared with the
reference in `scenarios.py`: status, body bytes (a body that differs only by
whitespace or key order passes, and is reported), `Content-Type` and
`Content-Length` (a 304 must have neither), the custom headers, and each
`Set-Cookie` parsed into name, value and its set of lower-cased attributes (for
a session cookie, which each framework seals its own way: name, attributes and
a non-empty value). A scenario's setup requests (S7's first two) are checked the
same way. Failing (framework, scenario) cells are written to `results/verify.json`
and excluded from timing; a framework whose module has no app for a scenario is
marked not applicable.

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

from harness import ASGIApp, Captured, Lifespan, capture, run_setup, scenario_app
from scenarios import FRAMEWORKS, SCENARIOS, Call, Cookie, Scenario

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


def cookie_problems(call: Call, set_cookies: list[str]) -> list[str]:
    """What is wrong with the response's `Set-Cookie`s (each framework's own sealed
    values are only checked to be there when `call.cookie_values` is false)."""
    cookies = [Cookie.parse(header) for header in set_cookies]
    if not call.cookie_values:
        cookies = [Cookie(c.name, "" if c.value else "(empty)", c.attributes) for c in cookies]
    if len(cookies) == len(call.cookies) and set(cookies) == call.cookies:
        return []
    shown = sorted((c.name, c.value, sorted(c.attributes)) for c in cookies)
    return [f"cookies {shown} != reference"]


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
    # A 304 has no content: every app here sends neither header (RFC 9110 15.4.5 would
    # allow a Content-Length equal to the 200's, but the apps must do the same work).
    if call.status == 304:
        content = [(n.decode(), v) for n, v in headers if n in (b"content-type", b"content-length")]
        if content:
            problems.append(f"{where}: a 304 with content headers {content}")
    else:
        problems += _content_headers(call, response, headers)
        if lengths == [str(len(response.body)).encode()] and len(response.body) != len(call.body):
            notes.append(f"content-length {len(response.body)} (reference {len(call.body)})")

    for name, value in call.response_headers:
        got = [v for n, v in headers if n == name]
        if got != [value]:
            problems.append(f"{where}: header {name.decode()} {got} != [{value!r}]")

    raw = [v.decode("latin-1") for n, v in headers if n == b"set-cookie"]
    problems += [f"{where}: {problem}" for problem in cookie_problems(call, raw)]
    if raw:
        notes.append(SENT + " | ".join(sorted(raw)))

    custom = {name for name, _ in call.response_headers}
    extra = {n.decode() for n in counts if n not in STANDARD and n not in custom}
    return problems, notes, extra


def _shown(note: str, notes: list[str]) -> bool:
    """Whether the cookies of another request of the scenario are shown already (once is enough)."""
    return note.startswith(SENT) and any(other.startswith(SENT) for other in notes)


SENT = "set-cookie as sent: "
NOT_APPLICABLE = "not applicable: the framework's module has no app for this scenario"


async def verify_scenario(
    app: ASGIApp, scenario: Scenario, state: dict[str, Any]
) -> dict[str, Any]:
    problems: list[str] = []
    notes: list[str] = []
    extra: set[str] = set()
    try:
        done, calls = await run_setup(app, scenario, state)
        for call in calls:
            done.append((call, await capture(app, call, state)))
    except Exception:
        problems.append(f"{scenario.key}: {traceback.format_exc(limit=3)}")
        done = []
    for call, response in done:
        p, n, e = check(call, response)
        problems += p
        notes += [x for x in n if x not in notes and not _shown(x, notes)]
        extra |= e
    return {
        "ok": not problems,
        "problems": problems[:5] + ([f"... {len(problems) - 5} more"] * (len(problems) > 5)),
        "notes": notes,
        "extra_headers": sorted(extra),
    }


async def verify_framework(framework: str) -> dict[str, dict[str, Any]]:
    cells: dict[str, dict[str, Any]] = {}
    lifespans: dict[str, Lifespan] = {}  # one per app of the module, started when first used
    try:
        for key, scenario in SCENARIOS.items():
            app = scenario_app(framework, scenario)
            if app is None:
                cells[key] = {"ok": False, "na": True, "problems": [], "notes": [NOT_APPLICABLE],
                              "extra_headers": []}  # fmt: skip
                continue
            if scenario.app not in lifespans:
                lifespans[scenario.app] = Lifespan(app)
                await lifespans[scenario.app].startup()
            cells[key] = await verify_scenario(app, scenario, lifespans[scenario.app].state)
    finally:
        for lifespan in lifespans.values():
            await lifespan.shutdown()
    return cells


async def verify_all(frameworks: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in frameworks:
        try:
            results[name] = await verify_framework(name)
        except Exception:
            error = traceback.format_exc(limit=5)
            results[name] = {
                key: {
                    "ok": False,
                    "problems": [f"app failed: {error}"],
                    "notes": [],
                    "extra_headers": [],
                }
                for key in SCENARIOS
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
            status = "n/a " if cell.get("na") else "ok  " if cell["ok"] else "FAIL"
            failures += not cell["ok"] and not cell.get("na")
            extra = ", ".join(cell["extra_headers"]) or "-"
            print(f"{status} {fw:<13} {key}  extra headers: {extra}  {'; '.join(cell['notes'])}")
            for problem in cell["problems"]:
                print(f"       {problem}")
    print(f"verify: {failures} failing cell(s); failing cells are excluded from timing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
