"""`transom run`: the command line parses its options and hands them to uvicorn."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from transom.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def test_run_parses_options() -> None:
    args = build_parser().parse_args(
        ["run", "examples.app:app", "--host", "0.0.0.0", "--port", "9001", "--reload"]
    )
    assert (args.app, args.host, args.port, args.reload, args.workers) == (
        "examples.app:app",
        "0.0.0.0",
        9001,
        True,
        None,
    )


def test_run_without_app_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["run"])
    assert excinfo.value.code == 2
    assert "app" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_python_m_transom_serves_the_example_app() -> None:
    port = _free_port()
    command = [sys.executable, "-m", "transom", "run", "examples.app:app", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/notes?limit=1", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.headers["x-total-count"] == "3"
        assert response.headers["x-served-by"] == "transom-example"
        assert response.json() == [{"id": 1, "owner": "ada", "text": "Analytical engine notes"}]
    finally:
        server.terminate()
        server.wait(timeout=10)
