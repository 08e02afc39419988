"""From the plugin's per-phase records to one outcome and one first cause per test.

A test's cause is read from its first failing phase (collection of its module,
then setup, call, teardown), by the rules of `cause_of`, tried in order:

| error | cause |
|---|---|
| `cannot import name 'X' from 'fastapi.m'` | `missing: fastapi.m.X` |
| `No module named 'fastapi.m'` | `missing: fastapi.m` |
| the same for a FastAPI-internal module (`fastapi._compat`, ...) or a private name (`_x`) | `FastAPI internals: ...` |
| `TypeError: f() got an unexpected keyword argument 'kw'` | `missing option: kw` |
| `AttributeError: 'T' object has no attribute 'a'` | `missing attribute: T.a` (`FastAPI internals: T._a` for a private one) |
| `TypeError` calling a private method (`T._m() takes 2 positional arguments`) | `FastAPI internals: T._m()` |
| Transom's `DeclarationError` or `ValueError` at startup | `rejected: <the rule, values elided>` |
| pytest-timeout | `timeout` |
| `DID NOT WARN` / `DID NOT RAISE` | `no warning: W` / `did not raise: E` |
| a warning turned into an error | `warning: W` |
| `AssertionError` on an OpenAPI document | `openapi document` |
| `AssertionError` on `status_code` | `status: got A, expected B` |
| `AssertionError` on a `detail`, other body, headers | `error detail`, `response body`, ... |
| any other exception | `<where>: <Type>: <message, values elided>` |

A test module that fails to import while it imports a private name of FastAPI's
(`from fastapi.routing import _IncludedRouter`) fails for that reason, whatever
name the import stopped at: `private_imports` finds those names in the module's
source, and the runner gives its tests the cause `FastAPI internals: ...`.
Failures of this kind test how FastAPI is built, not API an app uses; the report
counts them apart (see `report.py`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["INTERNAL", "INTERNAL_MODULES", "Outcome", "cause_of", "outcomes_from", "private_imports"]

#: FastAPI modules that are implementation details, not API a user ports.
INTERNAL_MODULES = (
    "fastapi._compat",
    "fastapi.cli",
    "fastapi.dependencies",
    "fastapi.logger",
    "fastapi.middleware.asyncexitstack",
    "fastapi.temp_pydantic_v1_params",
    "fastapi.types",
    "fastapi.utils",
)

#: How every cause of this kind starts.
INTERNAL = "FastAPI internals"

Record = Mapping[str, Any]
#: `(outcome, cause)`: outcome is passed, failed, skipped, xfailed or "not run".
Outcome = tuple[str, str]

_CANNOT_IMPORT = re.compile(r"cannot import name '(\w+)' from '([\w.]+)'")
_NO_MODULE = re.compile(r"No module named '([\w.]+)'")
_UNEXPECTED_KW = re.compile(r"got an unexpected keyword argument '(\w+)'")
_NO_ATTRIBUTE = re.compile(r"^'?(?:type object )?'?([\w.]+)'? (?:object )?has no attribute '(\w+)'")
_MODULE_ATTRIBUTE = re.compile(r"^module '([\w.]+)' has no attribute '(\w+)'")
#: A private method called with another signature than FastAPI's (`UploadFile._validate`).
_PRIVATE_CALL = re.compile(r"^(\w+\._\w+)\(\) (?:takes|got|missing)")
#: pytest's monkeypatch on a module attribute that does not exist.
_MONKEYPATCHED = re.compile(r"<module '([\w.]+)' from '[^']*'> has no attribute '(\w+)'")
_STATUS = re.compile(r"^assert (\d{3}) == (\d{3})", re.MULTILINE)
_DID_NOT_WARN = re.compile(r"DID NOT WARN\. No warnings of type \(<class '([\w.]+)'>")
_DID_NOT_RAISE = re.compile(r"DID NOT RAISE <?(?:class ')?([\w.]+)")
_PHASES = ("collect", "setup", "call", "teardown")


def _elide(message: str) -> str:
    """A message with its values elided, so the same rule broken twice counts once."""
    text = message.strip().splitlines()[0] if message.strip() else ""
    text = re.sub(r"^route [A-Z, ]+ \S+: ", "", text)
    text = re.sub(r"<class '[^']*'>", "<type>", text)
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\b(?:typing|collections\.abc)\.(\w+)\[[^\s]*\]?", r"\1[…]", text)
    text = re.sub(r"\b[\w]+(?:\.[\w]+){2,}\b", "…", text)
    text = re.sub(r"\d+", "N", text)
    cut = text.find(" (", 40)
    return (text[:cut] if cut > 0 else text)[:110]


def _is_private(dotted: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in dotted.split("."))


def _missing_module(module: str) -> str:
    if module.startswith(INTERNAL_MODULES) or (
        module.split(".")[0] in ("fastapi", "starlette") and _is_private(module)
    ):
        return f"{INTERNAL}: {module}"
    if module.split(".")[0] in ("fastapi", "starlette"):
        return f"missing: {module}"
    return f"environment: no module {module}"


def _where(record: Record) -> str:
    frames = [str(frame) for frame in record.get("frames") or []]
    if any(frame.startswith("transom/") for frame in frames):
        return "transom"
    if frames and frames[-1].startswith("site:"):
        return frames[-1].removeprefix("site:").split("/", 1)[0]
    return "test"


def _assertion(record: Record, test_name: str) -> str:
    message = str(record.get("msg") or "")
    line = str(record.get("test_line") or "")
    if (
        "openapi" in line.lower()
        or "openapi" in test_name
        or message.startswith("assert {'openapi'")
    ):
        return "openapi document"
    status = _STATUS.search(message)
    if status and "status_code" in line:
        return f"status: got {status.group(1)}, expected {status.group(2)}"
    if "detail" in message and ("json()" in line or "detail" in line):
        return "error detail (422 or HTTPException body)"
    if ".headers" in line:
        return "response headers"
    if ".cookies" in line:
        return "response cookies"
    if any(part in line for part in (".json()", ".text", ".content", "iter_", "read()")):
        return "response body"
    return "assertion (other)"


def _rejected(message: str) -> str:
    if re.search(r"is a (Header|Cookie|Query) parameter of type <class", message):
        return "rejected: a Query/Header/Cookie parameter typed as a model (parameter models)"
    return f"rejected: {_elide(message)}"


def _missing(short: str, message: str) -> str | None:
    """The cause when a name, module, option or attribute does not exist."""
    if match := _CANNOT_IMPORT.search(message):
        return _missing_module(f"{match.group(2)}.{match.group(1)}")
    if match := _NO_MODULE.search(message):
        return _missing_module(match.group(1))
    if short == "TypeError" and (match := _UNEXPECTED_KW.search(message)):
        return f"missing option: {match.group(1)}"
    if short == "TypeError" and (match := _PRIVATE_CALL.search(message)):
        return f"{INTERNAL}: {match.group(1)}()"
    if short == "AttributeError":
        if match := _MODULE_ATTRIBUTE.search(message):
            return _missing_module(f"{match.group(1)}.{match.group(2)}")
        if match := _NO_ATTRIBUTE.search(message):
            if _is_private(match.group(2)):
                return f"{INTERNAL}: {match.group(1)}.{match.group(2)}"
            return f"missing attribute: {match.group(1)}.{match.group(2)}"
        if match := _MONKEYPATCHED.search(message):
            return _missing_module(f"{match.group(1)}.{match.group(2)}")
    return None


def private_imports(source: str) -> list[str]:
    """The private FastAPI names (and internal modules) a test module imports at its top."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "fastapi":
            module = node.module or ""
            for alias in node.names:
                dotted = f"{module}.{alias.name}"
                if _is_private(dotted) or dotted.startswith(INTERNAL_MODULES):
                    found.append(dotted)
        elif isinstance(node, ast.Import):
            found += [
                alias.name
                for alias in node.names
                if alias.name.startswith(INTERNAL_MODULES)
                or (alias.name.split(".")[0] == "fastapi" and _is_private(alias.name))
            ]
    return found


