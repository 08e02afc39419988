"""Scoring one run and writing it: totals, areas, causes, changes, `RESULTS.md`.

A test counts only where real FastAPI passes it. A counted test that Transom
fails and that `expected-differences.toml` lists is an expected difference,
reported apart and not as a failure.

A failure whose first cause is `FastAPI internals: ...` (the test imports one of
FastAPI's private modules or names, or reads or patches a private attribute; see
`causes.py`) tests how FastAPI is built rather than API an app uses. It stays a
failure in the totals, and the report also gives each share over the tests of
FastAPI's public API: the counted tests without those failures.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from collections import Counter
from collections.abc import Mapping

from areas import AREA_NAMES, area_of
from causes import INTERNAL, Outcome

__all__ = [
    "Changes",
    "Score",
    "changes_between",
    "load_outcomes",
    "render",
    "save_outcomes",
    "score",
]

PASSED = "passed"
EXPECTED = "expected difference"


@dataclasses.dataclass
class Score:
    """One run, scored: FastAPI's outcomes, and Transom's on the tests FastAPI passes."""

    fastapi: dict[str, Outcome]
    transom: dict[str, Outcome]
    expected: dict[str, str]

    @property
    def counted(self) -> list[str]:
        return sorted(self.transom)

    def passes(self, ids: list[str] | None = None) -> int:
        return sum(self.transom[i][0] == PASSED for i in (self.counted if ids is None else ids))

    def expected_count(self, ids: list[str] | None = None) -> int:
        return sum(self.transom[i][0] == EXPECTED for i in (self.counted if ids is None else ids))

    def internals_count(self, ids: list[str] | None = None) -> int:
        """Failures caused by FastAPI's internals (private modules, names, attributes)."""
        return sum(
            self.transom[i][0] not in (PASSED, EXPECTED)
            and self.transom[i][1].startswith(INTERNAL)
            for i in (self.counted if ids is None else ids)
        )

    def failures(self) -> dict[str, Outcome]:
        return {i: o for i, o in self.transom.items() if o[0] not in (PASSED, EXPECTED)}


def score(
    fastapi: dict[str, Outcome],
    transom_tests: Mapping[str, Outcome],
    transom_broken_files: Mapping[str, Outcome],
    expected: Mapping[str, str],
) -> Score:
    """Transom's outcome for every test FastAPI passes, with expected differences applied."""
    result: dict[str, Outcome] = {}
    for test_id, (outcome, _) in sorted(fastapi.items()):
        if outcome != PASSED:
            continue
        file = test_id.split("::", 1)[0]
        got = transom_tests.get(test_id) or transom_broken_files.get(file)
        if got is None:
            got = ("not run", "not collected under Transom")
        if got[0] != PASSED and test_id in expected:
            got = (EXPECTED, expected[test_id])
        result[test_id] = got
    return Score(dict(fastapi), result, dict(expected))


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def save_outcomes(path: pathlib.Path, outcomes: Mapping[str, Outcome]) -> None:
    """Write `{test id: [outcome, cause]}`, one test a line, sorted (diffs stay readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"  {json.dumps(k)}: {json.dumps(list(v))}" for k, v in sorted(outcomes.items())]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def load_outcomes(path: pathlib.Path) -> dict[str, Outcome]:
    """The outcomes a previous run saved, or nothing."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: (str(v[0]), str(v[1])) for k, v in data.items()}


@dataclasses.dataclass
class Changes:
    """What changed for Transom since the previous saved run."""

    regressions: list[tuple[str, str]]
    fixed: list[str]
    new_causes: list[tuple[str, str, str]]
    had_previous: bool


def changes_between(previous: Mapping[str, Outcome], current: Mapping[str, Outcome]) -> Changes:
    """Regressions (passed before, not now), fixes, and failures whose cause changed."""
    regressions, fixed, new_causes = [], [], []
    for test_id, (outcome, cause) in sorted(current.items()):
        before = previous.get(test_id)
        if before is None:
            continue
        if before[0] == PASSED and outcome != PASSED:
            regressions.append((test_id, cause or outcome))
        elif before[0] != PASSED and outcome == PASSED:
            fixed.append(test_id)
        elif outcome != PASSED and before[1] != cause:
            new_causes.append((test_id, before[1], cause))
    return Changes(regressions, fixed, new_causes, bool(previous))


def _cause_kind(cause: str) -> str:
    head = cause.split(":", 1)[0]
    if head == "missing":
        name = cause.split(": ", 1)[1]
        return "missing: " + ".".join(name.split(".")[:2])
    return head


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def _areas(result: Score) -> list[str]:
    by_area: dict[str, list[str]] = {name: [] for name in AREA_NAMES}
    for test_id in result.counted:
        by_area[area_of(test_id)].append(test_id)
    rows: list[tuple[object, ...]] = []
    for name, ids in [*by_area.items(), ("**all**", result.counted)]:
        passes, internals = result.passes(ids), result.internals_count(ids)
        rows.append(
            (
                name,
                len(ids),
                passes,
                _percent(passes, len(ids)),
                result.expected_count(ids),
                internals,
                _percent(passes, len(ids) - internals),
            )
        )
    header = (
        "area",
        "FastAPI passes",
        "Transom passes",
        "%",
        "expected differences",
        "need FastAPI internals",
        "% of public-API tests",
    )
    return _table(header, rows)


