"""Shared set-up of the headless-Chromium tests: the browser flags and local servers.

Debian's `chromium` is driven by the `playwright` package through
`executable_path` (never a downloaded browser). Outside CI a browser test module
skips itself when Chromium is missing (`require_chromium()`); in CI
(`CI=true`, where `.ci/run` installs it) a missing browser fails instead.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from typing import Any

import pytest
import uvicorn

from tests._servers import LOCAL_HOST, free_port
from transom.openapi import docs

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip the calling test module when Chromium is missing, except in CI."""
    if not os.path.exists(CHROMIUM) and not IN_CI:
        pytest.skip("Chromium is not installed (CI installs it).", allow_module_level=True)


def require_docs_assets() -> None:
    """Skip the calling module when the docs assets are missing (npm at build), except in CI."""
    if not IN_CI and not all(
        (docs.STATIC_DIR / name).is_file()
        for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")
    ):
        pytest.skip(
            "The docs assets are not installed (the build had no npm).", allow_module_level=True
        )


class ServerThread:
    """A uvicorn server on 127.0.0.1 in a background thread, stopped on `stop()`."""

    def __init__(self, asgi_app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            asgi_app, host=LOCAL_HOST, port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://{LOCAL_HOST}:{self.port}"

    def start(self) -> None:
        """Start serving; raise if the server is not up within 10 seconds."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"Server on port {self.port} did not start.")
            time.sleep(0.02)

    def stop(self) -> None:
        """Ask the server to exit and wait for it (at most 10 seconds)."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
