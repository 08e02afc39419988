"""Instructions per request, counted by valgrind: a steady measure on a noisy machine.

Wall-clock medians on a shared machine move by 20-40% with outside load; the
number of instructions the CPU executes per request does not. For each
(framework, scenario) this runs the app in process twice under
`valgrind --tool=callgrind`, with a short and a long run of requests, and
reports (long - short) / (long_n - short_n): startup and imports cancel out.

Usage: python instructions.py [--frameworks transom,raw_pydantic] [--scenarios S1,S2]
                              [--short 200] [--long 1200]

Needs valgrind (`apt-get install valgrind`). Not part of `run.sh`: it is the
tool for checking one change to the request path, a minute per cell. S6 (the
256 KiB multipart upload, some 20 times S1's work per request) is left out of
the default scenarios to keep a default run short; `--scenarios S6` counts it
(S7 too: `--scenarios S7`, after its setup requests, with their cookies; and
S10: `--scenarios S10`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
_TOTAL = re.compile(rb"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


def _child(framework: str, scenario: str, n: int) -> None:
    """Run `n` requests of `scenario` against `framework` (inside valgrind)."""
    from harness import Lifespan, Sink, prepare, run_setup, scenario_app, timed_loop
    from scenarios import SCENARIOS

    async def main() -> None:
        app = scenario_app(framework, SCENARIOS[scenario])
        if app is None:
            raise SystemExit(f"{framework} has no app for {scenario}")
        lifespan = Lifespan(app)
        await lifespan.startup()
        _, calls = await run_setup(app, SCENARIOS[scenario], lifespan.state)
        prepared = prepare(calls)
        sink = Sink()
        await timed_loop(app, prepared, 50, lifespan.state, sink)  # warm caches first
        await timed_loop(app, prepared, n, lifespan.state, sink)
        await lifespan.shutdown()
        if sink.bad:
            raise SystemExit(f"{framework} {scenario}: {sink.bad} responses were not 200 or 304")

    asyncio.run(main())


def _count(framework: str, scenario: str, n: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--child",
                framework,
                scenario,
                str(n),
            ],
            check=True,
            capture_output=True,
            cwd=HERE,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        match = _TOTAL.search(out.read_bytes())
        assert match is not None, "no total in callgrind output"
        return int(match.group(1))


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        sys.path.insert(0, str(HERE))
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frameworks", default="transom")
    parser.add_argument("--scenarios", default="S1,S2,S3,S4,S5")
    parser.add_argument("--short", type=int, default=200)
    parser.add_argument("--long", type=int, default=1200)
    args = parser.parse_args()
    scenarios = args.scenarios.split(",")
    print(f"{'instructions':<13}" + "".join(f"{k:>9}" for k in scenarios), flush=True)
    for framework in args.frameworks.split(","):
        cells = []
        for scenario in scenarios:
            short = _count(framework, scenario, args.short)
            long = _count(framework, scenario, args.long)
            cells.append((long - short) / (args.long - args.short))
        print(f"{framework:<13}" + "".join(f"{c / 1000:8.1f}k" for c in cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
