#!/usr/bin/env bash
# The benchmark suite in one command (see bench/README.md):
#
#   bash bench/run.sh            # full run, about 22 minutes on 2 cores
#   bash bench/run.sh --quick    # tiny rounds, a smoke check in under 2 minutes
#
# Creates bench/.venv (transom from this checkout, editable, plus
# bench/requirements.txt), installs wrk with apt-get if it is missing, snapshots
# src/transom (the run measures the source as it was when it started), then runs:
# verify.py (every app answers every scenario exactly alike, failing cells are
# not timed), inprocess.py, wire.py (uvicorn on CPU 0, wrk on CPU 1, 127.0.0.1
# only), startup.py, body_memory.py, upload_memory.py, and report.py, which
# writes bench/RESULTS.md and bench/ratios.png. Raw numbers go to
# bench/results/*.json.
set -euo pipefail

MODE=full
for arg in "$@"; do
  case "$arg" in
    --quick) MODE=quick ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (use --quick or nothing)" >&2; exit 2 ;;
  esac
done

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
cd "$ROOT"
VENV="bench/.venv"
PY="$VENV/bin/python"
START=$SECONDS

# 1. The virtualenv, reinstalled only when the requirements or transom's metadata change.
if [[ ! -x "$PY" ]]; then
  python3 -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 needed"'
  echo "== creating $VENV"
  python3 -m venv "$VENV"
fi
STAMP="$VENV/.bench-installed"
WANT="$(cat bench/requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" ]]; then
  echo "== installing transom (editable) and bench/requirements.txt into $VENV"
  # pip's warnings about this machine's unused local index paths are noise here.
  "$PY" -m pip install -q -e . -r bench/requirements.txt 2>&1 | grep -v "is ignored: it is neither" || true
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "pip install failed" >&2; exit 1; }
  echo "$WANT" >"$STAMP"
fi

# 2. wrk and taskset.
if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "wrk is missing and this is not root: install it (apt-get install wrk)" >&2
    exit 1
  fi
  echo "== installing wrk"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
command -v taskset >/dev/null || { echo "taskset (util-linux) is missing" >&2; exit 1; }

# 3. A snapshot of transom's source, so that edits made while the suite runs (it
#    starts a fresh server per cell) cannot mix two versions into one result.
SNAPSHOT="$ROOT/$VENV/transom-snapshot"
rm -rf "$SNAPSHOT"
mkdir -p "$SNAPSHOT"
cp -r src/transom "$SNAPSHOT/"
export PYTHONPATH="$SNAPSHOT${PYTHONPATH:+:$PYTHONPATH}"
"$PY" -c 'import sys, transom; assert transom.__file__.startswith(sys.argv[1]), transom.__file__' \
  "$SNAPSHOT"

# 4. The benchmarks.
if [[ $MODE == quick ]]; then
  INPROCESS=(--rounds 3 --requests 200 --warmup 1)
  WIRE=(--duration 1 --warmup 0 --rounds 1)
  STARTUP=(--repeat 1 --requests 20000 --sample-every 5000)
  BODY_MEMORY=(--repeat 1 --mib 4)
  UPLOAD_MEMORY=(--repeat 1 --mib 16)
else
  INPROCESS=(--rounds 30 --requests 2000 --warmup 2)
  WIRE=(--duration 3 --warmup 2 --rounds 8)
  STARTUP=(--repeat 3 --requests 1000000 --sample-every 100000)
  BODY_MEMORY=(--repeat 3 --mib 64)
  UPLOAD_MEMORY=(--repeat 3 --mib 200)
fi

mkdir -p bench/results
COMMANDS=bench/results/commands.txt
echo "bash bench/run.sh$([[ $MODE == quick ]] && echo ' --quick')   # from the repository root, runs:" >"$COMMANDS"
cut -d' ' -f1-3 /proc/loadavg >bench/results/load_start.txt
{
  echo "git $(git rev-parse --short HEAD 2>/dev/null || echo '?')," \
    "$(git status --porcelain -- src 2>/dev/null | wc -l) uncommitted change(s) under src/," \
    "snapshot taken $(date -u '+%Y-%m-%d %H:%M:%S UTC')," \
    "sha256 of its .py files $(cd "$SNAPSHOT" && find transom -name '*.py' | sort | xargs sha256sum | sha256sum | cut -c1-12)"
} >bench/results/source.txt
FAILED=()
step() {
  local name=$1
  shift
  echo "== $name ($((SECONDS - START)) s): $*"
  echo "$*" >>"$COMMANDS"
  "$@" || FAILED+=("$name")
}

step verify "$PY" bench/verify.py
step inprocess "$PY" bench/inprocess.py "${INPROCESS[@]}"
step wire "$PY" bench/wire.py "${WIRE[@]}"
step startup "$PY" bench/startup.py "${STARTUP[@]}"
step body_memory "$PY" bench/body_memory.py "${BODY_MEMORY[@]}"
step upload_memory "$PY" bench/upload_memory.py "${UPLOAD_MEMORY[@]}"
step report "$PY" bench/report.py --mode "$MODE"

echo "== done in $((SECONDS - START)) s: bench/RESULTS.md, bench/ratios.png"
if ((${#FAILED[@]})); then
  echo "failed steps: ${FAILED[*]}" >&2
  exit 1
fi
