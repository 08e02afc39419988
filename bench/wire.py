"""Over-the-wire benchmark: uvicorn (httptools, uvloop, 1 worker) on CPU 0, wrk on CPU 1.

For every scenario, one uvicorn per framework serves the app on 127.0.0.1 (all
pinned to CPU 0; an idle server costs nothing). Each server is checked over
HTTP (one request per distinct call) and warmed up with wrk; then the scenario
runs in rounds: in every round each framework gets one wrk run (`-t1 -c32
--latency`, a Lua script for headers, the POST body, the spread of S5's 200
paths and S10's `If-None-Match` on every other request), in an order rotated
per round. The servers are stopped after the
scenario. Only cells that passed `verify.py` run. A scenario with setup
requests (S7) gets them over HTTP from each server first, and that server's
wrk script sends the cookies they left with every request.

A cell reports the median over rounds of req/s and p99, and its ratio to raw
ASGI is the median over rounds of the ratio *within* each round: runs seconds
apart share the machine's state, so a slow patch of outside load moves both
sides of a ratio alike instead of one cell alone.

Usage: python wire.py [--duration 3] [--warmup 2] [--connections 32] [--rounds 5]
                      [--scenarios S1,S6]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from scenarios import SCENARIOS, Call, Scenario, target, update_jar, with_cookies

HERE = Path(__file__).parent
HOST = "127.0.0.1"
SERVER_CPU = "0"
CLIENT_CPU = "1"


#: How each byte is written in a Lua string: printable ASCII as is (`\` and `"`
#: escaped), any other byte (S6's file is random bytes) as a decimal `\ddd`.
_LUA_BYTES = [chr(b) if 0x20 <= b < 0x7F else f"\\{b:03d}" for b in range(256)]
_LUA_BYTES[ord("\\")] = "\\\\"
_LUA_BYTES[ord('"')] = '\\"'


def lua_string(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return '"' + "".join([_LUA_BYTES[b] for b in raw]) + '"'


def lua_script(scenario: Scenario, shown: bool = False) -> str:
    """The wrk script: method, headers and body of the scenario, and its paths round-robin.

    With `shown`, a body over 1 KiB is named instead of written out, and so are
    the cookies of setup requests (for the report).
    """
    first = scenario.calls[0]
    lines = [f"wrk.method = {lua_string(first.method)}"]
    for name, value in first.headers:
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    if shown and scenario.setup:
        lines.append('wrk.headers["cookie"] = <the cookies this server set in the setup requests>')
    if shown and len(first.request_body) > 1024:
        size = len(first.request_body)
        lines.append(f"wrk.body = <the {size:,}-byte body of {scenario.key} in scenarios.py>")
    elif first.request_body:
        lines.append(f"wrk.body = {lua_string(first.request_body)}")
    if len(scenario.calls) > 1:
        paths = ",\n  ".join(lua_string(call.target) for call in scenario.calls)
        lines += [f"local paths = {{\n  {paths}\n}}", "local i = 0"]
        if all(call.headers == first.headers for call in scenario.calls):
            formatted = "wrk.format(nil, paths[i])"
        else:  # each call's own headers (S10's every other request revalidates)
            lines.append(f"local headers = {{\n  {lua_headers(scenario.calls)}\n}}")
            formatted = "wrk.format(nil, paths[i], headers[i])"
        lines += ["request = function()", "  i = i % #paths + 1", f"  return {formatted}", "end"]
    return "\n".join(lines) + "\n"


def lua_headers(calls: tuple[Call, ...]) -> str:
    """One Lua table of request headers per call (`wrk.format` sends those instead of
    `wrk.headers`; the calls of a scenario with setup requests carry its cookies)."""
    tables = []
    for call in calls:
        pairs = [f"[{lua_string(name)}] = {lua_string(value)}" for name, value in call.headers]
        tables.append("{" + ", ".join(pairs) + "}")
    return ",\n  ".join(tables)


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


def http_call(port: int, call: Call) -> tuple[int, bytes, list[str]]:
    """Send `call` once; its status, body and `Set-Cookie` values."""
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    conn.request(call.method, call.target, body=call.request_body or None, headers={
        name.decode(): value.decode() for name, value in call.headers
    })  # fmt: skip
    response = conn.getresponse()
    body = response.read()
    conn.close()
    set_cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
    return response.status, body, set_cookies


def check_over_http(port: int, scenario: Scenario) -> tuple[Scenario, list[str]]:
    """Send the setup calls, then each distinct call once.

    Returns the scenario as this server gets it (its calls carrying the cookies
    the setup left) and the problems (status or body differing).
    """
    problems = []
    jar: dict[str, str] = {}
    for call in scenario.setup:
        status, body, set_cookies = http_call(port, with_cookies(call, jar))
        if status != call.status or body != call.body:
            problems.append(f"setup {call.target}: {status} {body[:80]!r}")
        update_jar(jar, set_cookies)
    scenario = replace(scenario, calls=tuple(with_cookies(call, jar) for call in scenario.calls))
    for call in scenario.calls:
        status, body, _ = http_call(port, call)
        if status != call.status or body != call.body:
            problems.append(f"{call.target}: {status} {body[:80]!r}")
    return scenario, problems


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


class Server:
    """One uvicorn serving one framework's app, pinned to the server CPU."""

    def __init__(self, fw: str, scenario: Scenario) -> None:
        self.fw = fw
        self.port = free_port()
        command = server_command(target(fw, scenario), self.port)
        self.process = subprocess.Popen(command, cwd=HERE, stdin=subprocess.DEVNULL)
        #: The wrk script for this server (its own, when the scenario has setup requests).
        self.script: Path | None = None

    def url(self, scenario: Scenario) -> str:
        return f"http://{HOST}:{self.port}{scenario.calls[0].target}"

    def stop(self) -> None:
        stop(self.process)


