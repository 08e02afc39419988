"""Unhandled errors under a real uvicorn: each logged once, with one traceback naming the request.

The app is written to a temporary folder and served by `python -m uvicorn` in a
subprocess on a free 127.0.0.1 port; the test reads what uvicorn wrote to stderr.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

from tests._servers import free_port

APP = """
import contextlib

from transom import Transom
from transom.responses import StreamingResponse

app = Transom()


@app.get("/boom")
def boom() -> int:
    return 1 // 0


async def fetch_total() -> int:
    return 3


@app.get("/forgot")
def forgot() -> int:
    return fetch_total()  # the `await` is missing (and a sync def cannot await)


@app.get("/stream")
def stream() -> StreamingResponse:
    def chunks():
        yield b"first"
        raise LookupError("the second chunk is missing")

    return StreamingResponse(chunks())


@contextlib.asynccontextmanager
async def lifespan(app):
    raise ConnectionError("the database at db.invalid does not answer")
    yield


failing = Transom(lifespan=lifespan)
"""


def serve(folder: Path, target: str, port: int) -> subprocess.Popen[str]:
    (folder / "errors_app.py").write_text(textwrap.dedent(APP), encoding="utf-8")
    command = [sys.executable, "-m", "uvicorn", target, "--app-dir", str(folder)]
    command += ["--port", str(port), "--no-access-log"]
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=folder
    )


def wait_until_up(server: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.1)


def test_each_unhandled_error_is_logged_once_naming_the_request(tmp_path: Path) -> None:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = serve(tmp_path, "errors_app:app", port)
    try:
        wait_until_up(server, origin + "/nowhere")
        boom = httpx.get(origin + "/boom", timeout=5)
        forgot = httpx.get(origin + "/forgot", timeout=5)
        cut = b""
        try:
            with httpx.stream("GET", origin + "/stream", timeout=5) as response:
                for chunk in response.iter_bytes():
                    cut += chunk
        except httpx.RemoteProtocolError:
            pass  # the stream was cut short, as it must be
    finally:
        server.terminate()
        _, err = server.communicate(timeout=10)
    assert (boom.status_code, boom.text) == (500, "Internal Server Error")
    assert forgot.status_code == 500
    assert cut == b"first"
    assert err.count("Traceback (most recent call last)") == 3, err
    assert err.count("ERROR:    Exception in ASGI application") == 3, err
    # One traceback each, down to the user's line, and naming the request.
    assert 'errors_app.py", line 12, in boom' in err
    assert "ZeroDivisionError: integer division or modulo by zero\n" in err
    assert "Request: GET /boom (answered with a 500).\n" in err
    assert (
        "transom.exceptions.MissingAwaitError: route GET /forgot: handler forgot "
        "(errors_app.py:19) returned the coroutine fetch_total() instead of its value: "
        "did you forget `await`? To use its value, make forgot `async def` and write "
        "`return await fetch_total(...)`.\n"
        "Request: GET /forgot (answered with a 500).\n"
    ) in err
    assert "LookupError: the second chunk is missing\n" in err
    assert "Request: GET /stream (the response had started, so it was cut short).\n" in err
    assert "never awaited" not in err


def test_a_failing_lifespan_logs_its_traceback_down_to_the_users_line(tmp_path: Path) -> None:
    server = serve(tmp_path, "errors_app:failing", free_port())
    _, err = server.communicate(timeout=20)
    assert server.returncode == 3
    assert "ERROR:    The lifespan's startup failed:\nTraceback (most recent call last):\n" in err
    assert 'errors_app.py", line 35, in lifespan' in err
    assert "ConnectionError: the database at db.invalid does not answer\n" in err
    assert err.count("Traceback (most recent call last)") == 1, err
    assert "ERROR:    Application startup failed. Exiting." in err
