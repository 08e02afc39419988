"""A real `redis-server` for the session tests: started on 127.0.0.1 on a free port, then stopped.

Debian's `redis-server` (installed by `.ci/run`). Outside CI a test that needs it
skips when it is missing; in CI (`CI=true`) a missing server fails instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

IN_CI = os.environ.get("CI") == "true"
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[Any], what: str) -> None:
    """Return once `port` accepts connections; fail if `process` exits or 20 s pass."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} before listening.")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within 20 seconds.")


@contextmanager
def redis_server() -> Iterator[str]:
    """A fresh `redis-server` with no persistence; yields its `redis://` URL."""
    if REDIS_SERVER is None:
        if IN_CI:
            raise RuntimeError("redis-server is not installed; .ci/run installs it.")
        pytest.skip("redis-server is not installed (apt-get install redis-server; CI installs it).")
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, process, "redis-server")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)