def run_wrk(server: Server, scenario: Scenario, seconds: int, connections: int) -> dict[str, Any]:
    """One wrk run against `server`; the result, with `error` if anything went wrong."""
    assert server.script is not None, "the server was not checked"
    command = wrk_command(server.url(scenario), server.script, seconds, connections)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 30
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    result = parse_wrk(done.stdout)
    if "rps" not in result:
        result["error"] = "could not parse wrk output: " + done.stdout[-300:]
    elif result.get("non_2xx") or result.get("socket_errors"):
        result["error"] = (
            f"non-2xx: {result.get('non_2xx', 0)}, socket errors: {result.get('socket_errors')}"
        )
    if server.process.poll() is not None:
        result["error"] = f"server died during the run (exit {server.process.returncode})"
    return result


def start_servers(
    fws: list[str], scenario: Scenario, script: Path, args: argparse.Namespace
) -> tuple[dict[str, Server], dict[str, str]]:
    """Start, check and warm up one server per framework; return them and the failures.

    Every server runs `script`, except in a scenario with setup requests: there
    each gets its own script next to it, with the cookies its setup left.
    """
    servers = {fw: Server(fw, scenario) for fw in fws}
    failed: dict[str, str] = {}
    for fw, server in servers.items():
        try:
            wait_ready(server.port, server.process)
            view, problems = check_over_http(server.port, scenario)
        except (RuntimeError, OSError) as exc:
            view, problems = scenario, [f"{type(exc).__name__}: {exc}"]
        server.script = script
        if scenario.setup:
            server.script = script.with_name(f"{script.stem}-{fw}.lua")
            server.script.write_text(lua_script(view))
        if problems:
            failed[fw] = "wrong response over HTTP: " + "; ".join(problems[:3])
        elif args.warmup:
            warm = run_wrk(server, scenario, args.warmup, args.connections)
            if "error" in warm:
                failed[fw] = "warm-up: " + warm["error"]
    for fw in failed:
        servers.pop(fw).stop()
    return servers, failed


