"""Write RESULTS.md and ratios.png from the JSON files in results/.

Usage: python report.py [--mode full|quick] [--commands results/commands.txt]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, NullLocator

from body_memory import section as body_memory_section
from scenarios import FRAMEWORKS, SCENARIOS
from upload_memory import section as upload_memory_section

HERE = Path(__file__).parent
RESULTS = HERE / "results"
PACKAGES = [
    "transom", "fastapi", "starlette", "litestar", "blacksheep", "uvicorn", "httptools",
    "uvloop", "pydantic", "pydantic-core", "msgspec", "anyio", "httpx", "matplotlib",
]  # fmt: skip
KEYS = list(SCENARIOS)
NAN = float("nan")


def _load(name: str) -> dict[str, Any]:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _run(*command: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, cwd=HERE)
    except (OSError, subprocess.SubprocessError):
        return "?"
    return (done.stdout or done.stderr).strip()


def machine() -> list[tuple[str, str]]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    start_file = RESULTS / "load_start.txt"
    load_start = start_file.read_text().strip() if start_file.exists() else "?"
    load_end = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    source_file = RESULTS / "source.txt"
    source = source_file.read_text().strip() if source_file.exists() else "?"
    return [
        ("nproc", _run("nproc")),
        ("CPU", cpu),
        ("memory", memory),
        ("kernel", platform.release()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("wrk", _run("wrk", "--version").splitlines()[0] if _run("wrk", "--version") else "?"),
        ("transom source (measured)", source),
        ("load average (1/5/15 min)", f"{load_start} at start, {load_end} at the end"),
    ]


def versions() -> list[tuple[str, str]]:
    found = []
    for name in PACKAGES:
        try:
            found.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            found.append((name, "not installed"))
    return found


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    lines[1] = "|---|" + "|".join("---:" for _ in header[1:]) + "|"
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(value: float, digits: int = 2) -> str:
    return "—" if value != value else f"{value:.{digits}f}"  # NaN check


def ratios(medians: dict[str, dict[str, float]], base: str) -> dict[str, dict[str, float]]:
    floor = medians.get(base, {})
    return {
        fw: {k: (v / floor[k]) if k in floor else NAN for k, v in cells.items()}
        for fw, cells in medians.items()
    }


def _verdict(cell: dict[str, Any] | None) -> str:
    if cell is None or cell.get("na"):
        return "n/a"
    return "pass" if cell["ok"] else "**FAIL**"


def verification_section(verify: dict[str, Any]) -> list[str]:
    cells = verify.get("cells", {})
    out = ["## Verification", ""]
    if not cells:
        return [*out, "No verification results.", ""]
    rows = [[fw] + [_verdict(c.get(k)) for k in KEYS] for fw, c in cells.items()]
    out += [table(["framework", *KEYS], rows), ""]
    out.append(
        "Checked for every request of every scenario: status, body bytes, `Content-Type`, "
        "`Content-Length`, the custom headers (exact values, exactly once) and each "
        "`Set-Cookie` as (name, value, set of lower-cased attributes). Failing cells are "
        "not timed."
    )
    out.append("")
    for fw, by_key in cells.items():
        for key, cell in by_key.items():
            for problem in cell["problems"]:
                out.append(f"- **{fw} {key} failed**: `{problem.strip()[:300]}`")
            for note in cell["notes"]:
                out.append(f"- {fw} {key}: {note}")
            if cell["extra_headers"]:
                out.append(f"- {fw} {key}: extra headers {', '.join(cell['extra_headers'])}")
    out.append("")
    return out


def inprocess_section(inproc: dict[str, Any]) -> list[str]:
    out = ["## In-process (ASGI app called directly, uvloop, no server)", ""]
    medians: dict[str, dict[str, float]] = inproc.get("median_us", {})
    if not medians:
        return [*out, "Not run.", ""]
    config = inproc["config"]
    out.append(
        f"{config['rounds']} rounds (after {config['warmup_rounds']} warm-up rounds) × "
        f"{config['requests_per_batch']} requests per (framework, scenario) batch, frameworks "
        f"interleaved and rotated each round; process pinned to CPU {config['cpu_affinity']}. "
        "Median over rounds of µs/request (lower is better)."
    )
    out.append("")
    rows = [[fw] + [fmt(cells.get(k, NAN)) for k in KEYS] for fw, cells in medians.items()]
    harness = inproc.get("harness_us", {})
    rows.append(["*(harness alone)*"] + [fmt(harness.get(k, NAN)) for k in KEYS])
    out += ["### µs/request (median)", "", table(["framework", *KEYS], rows), ""]
    spread = []
    for fw, by_key in inproc.get("samples_us", {}).items():
        for key, samples in by_key.items():
            ordered = sorted(samples)
            q1, q3 = ordered[len(ordered) // 4], ordered[(3 * len(ordered)) // 4]
            spread.append((q3 - q1) / medians[fw][key] * 100)
    if spread:
        out.append(
            f"Interquartile range across rounds: median {sorted(spread)[len(spread) // 2]:.1f}% "
            f"of the cell's median, worst {max(spread):.1f}%. Outside load only ever adds "
            "time, so the fastest round is shown too, as a check on the medians:"
        )
        out.append("")
        best = [
            [fw] + [fmt(min(by_key[k])) if k in by_key else "—" for k in KEYS]
            for fw, by_key in inproc["samples_us"].items()
        ]
        out += ["### µs/request (fastest round)", "", table(["framework", *KEYS], best), ""]
    for base, title in (
        ("raw_asgi", "ratio to raw ASGI (the floor)"),
        ("raw_pydantic", "ratio to raw ASGI + pydantic (the floor for pydantic frameworks)"),
        ("fastapi", "ratio to FastAPI (< 1 is faster than FastAPI)"),
    ):
        table_ratios = ratios(medians, base)
        rows = [[fw] + [fmt(r.get(k, NAN)) for k in KEYS] for fw, r in table_ratios.items()]
        out += [f"### {title}", "", table(["framework", *KEYS], rows), ""]
    if inproc.get("non_200"):
        out += [f"**Non-200 responses while timing:** {inproc['non_200']}", ""]
    return out


def wire_section(wire: dict[str, Any]) -> list[str]:
    out = ["## Over the wire (uvicorn + wrk on loopback)", ""]
    results: dict[str, dict[str, Any]] = wire.get("results", {})
    if not results:
        return [*out, "Not run.", ""]
    config = wire["config"]
    out.append(
        f"Per scenario, one uvicorn per framework on CPU 0 (idle ones cost nothing), wrk on "
        f"CPU 1 with {config['connections']} connections: each server checked over HTTP and "
        f"warmed up for {config['warmup_s']} s, then {config['rounds']} rounds in which every "
        f"framework gets one {config['duration_s']} s run, in an order rotated per round. "
        "req/s and p99 are medians over the rounds; the ratio to raw ASGI is the median of "
        "the ratios *within* each round, so outside load on this shared machine moves both "
        "sides of a ratio alike. Higher req/s is better."
    )
    out.append("")
    spreads = sorted(
        (high - low) / cell["ratio"] * 100
        for fw, cells in results.items()
        if fw != "raw_asgi"
        for cell in cells.values()
        if "ratio_range" in cell
        for low, high in [cell["ratio_range"]]
    )
    if spreads:
        out += [
            f"Spread of the per-round ratios (max - min, relative to the median): median "
            f"{spreads[len(spreads) // 2]:.1f}%, worst {spreads[-1]:.1f}% (every round is in "
            "`results/wire.json`).",
            "",
        ]
    header = ["framework"] + [f"{k} req/s" for k in KEYS]
    rps_rows, p99_rows, ratio_rows = [], [], []
    for fw, cells in results.items():
        rps_rows.append([fw] + [fmt(cells.get(k, {}).get("rps", NAN), 0) for k in KEYS])
        p99_rows.append([fw] + [fmt(cells.get(k, {}).get("p99_ms", NAN)) for k in KEYS])
        ratio_rows.append(
            [fw]
            + [
                fmt(
                    1.0
                    if fw == "raw_asgi" and "rps" in cells.get(k, {})
                    else cells.get(k, {}).get("ratio", NAN)
                )
                for k in KEYS
            ]
        )
    out += ["### requests/second", "", table(header, rps_rows), ""]
    out += ["### p99 latency (ms)", "", table(["framework", *KEYS], p99_rows), ""]
    out += ["### req/s ratio to raw ASGI", "", table(["framework", *KEYS], ratio_rows), ""]
    errors = [
        f"- {fw} {k}: {c['error']}"
        for fw, cells in results.items()
        for k, c in cells.items()
        if "error" in c
    ]
    if errors:
        out += ["Errors (cells shown as — or to be distrusted):", "", *errors, ""]
    return out


def startup_section(startup: dict[str, Any]) -> list[str]:
    out = ["## Startup and memory", ""]
    if not startup:
        return [*out, "Not run.", ""]
    rows = []
    for fw, b in startup.get("build", {}).items():
        rows.append(
            [
                fw,
                fmt(b["import_s"] * 1000, 0),
                fmt(b["build_s"] * 1000, 0),
                fmt(b["first_request_s"] * 1000, 1),
                fmt(b["rss_before_kib"] / 1024, 1),
                fmt(b["rss_after_kib"] / 1024, 1),
                fmt((b["rss_after_kib"] - b["rss_before_kib"]) / 1024, 1),
            ]
        )
    routes = startup.get("routes", "?")
    builds: list[dict[str, Any]] = list(startup.get("build", {}).values())
    repeat = builds[0]["repeat"] if builds else "?"
    out.append(
        f"An app with {routes} path operations (half static, half `/{{x}}`-parameterised, each "
        f"with a dependency taking a query parameter and a response model), built in a fresh "
        f"process; median of {repeat} processes. RSS is VmRSS from /proc/self/status."
    )
    out.append("")
    header = [
        "framework", "import ms", "build ms", "first request ms",
        "RSS before MiB", "RSS after MiB", "routes cost MiB",
    ]  # fmt: skip
    out += [table(header, rows), ""]
    drift = startup.get("drift")
    if drift:
        samples = drift["samples"]
        out.append(
            f"**RSS drift (transom)**: {drift['requests']:,} in-process requests to the bench app, "
            "all scenarios mixed, RSS sampled after `gc.collect()` every "
            f"{drift['sample_every']:,}: "
            f"slope **{drift.get('slope_kib_per_100k', NAN):.1f} KiB per 100k requests** "
            f"(least squares over the samples after the first); RSS "
            f"{samples[0][1] / 1024:.1f} MiB at start, {samples[1][1] / 1024:.1f} MiB after the "
            f"first sample, {samples[-1][1] / 1024:.1f} MiB at the end; "
            f"{drift['requests'] / drift['seconds']:,.0f} requests/s; {drift['non_200']} non-200."
        )
        out.append("")
        out.append(
            "Samples (requests, RSS MiB): "
            + ", ".join(f"{n:,}: {kib / 1024:.2f}" for n, kib in samples)
        )
        out.append("")
    return out


def chart(inproc: dict[str, Any], path: Path) -> bool:
    medians: dict[str, dict[str, float]] = inproc.get("median_us", {})
    if "raw_pydantic" not in medians:
        return False
    table_ratios = ratios(medians, "raw_pydantic")
    frameworks = [fw for fw in table_ratios if fw != "raw_pydantic"]
    fig, ax = plt.subplots(figsize=(11, 5.5), dpi=120)
    width = 0.8 / len(frameworks)
    colors = plt.get_cmap("tab10")
    for i, fw in enumerate(frameworks):
        xs = [k + (i - (len(frameworks) - 1) / 2) * width for k in range(len(KEYS))]
        ys = [table_ratios[fw].get(key, NAN) for key in KEYS]
        bars = ax.bar(xs, ys, width, label=fw, color=colors(i % 10))
        ax.bar_label(bars, labels=[fmt(y, 1) for y in ys], fontsize=6, padding=1)
    values = [v for r in table_ratios.values() for v in r.values() if v == v]
    if values and max(values) / min(values) > 8:
        ax.set_yscale("log")
        ticks = [
            t
            for t in (0.5, 1, 2, 3, 5, 10, 20, 30, 50, 100)
            if min(values) / 1.5 <= t <= max(values) * 1.5
        ]
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_yticklabels([f"{t:g}×" for t in ticks])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(KEYS)))
    ax.set_xticklabels([f"{k}\n{SCENARIOS[k].short}" for k in KEYS], fontsize=9)
    ax.set_ylabel("µs/request ÷ raw ASGI + pydantic (log scale)")
    ax.set_title("In-process cost per request relative to the raw+pydantic floor (lower is better)")
    ax.legend(fontsize=8, ncol=len(frameworks))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


HOW_TO_READ = """\
## How to read this