def _internals(result: Score) -> list[str]:
    by_file: Counter[tuple[str, str]] = Counter()
    for test_id, (outcome, cause) in result.failures().items():
        if cause.startswith(INTERNAL):
            by_file[(test_id.split("::", 1)[0], cause.removeprefix(f"{INTERNAL}: "))] += 1
    if not by_file:
        return ["None."]
    rows: list[tuple[object, ...]] = [
        (f"`{file}`", n, f"`{what}`") for (file, what), n in sorted(by_file.items())
    ]
    return _table(("test file", "tests", "what they need"), rows)


def _changes(changes: Changes) -> list[str]:
    if not changes.had_previous:
        return ["No previous run to compare with."]
    lines = [
        f"- **Regressions** (passed before, fail now): **{len(changes.regressions)}**",
        f"- Fixed (failed before, pass now): {len(changes.fixed)}",
        f"- Still failing, with a different first cause: {len(changes.new_causes)}",
    ]
    if changes.regressions:
        lines += ["", "### Regressions", ""]
        lines += [f"- `{test_id}`: {cause}" for test_id, cause in changes.regressions]
    if changes.fixed:
        lines += ["", "### Fixed", ""]
        lines += [f"- `{test_id}`" for test_id in changes.fixed[:100]]
        if len(changes.fixed) > 100:
            lines.append(f"- ... and {len(changes.fixed) - 100} more")
    return lines


def render(result: Score, changes: Changes, meta: Mapping[str, str]) -> str:
    """The text of `RESULTS.md`."""
    fastapi_counts = Counter(outcome for outcome, _ in result.fastapi.values())
    total = len(result.counted)
    passes = result.passes()
    failures = result.failures()
    causes = Counter(cause for _, cause in failures.values())
    kinds = Counter(_cause_kind(cause) for cause in causes.elements())
    internals = result.internals_count()
    public = total - internals
    lines = [
        "# FastAPI's test suite against Transom",
        "",
        f"Generated by `{meta['command']}` (see `compat/README.md`): FastAPI {meta['fastapi']}'s "
        f"own tests, run against real FastAPI and then against Transom {meta['transom']} through "
        f"`compat/shim/`. Wall time {meta['wall']}.",
        "",
        "## Totals",
        "",
        f"- Tests collected under FastAPI: {len(result.fastapi)} "
        + "("
        + ", ".join(f"{n} {o}" for o, n in sorted(fastapi_counts.items()))
        + ")",
        f"- **FastAPI passes: {total}**; a test counts only where FastAPI passes it.",
        f"- **Transom passes: {passes} of {total} ({_percent(passes, total)})**",
        f"- Expected differences (documented, listed in `expected-differences.toml`): "
        f"{result.expected_count()}",
        f"- Transom failures: {len(failures)}, of which {internals} need "
        "FastAPI's internals (private modules, names or attributes; listed below)",
        f"- **Of the {public} tests of FastAPI's public API, Transom passes {passes} "
        f"({_percent(passes, public)})**",
        "",
        "## Changes since the last run",
        "",
        *_changes(changes),
        "",
        "## By area",
        "",
        "Areas come from test file paths (the table in `compat/areas.py`).",
        "",
        *_areas(result),
        "",
        "## Failures by kind of first cause",
        "",
        *_table(("kind", "tests"), list(kinds.most_common())),
        "",
        "## Top 40 first causes",
        "",
        *_table(("tests", "cause"), [(n, f"`{c}`") for c, n in causes.most_common(40)]),
        "",
        "## Tests that need FastAPI's internals",
        "",
        "They import a private module or name of FastAPI's, or read or patch a private",
        "attribute: they test how FastAPI is built, not API an app uses.",
        "",
        *_internals(result),
        "",
        "## Expected differences",
        "",
    ]
    listed = [
        (i, result.transom.get(i, ("not counted", ""))[0], r) for i, r in result.expected.items()
    ]
    if listed:
        lines += _table(("test", "outcome", "reason"), [(f"`{i}`", o, r) for i, o, r in listed])
    else:
        lines.append("None listed.")
    not_passing = sorted((i, o) for i, o in result.fastapi.items() if o[0] not in (PASSED,))
    lines += [
        "",
        "## Tests real FastAPI does not pass (not counted)",
        "",
        *_table(("test", "outcome", "cause"), [(f"`{i}`", o, c[:90]) for i, (o, c) in not_passing]),
        "",
    ]
    return "\n".join(lines)
