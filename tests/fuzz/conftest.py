"""Hypothesis profiles for the fuzz properties, and the event loop they share.

`ci` (the default) is small, derandomized and keeps no example database, so a
run takes seconds and every run tries the same inputs. `long` explores: random
inputs, many examples (`TRANSOM_FUZZ_EXAMPLES`, default 100,000 per property).
Pick it with `TRANSOM_FUZZ=long`; see docs/fuzzing.md.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz import client

T = TypeVar("T")
Run = Callable[[Coroutine[Any, Any, T]], T]

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("TRANSOM_FUZZ_EXAMPLES", "100000")),
    deadline=None,
    database=None,
    print_blob=True,
    # Requests are built from up to a few hundred choices; past the first
    # examples that is slower than Hypothesis expects, by design, not by accident.
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("TRANSOM_FUZZ", "ci"))


@pytest.fixture(scope="session")
def run() -> Iterator[Run[Any]]:
    """Run a coroutine on one event loop kept for the whole session.

    One loop for every example keeps the worker threads of sync dependencies
    alive between examples; a loop per example would start them anew each time.
    """
    with asyncio.Runner() as runner:
        yield runner.run


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many requests the request-path properties sent, and the known findings they met."""
    if client.STATS["requests"]:
        counts = ", ".join(f"{name} {count}" for name, count in sorted(client.STATS.items()))
        terminalreporter.write_line(f"fuzz: {counts}")
