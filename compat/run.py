"""Run FastAPI's own test suite against real FastAPI, then against Transom.

    python3 compat/run.py                   # everything; writes RESULTS.md and results/
    python3 compat/run.py --only security   # one area, a file pattern, or a test id

Steps: download FastAPI's source distribution at `FASTAPI_VERSION` by name with
pip into `compat/.cache/` and unpack its `tests/`, `docs_src/` and the
`pyproject.toml` that holds its pytest configuration (afresh for each side, as
some tests leave files in the working directory); build `compat/.venv/` from
`compat/requirements.txt` plus Transom installed editable from this repository;
run the suite with real FastAPI, then with `compat/shim/` first on `PYTHONPATH`
so that `fastapi` and `starlette` are Transom; score, compare with the previous
saved run, and write the report. Nothing of FastAPI is kept in the repository.
Standard library only; runs on the Python that starts it (3.11+).
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from collections import Counter
from collections.abc import Sequence

from areas import AREA_NAMES, area_of
from causes import INTERNAL, Outcome, outcomes_from, private_imports
from report import changes_between, load_outcomes, render, save_outcomes, score

FASTAPI_VERSION = "0.141.1"
HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
VENV = HERE / ".venv"
RESULTS = HERE / "results"
#: What the suite needs from the sdist: tests, the apps they import, pytest's config.
UNPACKED = ("tests", "docs_src", "pyproject.toml")


def log(message: str) -> None:
    print(f"[compat] {message}", flush=True)


def fetch_archive() -> pathlib.Path:
    """FastAPI's source distribution, fetched by name once, then reused from the cache."""
    archive = CACHE / f"fastapi-{FASTAPI_VERSION}.tar.gz"
    if not archive.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        log(f"downloading FastAPI {FASTAPI_VERSION}'s source distribution")
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"),
                *(f"fastapi=={FASTAPI_VERSION}", "--dest", str(CACHE), "--quiet"),
            ],
            check=True,
        )
    return archive


