"""Background tasks: called with their arguments, in order, after the response is sent."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import anyio
import pytest

from transom import BackgroundTask, BackgroundTasks
from transom._types import Message, Receive, Scope, Send
from transom.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from transom.testclient import TestClient


def test_sync_task_runs_in_a_worker_thread_with_its_arguments() -> None:
    calls: list[tuple[str, int, int]] = []

    def task(name: str, number: int) -> None:
        calls.append((name, number, threading.get_ident()))

    anyio.run(BackgroundTask(task, "a", number=1))
    assert [(name, number) for name, number, _ in calls] == [("a", 1)]
    assert calls[0][2] != threading.get_ident()


def test_async_task_is_awaited_with_its_arguments() -> None:
    calls: list[tuple[str, int]] = []

    async def task(name: str, number: int) -> None:
        await anyio.sleep(0)
        calls.append((name, number))

    background = BackgroundTask(task, "a", number=2)
    assert background.is_async
    anyio.run(background)
    assert calls == [("a", 2)]


def test_async_callable_instance_is_awaited() -> None:
    calls: list[str] = []

    class Notifier:
        async def __call__(self, message: str) -> None:
            calls.append(message)

    background = BackgroundTask(Notifier(), "hi")
    assert background.is_async
    anyio.run(background)
    assert calls == ["hi"]


def test_tasks_run_one_after_the_other_in_order() -> None:
    calls: list[str] = []

    async def async_task(name: str) -> None:
        calls.append(name)

    tasks = BackgroundTasks([BackgroundTask(calls.append, "first")])
    tasks.add_task(async_task, "second")
    tasks.add_task(calls.append, "third")
    anyio.run(tasks)
    assert calls == ["first", "second", "third"]


def test_background_tasks_copy_the_initial_list() -> None:
    initial = [BackgroundTask(print)]
    tasks = BackgroundTasks(initial)
    tasks.add_task(print)
    assert len(initial) == 1
    assert len(tasks.tasks) == 2
    assert BackgroundTasks().tasks == []


def test_a_failing_task_raises_and_stops_the_rest() -> None:
    calls: list[str] = []

    def fail() -> None:
        raise ValueError("task failed")

    tasks = BackgroundTasks()
    tasks.add_task(fail)
    tasks.add_task(calls.append, "never")
    with pytest.raises(ValueError, match="task failed"):
        anyio.run(tasks)
    assert calls == []


# --- after the response --------------------------------------------------------------------


async def chunks() -> AsyncIterator[bytes]:
    yield b"streamed"


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "f.txt"
    path.write_bytes(b"file")
    return path


FACTORIES: list[tuple[str, Callable[[Path, BackgroundTask], Response], bytes]] = [
    ("Response", lambda _, task: PlainTextResponse("text", background=task), b"text"),
    ("JSONResponse", lambda _, task: JSONResponse([1], background=task), b"[1]"),
    (
        "StreamingResponse",
        lambda _, task: StreamingResponse(chunks(), background=task),
        b"streamed",
    ),
    ("FileResponse", lambda path, task: FileResponse(_file(path), background=task), b"file"),
    ("no-content", lambda _, task: Response(status_code=204, background=task), b""),
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("make", "body"),
    [(make, body) for _, make, body in FACTORIES],
    ids=[name for name, _, _ in FACTORIES],
)
def test_task_runs_after_the_response_is_complete(
    tmp_path: Path, make: Callable[[Path, BackgroundTask], Response], body: bytes, kind: str
) -> None:
    events: list[str] = []

    def sync_task() -> None:
        events.append("task")

    async def async_task() -> None:
        events.append("task")

    task = BackgroundTask(sync_task) if kind == "sync" else BackgroundTask(async_task)
    response = make(tmp_path, task)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        async def recording_send(message: Message) -> None:
            more = message.get("more_body", False)
            events.append(f"{message['type']}{' (more)' if more else ''}")
            await send(message)

        await response(scope, receive, recording_send)

    sent = TestClient(app).get("/")
    assert sent.content == body
    assert events[0] == "http.response.start"
    assert events[-2:] == ["http.response.body", "task"]
    assert events.count("task") == 1


def test_task_runs_after_a_head_response() -> None:
    events: list[str] = []
    response = PlainTextResponse("x", background=BackgroundTask(events.append, "task"))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await response(scope, receive, send)
        events.append("returned")

    assert TestClient(app).head("/").content == b""
    assert events == ["task", "returned"]