def cause_of(record: Record, test_name: str = "") -> str:
    """The first cause of one failing phase record (see the module docstring)."""
    kind = str(record.get("exc") or "")
    message = str(record.get("msg") or "")
    short = kind.rsplit(".", 1)[-1]
    if missing := _missing(short, message):
        return missing
    if short == "Failed" and "Timeout" in message:
        return "timeout"
    if match := _DID_NOT_WARN.search(message):
        return f"no warning: {match.group(1).rsplit('.', 1)[-1]}"
    if match := _DID_NOT_RAISE.search(message):
        return f"did not raise: {match.group(1).rsplit('.', 1)[-1]}"
    if short.endswith("Warning"):
        return f"warning: {short}: {_elide(message)}"
    if short == "AssertionError":
        return _assertion(record, test_name)
    line = str(record.get("test_line") or "")
    if line.startswith("with pytest.raises("):
        expected = line.removeprefix("with pytest.raises(").split(")")[0].split(",")[0]
        return f"different exception: {short} where the test expects {expected}"
    where = _where(record)
    if short == "DeclarationError" or (short == "ValueError" and where in ("transom", "test")):
        return _rejected(message)
    return f"{where}: {short}: {_elide(message)}"


def _outcome(records: list[Record], test_name: str) -> Outcome:
    ordered = sorted(records, key=lambda r: _PHASES.index(str(r.get("phase"))))
    for record in ordered:
        if record.get("outcome") == "failed":
            return "failed", cause_of(record, test_name)
    for record in ordered:
        if record.get("outcome") == "skipped":
            if record.get("xfail"):
                return "xfailed", ""
            return "skipped", str(record.get("skip") or "")
    if any(r.get("phase") == "call" and r.get("outcome") == "passed" for r in ordered):
        return "passed", ""
    return "not run", "no call phase recorded (worker crash?)"


def outcomes_from(records: Iterable[Record]) -> tuple[dict[str, Outcome], dict[str, Outcome]]:
    """Per-test outcomes, and per-file outcomes of modules that failed to import."""
    by_test: dict[str, list[Record]] = {}
    broken_files: dict[str, Outcome] = {}
    for record in records:
        test_id = str(record["id"])
        if record.get("phase") == "collect":
            broken_files[test_id] = ("failed", cause_of(record))
        else:
            by_test.setdefault(test_id, []).append(record)
    tests = {
        test_id: _outcome(phases, test_id.rsplit("::", 1)[-1])
        for test_id, phases in by_test.items()
    }
    return tests, broken_files
