"""A pytest plugin that records each test's outcome and first error as JSON lines.

Loaded by `compat/run.py` with `-p compat_outcomes`; it writes to the file named by
`COMPAT_OUTCOMES` (one file per xdist worker, suffixed with the worker id). Each
line is one phase of one test, or one module that failed to import:
`{"id", "phase", "outcome", "exc", "msg", "frames", "test_line", "skip"}`. The
runner turns these into outcomes and causes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Generator
from typing import IO, Any

import pytest

_out: IO[str] | None = None
_ERROR_LINE = re.compile(r"^E\s+([A-Za-z_][\w.]*)(?::\s?(.*))?$")


def _stream() -> IO[str] | None:
    global _out
    base = os.environ.get("COMPAT_OUTCOMES")
    if _out is None and base:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        _out = open(f"{base}.{worker}", "a", encoding="utf-8")  # noqa: SIM115 - kept open
    return _out


def _write(record: dict[str, Any]) -> None:
    stream = _stream()
    if stream is not None:
        stream.write(json.dumps(record) + "\n")
        stream.flush()


def _short(path: str) -> str:
    for marker, prefix in (("/src/transom/", "transom/"), ("/shim/", "shim/")):
        if marker in path:
            return prefix + path.split(marker, 1)[1]
    if "/site-packages/" in path:
        return "site:" + path.split("/site-packages/", 1)[1]
    for marker in ("/tests/", "/docs_src/"):
        if marker in path:
            return marker.strip("/") + "/" + path.rsplit(marker, 1)[1]
    return path


def _leaf(error: BaseException) -> BaseException:
    """The first leaf of an exception group (anyio wraps errors of task groups)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


def _describe(excinfo: pytest.ExceptionInfo[BaseException]) -> dict[str, Any]:
    error = _leaf(excinfo.value)
    kind = type(error)
    frames: list[str] = []
    test_line = ""
    for entry in excinfo.traceback:
        path = _short(str(entry.path))
        frames.append(f"{path}:{entry.lineno + 1}:{entry.name}")
        if path.startswith(("tests/", "docs_src/")):
            try:
                test_line = str(entry.statement).strip().splitlines()[0]
            except Exception:  # the source may be unavailable
                test_line = ""
    tb = error.__traceback__
    while tb is not None and error is not excinfo.value:
        code = tb.tb_frame.f_code
        frames.append(f"{_short(code.co_filename)}:{tb.tb_lineno}:{code.co_name}")
        tb = tb.tb_next
    return {
        "exc": f"{kind.__module__}.{kind.__qualname__}",
        "msg": str(error)[:1500],
        "frames": frames[-8:],
        "test_line": test_line[:300],
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    record: dict[str, Any] = {"id": item.nodeid, "phase": call.when, "outcome": report.outcome}
    if hasattr(report, "wasxfail"):
        record["xfail"] = True
    if report.skipped and isinstance(report.longrepr, tuple):
        record["skip"] = str(report.longrepr[2])[:300]
    if report.failed and call.excinfo is not None:
        record.update(_describe(call.excinfo))
    _write(record)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if not report.failed:
        return
    text = str(report.longrepr)
    record: dict[str, Any] = {"id": report.nodeid, "phase": "collect", "outcome": "failed"}
    record["exc"], record["msg"] = "", text.strip().splitlines()[-1][:1500] if text else ""
    for line in text.splitlines():
        match = _ERROR_LINE.match(line)
        if match and ("Error" in match.group(1) or "Exception" in match.group(1)):
            record["exc"], record["msg"] = match.group(1), (match.group(2) or "")[:1500]
            break
    _write(record)
