"""A real `redis-server` for the session tests: started on 127.0.0.1 on a free port, then stopped.

Debian's `redis-server` (installed by `.ci/run`). Outside CI a test that needs it
skips when it is missing; in CI (`CI=true`) a missing server fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests._servers import LOCAL_HOST, free_port, wait_for_port

IN_CI = os.environ.get("CI") == "true"
REDIS_SERVER = shutil.which("redis-server")


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
                LOCAL_HOST,
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
            yield f"redis://{LOCAL_HOST}:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)