- **Same work everywhere.** `verify.py` checks byte-for-byte (cookies by attribute
  set) that each app answers each scenario like the reference before anything is
  timed; a failing cell is reported above and never timed.
- **raw_asgi** is a hand-written ASGI app with the standard library's `json`: the
  floor for any framework. **raw_pydantic** is the same app doing the pydantic work
  a FastAPI-style framework must do (validate the body from JSON bytes, validate the
  return value against the response type, `dump_json`). pydantic-core's JSON is
  faster than the standard library's, so raw_pydantic can beat raw_asgi (S4).
  "Ratio to raw+pydantic" is therefore the framework's own overhead factor.
- **In-process** numbers isolate framework overhead (routing, DI, validation,
  response building); the harness's own cost (fresh scope, `receive`, `send`) is
  shown as *(harness alone)* and is included in every row. **Over the wire**
  numbers add uvicorn's HTTP parsing and the kernel (about 115k instructions per
  request here, counted with callgrind on the server). Code runs at a lower
  instructions-per-cycle there than in the in-process loop, so absolute
  differences widen; ratios follow the ratio of instructions per request, server
  included, except where a scenario's data does not stay in the caches (S5's 200
  routes). See `docs/architecture.md`, speed notes.
- Handlers are `async def` everywhere (no thread pool). Starlette has no DI or
  response model: its handlers validate and serialise with pydantic by hand.
  BlackSheep has no response model either. Litestar drops `secret` with a DTO and
  adds `X-Dep` via a `Provide`d dependency whose value the handler passes to
  `Response`; BlackSheep adds it with a handler decorator.