def unpack_suite(archive: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """A fresh copy of the suite in `dest`, so no run sees files an earlier run left.

    Some tests write into the working directory (`static/`, `templates/`, `log.txt`)
    and clean up only when they pass.
    """
    staging = dest.with_name(dest.name + ".staging")
    shutil.rmtree(dest, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    prefix = f"fastapi-{FASTAPI_VERSION}/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.removeprefix(prefix).startswith(UNPACKED)]
        tar.extractall(staging, members=members, filter="data")
    # Never unpack the sdist's own `fastapi/` package: pytest puts the suite's root on
    # sys.path first, where it would shadow both real FastAPI and the shim.
    (staging / prefix).rename(dest)
    staging.rmdir()
    return dest


def venv_python() -> pathlib.Path:
    return VENV / "bin" / "python"


def ensure_venv() -> pathlib.Path:
    """`compat/.venv` with the pinned requirements and Transom from this repo (editable)."""
    requirements = HERE / "requirements.txt"
    stamp = VENV / "compat-stamp"
    wanted = hashlib.sha256(requirements.read_bytes() + str(ROOT).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return venv_python()
    if not venv_python().exists():
        log("creating compat/.venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    log("installing compat/requirements.txt and Transom (editable) into compat/.venv")
    pip = [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(requirements)], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    stamp.write_text(wanted)
    return venv_python()


def select(suite: pathlib.Path, pattern: str | None) -> list[str]:
    """Pytest arguments for `--only`: an area name, a test id, or a file path pattern."""
    if pattern is None:
        return ["tests"]
    if "::" in pattern:
        return [pattern]
    files = sorted(p.relative_to(suite).as_posix() for p in (suite / "tests").rglob("test_*.py"))
    if pattern.lower() in (name.lower() for name in AREA_NAMES):
        chosen = [f for f in files if area_of(f).lower() == pattern.lower()]
    else:
        glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
        chosen = [f for f in files if fnmatch.fnmatch(f, glob)]
    if not chosen:
        raise SystemExit(
            f"--only {pattern!r} matches no test file (areas: {', '.join(AREA_NAMES)})."
        )
    return chosen


def selected(test_id: str, targets: Sequence[str]) -> bool:
    """Whether `test_id` is one of the pytest `targets` (files, test ids, or `tests`)."""
    file = test_id.split("::", 1)[0]
    return any(t in ("tests", test_id, file) for t in targets)


def run_suite(
    side: str, python: pathlib.Path, targets: list[str], args: argparse.Namespace
) -> list[dict[str, object]]:
    """Run pytest on the suite for `side` ("fastapi" or "transom"); the plugin's records."""
    out_dir = CACHE / "runs" / side
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    suite = unpack_suite(fetch_archive(), out_dir / f"suite-{FASTAPI_VERSION}")
    paths = [HERE / "plugin"] if side == "fastapi" else [HERE / "shim", HERE / "plugin"]
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST", "VIRTUAL_ENV"))
    }
    env |= {
        "PYTHONPATH": os.pathsep.join(map(str, paths)),
        "COMPAT_OUTCOMES": str(out_dir / "records"),
    }
    command = [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-p", "compat_outcomes"]
    command += ["-q", "--no-header", "-rN", f"--timeout={args.timeout}"]
    if args.jobs > 1:
        command += ["-n", str(args.jobs)]
    logfile = out_dir / "pytest.log"
    log(f"running the suite against {side}; log: {logfile.relative_to(ROOT)}")
    started = time.monotonic()
    with logfile.open("w") as stream:
        code = subprocess.run(
            [*command, *targets], cwd=suite, env=env, stdout=stream, stderr=subprocess.STDOUT
        ).returncode
    tail = logfile.read_text(errors="replace").strip().splitlines()[-1:] or [""]
    log(f"{side}: {tail[0]} (exit {code}, {time.monotonic() - started:.0f} s)")
    if code not in (0, 1):
        raise SystemExit(f"pytest did not complete against {side} (exit {code}); see {logfile}.")
    records: list[dict[str, object]] = []
    for part in sorted(out_dir.glob("records.*")):
        records += [json.loads(line) for line in part.read_text().splitlines() if line]
    return records


def needing_internals(suite: pathlib.Path, broken: dict[str, Outcome]) -> dict[str, Outcome]:
    """`broken` (modules that failed to import), with the cause of each module that
    imports FastAPI's private names or internal modules set to that (see causes.py)."""
    result = dict(broken)
    for file, (outcome, _) in broken.items():
        path = suite / file
        if path.is_file() and (names := private_imports(path.read_text(encoding="utf-8"))):
            result[file] = (outcome, f"{INTERNAL}: {', '.join(names)}")
    return result


def load_expected() -> dict[str, str]:
    data = tomllib.loads((HERE / "expected-differences.toml").read_text(encoding="utf-8"))
    return {str(entry["test"]): str(entry["reason"]) for entry in data.get("difference", [])}


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout


def transom_version() -> str:
    """Which Transom was measured: the last commit that changed `src/`."""
    commit = git("log", "-1", "--format=%h", "--", "src").strip() or "unknown"
    dirty = " with uncommitted changes in src/" if git("status", "--porcelain", "--", "src") else ""
    return f"at {commit} (last commit to src/){dirty}"


def shout(regressions: Sequence[tuple[str, str]]) -> None:
    bar = "!" * 72
    print(f"\n{bar}\n{len(regressions)} REGRESSION(S): passed in the last run, fail now\n{bar}")
    for test_id, cause in regressions:
        print(f"  {test_id}\n      {cause}")
    print(bar + "\n", flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 compat/run.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--only",
        metavar="PATTERN",
        help="an area name, a file path pattern, or a test id; prints a summary and writes nothing",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="pytest-xdist workers (default 2; 1 for none)"
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=20,
        help="seconds per test (default 20, as FastAPI's own config)",
    )
    parser.add_argument(
        "--reuse-fastapi",
        action="store_true",
        help="score against compat/results/fastapi.json instead of running real FastAPI",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    suite = unpack_suite(fetch_archive(), CACHE / f"suite-{FASTAPI_VERSION}")
    python = ensure_venv()
    targets = select(suite, args.only)
    if args.reuse_fastapi:
        fastapi = load_outcomes(RESULTS / "fastapi.json")
        fastapi = {k: v for k, v in fastapi.items() if selected(k, targets)}
    else:
        fastapi_tests, fastapi_broken = outcomes_from(run_suite("fastapi", python, targets, args))
        fastapi = fastapi_tests | {
            f: o for f, o in fastapi_broken.items() if f not in fastapi_tests
        }
    transom_tests, transom_broken = outcomes_from(run_suite("transom", python, targets, args))
    transom_broken = needing_internals(suite, transom_broken)
    result = score(fastapi, transom_tests, transom_broken, load_expected())
    previous = load_outcomes(RESULTS / "transom.json")
    changes = changes_between(previous, result.transom)
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    total, passes = len(result.counted), result.passes()
    share = 100 * passes / max(total, 1)
    expected = result.expected_count()
    internals = result.internals_count()
    public = 100 * passes / max(total - internals, 1)
    log(f"FastAPI passes {total}; Transom passes {passes} ({share:.1f}%), {expected} expected")
    log(f"{internals} need FastAPI's internals; of the public-API tests {public:.1f}% pass")
    log(f"wall time {minutes} min {seconds} s")
    if not args.only:
        meta = {
            "command": "python3 compat/run.py",
            "fastapi": FASTAPI_VERSION,
            "transom": transom_version(),
            "wall": f"{minutes} min {seconds} s",
        }
        (HERE / "RESULTS.md").write_text(render(result, changes, meta), encoding="utf-8")
        save_outcomes(RESULTS / "fastapi.json", fastapi)
        save_outcomes(RESULTS / "transom.json", result.transom)
        log("wrote compat/RESULTS.md and compat/results/")
    else:
        for cause, count in Counter(c for _, c in result.failures().values()).most_common(15):
            print(f"  {count:5d}  {cause}")
    log(f"since the last run: {len(changes.regressions)} regression(s), {len(changes.fixed)} fixed")
    if changes.regressions:
        shout(changes.regressions)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
