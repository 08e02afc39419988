"""In-process benchmark: each ASGI app called directly, no server, on a uvloop event loop.

Frameworks are interleaved: every round runs one batch of N requests per
(scenario, framework), in an order rotated each round, so drift of the machine
(thermal, noisy neighbours) spreads over all frameworks alike. The result per
cell is the median over rounds of µs/request. Only cells that passed
`verify.py` are timed. A scenario with setup requests (S7) gets them once per
framework before timing, and every timed request carries the cookies they left.

Usage: python inprocess.py [--rounds 30] [--requests 2000] [--warmup 2] [--frameworks a,b]
                           [--scenarios S1,S6]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import uvloop

from harness import (
    ASGIApp,
    Lifespan,
    Prepared,
    Receive,
    Scope,
    Send,
    Sink,
    prepare,
    run_setup,
    scenario_app,
    timed_loop,
)
from scenarios import SCENARIOS

HERE = Path(__file__).parent
NOOP_BODY = b'{"id":42,"name":"item 42","price":9.5}'


async def noop_app(scope: Scope, receive: Receive, send: Send) -> None:
    """A constant response: what the harness itself costs per request."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"38")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": NOOP_BODY})


Where = tuple[str, str]  # (framework, Scenario.app)


async def load(
    passed: dict[str, list[str]], keys: list[str]
) -> tuple[dict[Where, ASGIApp], dict[Where, Lifespan], dict[tuple[str, str], list[Prepared]]]:
    """The apps (started), and the prepared requests of each (scenario, framework) cell.

    Most scenarios share a module's `app`. A scenario with setup requests gets
    them here, once per framework, so its timed requests carry that
    framework's own cookies.
    """
    apps: dict[Where, ASGIApp] = {}
    for fw, fw_keys in passed.items():
        for key in keys:
            scenario = SCENARIOS[key]
            app = scenario_app(fw, scenario) if key in fw_keys else None
            if app is not None:
                apps[fw, scenario.app] = app
    lifespans = {where: Lifespan(app) for where, app in apps.items()}
    for lifespan in lifespans.values():
        await lifespan.startup()
    shared = {k: prepare(SCENARIOS[k].calls) for k in keys}
    prepared = {(key, "_harness"): shared[key] for key in keys}
    for (fw, attribute), app in apps.items():
        for key in keys:
            scenario = SCENARIOS[key]
            if scenario.app != attribute or key not in passed[fw]:
                continue
            prepared[key, fw] = shared[key]
            if scenario.setup:
                _, calls = await run_setup(app, scenario, lifespans[fw, attribute].state)
                prepared[key, fw] = prepare(calls)
    return apps, lifespans, prepared


async def run(
    passed: dict[str, list[str]], rounds: int, requests: int, warmup: int, keys: list[str]
) -> dict[str, Any]:
    apps, lifespans, prepared = await load(passed, keys)
    names = [*passed, "_harness"]
    samples: dict[str, dict[str, list[float]]] = {fw: {} for fw in names}
    bad: dict[str, int] = {}

    # Everything imported so far is long-lived: keep the collector from rescanning it.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    for round_ in range(warmup + rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for key in keys:
            for fw in order:
                if (key, fw) not in prepared:
                    continue
                sink = Sink()
                if fw == "_harness":
                    app, state = noop_app, {}
                else:
                    where = (fw, SCENARIOS[key].app)
                    app, state = apps[where], lifespans[where].state
                seconds = await timed_loop(app, prepared[key, fw], requests, state, sink)
                if sink.bad:
                    bad[f"{fw} {key}"] = bad.get(f"{fw} {key}", 0) + sink.bad
                if round_ >= warmup:
                    samples[fw].setdefault(key, []).append(seconds / requests * 1e6)
        elapsed = time.perf_counter() - started
        print(f"  round {round_ + 1}/{warmup + rounds} done ({elapsed:.0f} s)", flush=True)
    for lifespan in lifespans.values():
        await lifespan.shutdown()

    medians = {
        fw: {key: statistics.median(values) for key, values in by_key.items()}
        for fw, by_key in samples.items()
    }
    harness = medians.pop("_harness")
    samples.pop("_harness")
    return {
        "config": {
            "rounds": rounds,
            "requests_per_batch": requests,
            "warmup_rounds": warmup,
            "event_loop": "uvloop",
            "cpu_affinity": sorted(os.sched_getaffinity(0)),
            "scenarios": keys,
        },
        "harness_us": harness,
        "median_us": medians,
        "samples_us": samples,
        "non_200": bad,
    }


def ratio_table(medians: dict[str, dict[str, float]], base: str) -> dict[str, dict[str, float]]:
    floor = medians.get(base, {})
    return {
        fw: {k: v / floor[k] for k, v in by_key.items() if k in floor}
        for fw, by_key in medians.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--requests", type=int, default=2000, help="requests per batch")
    parser.add_argument("--warmup", type=int, default=2, help="rounds discarded first")
    parser.add_argument("--cpu", type=int, default=0, help="pin to this CPU (-1: no pinning)")
    parser.add_argument("--verify", type=Path, default=HERE / "results" / "verify.json")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "inprocess.json")
    parser.add_argument(
        "--frameworks", default="", help="comma-separated subset to time (default: all that passed)"
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated subset (default: all)"
    )
    args = parser.parse_args()
    keys = args.scenarios.split(",")
    unknown = [key for key in keys if key not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}: choose from {list(SCENARIOS)}")
    if args.cpu >= 0:
        os.sched_setaffinity(0, {args.cpu})
    passed: dict[str, list[str]] = json.loads(args.verify.read_text())["passed"]
    if args.frameworks:
        wanted = args.frameworks.split(",")
        passed = {fw: keys for fw, keys in passed.items() if fw in wanted}
    result = uvloop.run(run(passed, args.rounds, args.requests, args.warmup, keys))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))

    medians = result["median_us"]
    header = f"{'µs/request':<13}" + "".join(f"{k:>9}" for k in keys)
    print(header)
    for fw, by_key in medians.items():
        print(f"{fw:<13}" + "".join(f"{by_key.get(k, float('nan')):9.2f}" for k in keys))
    print("harness      " + "".join(f"{result['harness_us'][k]:9.2f}" for k in keys))
    for base in ("raw_asgi", "raw_pydantic", "fastapi"):
        print(f"ratio to {base}:")
        for fw, ratios in ratio_table(medians, base).items():
            print(f"  {fw:<13}" + "".join(f"{ratios.get(k, float('nan')):9.2f}" for k in keys))
    if result["non_200"]:
        print(f"NON-200 RESPONSES DURING TIMING: {result['non_200']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
