"""Startup and memory: building a 1,000-route app, its RSS, and RSS drift under load.

* build: in a fresh process per repetition, time building a Transom (and, for
  comparison, a FastAPI) app with 1,000 path operations: 500 static and 500
  parameterised, each with a dependency (itself taking a query parameter) and a
  response model; then the first request (which composes the middleware stack).
  RSS is read from /proc/self/status (VmRSS) after imports and after building.
* drift: in a fresh process, 10^6 in-process requests to the Transom bench app,
  mixing all five scenarios; RSS sampled (after `gc.collect()`) every 100,000
  requests; the slope is a least-squares fit over the samples after the first.

Usage: python startup.py [--repeat 3] [--requests 1000000] [--sample-every 100000]
"""

# No `from __future__ import annotations`: the endpoints below are built in a
# function, and their annotations must be objects, not names to resolve later.
import argparse
import gc
import importlib
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

from apps.models import Item
from harness import run_child

HERE = Path(__file__).parent
ROUTES = 1000


def rss_kib() -> int:
    """VmRSS of this process in KiB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def build_app(framework: str, routes: int) -> Any:
    """A `framework` app ('transom' or 'fastapi') with `routes` path operations."""
    module = importlib.import_module(framework)
    app = module.Transom() if framework == "transom" else module.FastAPI()
    query, depends = module.Query, module.Depends

    async def pagination(limit: Annotated[int, query()] = 10) -> int:
        return limit

    def static(i: int) -> Callable[..., Awaitable[Item]]:
        async def endpoint(limit: Annotated[int, depends(pagination)]) -> Item:
            return Item(id=i, name=f"item {i}", price=float(limit))

        return endpoint

    def param(i: int) -> Callable[..., Awaitable[Item]]:
        async def endpoint(x: int, limit: Annotated[int, depends(pagination)]) -> Item:
            return Item(id=x, name=f"item {i}", price=float(limit))

        return endpoint

    for i in range(routes // 2):
        app.get(f"/static/r{i}", response_model=Item)(static(i))
        app.get(f"/param/r{i}/{{x}}", response_model=Item)(param(i))
    return app


def child_build(framework: str) -> dict[str, Any]:
    import uvloop

    from harness import capture
    from scenarios import Call

    started = time.perf_counter()
    importlib.import_module(framework)
    import_s = time.perf_counter() - started
    gc.collect()
    rss_before = rss_kib()
    started = time.perf_counter()
    app = build_app(framework, ROUTES)
    build_s = time.perf_counter() - started
    gc.collect()
    rss_after = rss_kib()
    call = Call("GET", "/param/r499/7", b'{"id":7,"name":"item 499","price":10.0}')
    started = time.perf_counter()
    response = uvloop.run(capture(app, call, {}))
    first_s = time.perf_counter() - started
    if (response.status, response.body) != (200, call.body):
        raise RuntimeError(f"unexpected first response {response.status} {response.body!r}")
    return {
        "import_s": import_s,
        "build_s": build_s,
        "first_request_s": first_s,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
    }


def child_drift(requests: int, every: int) -> dict[str, Any]:
    import uvloop

    from harness import Lifespan, Sink, load_app, prepare, timed_loop
    from scenarios import FRAMEWORKS, SCENARIOS

    fixed = [SCENARIOS[k].calls[0] for k in ("S1", "S2", "S3", "S4")]
    mixed = tuple(c for s5 in SCENARIOS["S5"].calls for c in (*fixed, s5))
    prepared = prepare(mixed)

    async def run() -> dict[str, Any]:
        app = load_app(FRAMEWORKS["transom"])
        lifespan = Lifespan(app)
        await lifespan.startup()
        sink = Sink()
        samples = [(0, rss_kib())]
        seconds = 0.0
        for done in range(every, requests + 1, every):
            seconds += await timed_loop(app, prepared, every, lifespan.state, sink)
            gc.collect()
            samples.append((done, rss_kib()))
        await lifespan.shutdown()
        return {"samples": samples, "seconds": seconds, "non_200": sink.bad}

    result: dict[str, Any] = uvloop.run(run())
    fit = result["samples"][1:]
    if len(fit) >= 2:
        xs = [n for n, _ in fit]
        ys = [kib for _, kib in fit]
        result["slope_kib_per_100k"] = statistics.linear_regression(xs, ys).slope * 100_000
    result["requests"] = requests
    result["sample_every"] = every
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per framework")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--sample-every", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "startup.json")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_build(rest[0]) if kind == "build" else child_drift(*map(int, rest))
        print(json.dumps(result))
        return 0

    out: dict[str, Any] = {"routes": ROUTES, "build": {}}
    for framework in ("transom", "fastapi"):
        runs = [run_child(__file__, "build", framework) for _ in range(args.repeat)]
        summary = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        summary["repeat"] = args.repeat
        out["build"][framework] = summary
        print(
            f"  {framework:<8} build {summary['build_s'] * 1000:7.0f} ms, first request "
            f"{summary['first_request_s'] * 1000:6.1f} ms, "
            f"RSS {summary['rss_before_kib'] / 1024:.1f} -> "
            f"{summary['rss_after_kib'] / 1024:.1f} MiB",
            flush=True,
        )
    drift = run_child(__file__, "drift", str(args.requests), str(args.sample_every))
    out["drift"] = drift
    print(
        f"  transom drift over {args.requests} requests: "
        f"{drift.get('slope_kib_per_100k', float('nan')):.1f} KiB per 100k requests; "
        f"RSS {drift['samples'][0][1] / 1024:.1f} -> {drift['samples'][-1][1] / 1024:.1f} MiB; "
        f"{drift['non_200']} non-200"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