- **S6** (a multipart form: 3 text fields and a 256 KiB file of random bytes) reaches
  each app as 64 KiB `http.request` messages, as a server reads it. Transom and
  FastAPI take `Form()` and `UploadFile` parameters, Starlette reads
  `request.form()`, Litestar binds a dataclass with `Body(media_type=MULTI_PART)`
  and reads the file to learn its size (its `UploadFile` keeps none), BlackSheep
  binds a dataclass with `FromForm`. Transom, FastAPI, Starlette and Litestar spool
  the file into a `SpooledTemporaryFile`. The floors feed the chunks to
  python-multipart's `MultipartParser` (the parser Transom, FastAPI and Starlette
  use) and only count the file's bytes: no framework can do less.
- Medians over interleaved rounds resist noise, but this is a shared 2-core
  machine: differences under ~5% are not meaningful. A *quick* run (`--quick`)
  uses tiny rounds and only checks that everything works: do not compare its
  numbers.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["full", "quick"], default="full")
    parser.add_argument("--commands", type=Path, default=RESULTS / "commands.txt")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--chart", type=Path, default=HERE / "ratios.png")
    args = parser.parse_args()
    verify, inproc, wire, startup = (_load(n) for n in ("verify", "inprocess", "wire", "startup"))
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# Transom benchmark results", ""]
    out.append(
        f"Generated {now} by `bash bench/run.sh{' --quick' if args.mode == 'quick' else ''}`."
    )
    if args.mode == "quick":
        out += [
            "",
            "> **Quick run** (smoke check with tiny rounds): these numbers are not for comparison.",
        ]
    out += ["", "## Machine", "", table(["", ""], [[k, v] for k, v in machine()]), ""]
    out += ["## Software", "", table(["package", "version"], [[k, v] for k, v in versions()]), ""]
    out += [f"Frameworks: {', '.join(FRAMEWORKS)} (apps in `bench/apps/`).", ""]
    out += ["## Commands", "", "```sh"]
    if args.commands.exists():
        out += args.commands.read_text().strip().splitlines()
    if wire:
        out += [
            "# each over-the-wire run (one per framework and scenario):",
            wire["config"]["server_command"],
            wire["config"]["wrk_command"],
        ]
    out += ["```", ""]
    if wire:
        out += [
            "wrk Lua scripts (S5's script also cycles through its 200 paths with `request()`):",
            "",
        ]
        for key, script in wire["config"]["lua_scripts"].items():
            out += [f"- {key}: `" + script.strip().replace("\n", "; ") + "`"]
        out.append("")
    out += ["## Scenarios", ""]
    out += [
        f"- **{k}**: {s.title} (`{s.calls[0].method} {s.calls[0].target}`)"
        for k, s in SCENARIOS.items()
    ]
    out.append("")
    out += verification_section(verify)
    has_chart = chart(inproc, args.chart)
    out += inprocess_section(inproc)
    if has_chart:
        out += ["![in-process ratios to raw+pydantic](ratios.png)", ""]
    out += wire_section(wire)
    out += startup_section(startup)
    out += body_memory_section(_load("body_memory"))
    out += upload_memory_section(_load("upload_memory"))
    out.append(HOW_TO_READ)
    args.out.write_text("\n".join(out))
    print(f"wrote {args.out}" + (f" and {args.chart}" if has_chart else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
