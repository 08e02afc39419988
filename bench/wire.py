"""Over-the-wire benchmark: uvicorn (httptools, uvloop, 1 worker) on CPU 0, wrk on CPU 1.

For every scenario, and every framework in an order rotated per scenario, a
fresh uvicorn serves the app on 127.0.0.1; one request per distinct call is
checked over HTTP, wrk warms it up, then wrk measures (`-t1 -c32 --latency`,
a Lua script for headers, the POST body and the spread of S5's 200 paths).
The server is stopped after each run. Only cells that passed `verify.py` run.
The whole grid runs `--passes` times and each cell keeps its best pass: on a
shared machine, outside load only ever lowers a run's req/s.

Usage: python wire.py [--duration 10] [--warmup 2] [--connections 32] [--passes 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scenarios import FRAMEWORKS, SCENARIOS, Scenario

HERE = Path(__file__).parent
HOST = "127.0.0.1"
SERVER_CPU = "0"
CLIENT_CPU = "1"


def lua_string(data: bytes | str) -> str:
    text = data.decode() if isinstance(data, bytes) else data
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_script(scenario: Scenario) -> str:
    """The wrk script: method, headers and body of the scenario, and its paths round-robin."""
    first = scenario.calls[0]
    lines = [f"wrk.method = {lua_string(first.method)}"]
    for name, value in first.headers:
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if first.request_body:
        lines.append(f"wrk.body = {lua_string(first.request_body)}")
    if len(scenario.calls) > 1:
        paths = ",\n  ".join(lua_string(call.target) for call in scenario.calls)
        lines += [
            f"local paths = {{\n  {paths}\n}}",
            "local i = 0",
            "request = function()",
            "  i = i % #paths + 1",
            "  return wrk.format(nil, paths[i])",
            "end",
        ]
    return "\n".join(lines) + "\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(target: str, port: int) -> list[str]:
    return [
        "taskset", "-c", SERVER_CPU,
        sys.executable, "-m", "uvicorn", target,
        "--app-dir", str(HERE),
        "--host", HOST, "--port", str(port),
        "--http", "httptools", "--loop", "uvloop",
        "--workers", "1", "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


def wrk_command(url: str, script: Path, duration: int, connections: int) -> list[str]:
    return [
        "taskset", "-c", CLIENT_CPU,
        "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
        "--latency", "-s", str(script), url,
    ]  # fmt: skip


def wait_ready(port: int, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start listening in time")


def check_over_http(port: int, scenario: Scenario) -> list[str]:
    """Send each distinct call once; return problems (status or body differing)."""
    problems = []
    for call in scenario.calls:
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        conn.request(call.method, call.target, body=call.request_body or None, headers={
            name.decode(): value.decode() for name, value in call.headers
        })  # fmt: skip
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != call.status or body != call.body:
            problems.append(f"{call.target}: {response.status} {body[:80]!r}")
    return problems


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unknown wrk time {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["rps"] = float(m.group(1))
    for pct in ("50", "75", "90", "99"):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M):
            result[f"p{pct}_ms"] = _ms(m.group(1))
    if m := re.search(r"^\s+(\d+) requests in ([\d.]+\w+)", output, re.M):
        result["requests"] = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result["non_2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors: (.*)", output):
        result["socket_errors"] = m.group(1).strip()
    return result


def run_cell(fw: str, scenario: Scenario, script: Path, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    command = server_command(FRAMEWORKS[fw], port)
    server = subprocess.Popen(command, cwd=HERE, stdin=subprocess.DEVNULL)
    try:
        wait_ready(port, server)
        problems = check_over_http(port, scenario)
        if problems:
            return {"error": "wrong response over HTTP: " + "; ".join(problems[:3])}
        url = f"http://{HOST}:{port}{scenario.calls[0].target}"
        timeout = max(args.duration, args.warmup) + 30
        if args.warmup:
            warm = wrk_command(url, script, args.warmup, args.connections)
            subprocess.run(warm, capture_output=True, check=True, timeout=timeout)
        measure = wrk_command(url, script, args.duration, args.connections)
        done = subprocess.run(measure, capture_output=True, text=True, check=True, timeout=timeout)
        result = parse_wrk(done.stdout)
        if "rps" not in result:
            result["error"] = "could not parse wrk output: " + done.stdout[-300:]
        elif result.get("non_2xx") or result.get("socket_errors"):
            result["error"] = (
                f"non-2xx: {result.get('non_2xx', 0)}, socket errors: {result.get('socket_errors')}"
            )
        if server.poll() is not None:
            result["error"] = f"server died during the run (exit {server.returncode})"
        return result
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        stop(server)


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The pass with the most req/s (outside load only ever lowers it), with every pass kept."""
    errors = [run["error"] for run in runs if "error" in run]
    good = [run for run in runs if "error" not in run]
    cell = dict(max(good, key=lambda run: run["rps"])) if good else {}
    if errors:
        cell["error"] = "; ".join(errors)
    cell["passes"] = [{k: run.get(k) for k in ("rps", "p99_ms", "error")} for run in runs]
    return cell


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before measuring")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--passes", type=int, default=2, help="runs per cell; the best is kept")
    parser.add_argument("--verify", type=Path, default=HERE / "results" / "verify.json")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "wire.json")
    args = parser.parse_args()
    passed: dict[str, list[str]] = json.loads(args.verify.read_text())["passed"]
    names = list(passed)
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    scripts = Path(tempfile.mkdtemp(prefix="transom-bench-"))
    for key, scenario in SCENARIOS.items():
        (scripts / f"{key}.lua").write_text(lua_script(scenario))
    started = time.monotonic()
    for pass_ in range(args.passes):
        for index, (key, scenario) in enumerate(SCENARIOS.items()):
            shift = (index + pass_ * 3) % len(names)
            for fw in names[shift:] + names[:shift]:
                if key not in passed[fw]:
                    continue
                cell = run_cell(fw, scenario, scripts / f"{key}.lua", args)
                runs.setdefault((fw, key), []).append(cell)
                shown = (
                    f"{cell['rps']:10.0f} req/s  p99 {cell['p99_ms']:7.2f} ms"
                    if "rps" in cell and "p99_ms" in cell
                    else ""
                )
                print(
                    f"  pass {pass_ + 1} {key} {fw:<13}{shown}  {cell.get('error', '')}"
                    f"  [{time.monotonic() - started:.0f} s]",
                    flush=True,
                )
    results: dict[str, dict[str, Any]] = {fw: {} for fw in names}
    for (fw, key), cell_runs in runs.items():
        results[fw][key] = best_of(cell_runs)
    example = scripts / "S5.lua"
    config = {
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connections": args.connections,
        "passes": args.passes,
        # Recorded relative to the repository root: no machine paths in the report.
        "server_command": shlex.join(server_command("apps.<framework>_app:app", 0))
        .replace("--port 0", "--port <free port>")
        .replace(sys.executable, "bench/.venv/bin/python")
        .replace(str(HERE), "bench"),
        "wrk_command": shlex.join(
            wrk_command(f"http://{HOST}:<port>/<path>", example, args.duration, args.connections)
        ).replace(str(scripts), "<tmp>"),
        "lua_scripts": {key: lua_script(s) for key, s in SCENARIOS.items() if key != "S5"},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"config": config, "results": results}, indent=2))
    for script in scripts.iterdir():
        script.unlink()
    scripts.rmdir()
    errors = [
        f"{fw} {k}" for fw, cells in results.items() for k, c in cells.items() if "error" in c
    ]
    if errors:
        print(f"wire: errors in {errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
