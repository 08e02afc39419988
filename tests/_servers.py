"""Ports for the tests that start a real server: a free one, and waiting until it listens.

Servers (uvicorn, `transom run`, redis-server) are started on 127.0.0.1 only.
"""

from __future__ import annotations

import socket
import subprocess
import time
from typing import Any

__all__ = ["LOCAL_HOST", "free_port", "wait_for_port"]

LOCAL_HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[Any], what: str) -> None:
    """Return once `port` accepts connections; fail if `process` exits or 20 s pass."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} before listening.")
        with socket.socket() as sock:
            if sock.connect_ex((LOCAL_HOST, port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within 20 seconds.")
