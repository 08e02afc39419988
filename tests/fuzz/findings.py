"""Framework bugs the request-path properties found that are not fixed yet.

Each has a regression test on its smallest input in `test_findings.py`, marked
`xfail(strict=True)`. The properties skip exactly the outcome of a known
finding, matched by the exception and the Transom function it escaped from,
and count it in `client.STATS`; every other outcome of the same request is
still checked. When a finding is fixed its regression test passes, which fails
the run (strict): then remove its mark and its entry here.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import PurePath

from tests.fuzz.client import STATS, Exchange

__all__ = ["KNOWN", "Finding", "known_finding"]


@dataclass(frozen=True)
class Finding:
    """An exception of class `error` escaping from `function` in `module`."""

    name: str
    error: type[Exception]
    module: str
    function: str


KNOWN: tuple[Finding, ...] = (
    # None open: the slash redirect with a bracketed Host and the preflight with a
    # control character are fixed; their regressions stay in `test_findings.py`.
)


def known_finding(result: Exchange) -> str | None:
    """The name of the known finding `result` is an instance of, counted; else None."""
    error = result.error
    if error is None:
        return None
    frames = traceback.extract_tb(error.__traceback__)
    for finding in KNOWN:
        if isinstance(error, finding.error) and any(
            frame.name == finding.function
            and PurePath(frame.filename).as_posix().endswith(finding.module)
            for frame in frames
        ):
            STATS[f"known {finding.name}"] += 1
            return finding.name
    return None