def summarise(rounds: list[dict[str, Any]], base: list[dict[str, Any]] | None) -> dict[str, Any]:
    """Medians over the rounds, and the median of the per-round ratios to `base`."""
    cell: dict[str, Any] = {
        "rounds": [{k: run.get(k) for k in ("rps", "p99_ms", "error")} for run in rounds]
    }
    errors = [run["error"] for run in rounds if "error" in run]
    if errors:
        cell["error"] = "; ".join(sorted(set(errors)))
    good = [run for run in rounds if "error" not in run]
    if good:
        cell["rps"] = statistics.median(run["rps"] for run in good)
        cell["p99_ms"] = statistics.median(run["p99_ms"] for run in good if "p99_ms" in run)
    if base is not None:
        pairs = [
            run["rps"] / other["rps"]
            for run, other in zip(rounds, base, strict=True)
            if "error" not in run and "error" not in other
        ]
        if pairs:
            cell["ratio"] = statistics.median(pairs)
            cell["ratio_range"] = [min(pairs), max(pairs)]
    return cell


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before the rounds")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5, help="wrk runs per cell, interleaved")
    parser.add_argument("--verify", type=Path, default=HERE / "results" / "verify.json")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "wire.json")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated subset (default: all)"
    )
    args = parser.parse_args()
    scenarios = {key: SCENARIOS[key] for key in args.scenarios.split(",")}
    passed: dict[str, list[str]] = json.loads(args.verify.read_text())["passed"]
    names = list(passed)
    results: dict[str, dict[str, Any]] = {fw: {} for fw in names}
    scripts = Path(tempfile.mkdtemp(prefix="transom-bench-"))
    for key, scenario in scenarios.items():
        (scripts / f"{key}.lua").write_text(lua_script(scenario))
    started = time.monotonic()
    for key, scenario in scenarios.items():
        script = scripts / f"{key}.lua"
        fws = [fw for fw in names if key in passed[fw]]
        servers, failed = start_servers(fws, scenario, script, args)
        for fw, error in failed.items():
            results[fw][key] = {"error": error}
            print(f"  {key} {fw:<13} {error}", flush=True)
        runs: dict[str, list[dict[str, Any]]] = {fw: [] for fw in servers}
        try:
            order = list(servers)
            for round_ in range(args.rounds):
                shift = round_ % len(order)
                for fw in order[shift:] + order[:shift]:
                    run = run_wrk(servers[fw], scenario, args.duration, args.connections)
                    runs[fw].append(run)
                shown = "  ".join(f"{fw} {runs[fw][-1].get('rps', 0):.0f}" for fw in order)
                print(
                    f"  {key} round {round_ + 1}/{args.rounds}: {shown}"
                    f"  [{time.monotonic() - started:.0f} s]",
                    flush=True,
                )
        finally:
            for server in servers.values():
                server.stop()
        base = runs.get("raw_asgi")
        for fw, fw_runs in runs.items():
            results[fw][key] = summarise(fw_runs, base)
    example = scripts / ("S5.lua" if "S5" in scenarios else f"{list(scenarios)[-1]}.lua")
    config = {
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connections": args.connections,
        "rounds": args.rounds,
        # Recorded relative to the repository root: no machine paths in the report.
        "server_command": shlex.join(server_command("apps.<framework>_app:app", 0))
        .replace("--port 0", "--port <free port>")
        .replace(sys.executable, "bench/.venv/bin/python")
        .replace(str(HERE), "bench"),
        "wrk_command": shlex.join(
            wrk_command(f"http://{HOST}:<port>/<path>", example, args.duration, args.connections)
        ).replace(str(scripts), "<tmp>"),
        "lua_scripts": {
            key: lua_script(s, shown=True) for key, s in scenarios.items() if key != "S5"
        },
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
