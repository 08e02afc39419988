"""`docs/porting.md` says only true things: its import table imports, its two apps
differ in their imports only and answer alike, and its status tables (and the
README's figure) are what `compat/porting_table.py` makes of the saved results."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from transom.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "porting.md").read_text(encoding="utf-8")
STATUS = (ROOT / "docs" / "porting-status.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(from (?:fastapi|starlette)[^`]*)` \| `(from transom[^`]*)` \|$", re.M)
ROWS: list[tuple[str, str]] = ROW.findall(PAGE)


def test_the_import_table_has_rows() -> None:
    assert len(ROWS) >= 20


@pytest.mark.parametrize(("fastapi", "transom"), ROWS, ids=[t for _, t in ROWS])
def test_each_import_works_on_its_side(fastapi: str, transom: str) -> None:
    exec(transom, {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette's deprecations are not ours to fix
        try:
            exec(fastapi, {})
            missing = ""
        except ModuleNotFoundError as exc:  # starlette's sessions need itsdangerous
            missing = exc.name or "?"
    if missing:  # a third-party dependency of the module: read its source instead
        assert not missing.startswith(("fastapi", "starlette"))
        assert defined_in_source(fastapi)
    if "import FastAPI" not in fastapi:
        assert fastapi.split(" import ", 1)[1] == transom.split(" import ", 1)[1]


def defined_in_source(statement: str) -> bool:
    """Whether the module of `from m import a, b` defines `a` and `b` at its top level,
    read from its source (for a module whose own imports are not installed)."""
    module, names = statement.removeprefix("from ").split(" import ")
    spec = importlib.util.find_spec(module)
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    defined = {node.name for node in tree.body if isinstance(node, kinds)}
    return set(names.split(", ")) <= defined


def test_the_status_tables_are_generated_from_the_saved_results() -> None:
    check = subprocess.run(
        [sys.executable, "compat/porting_table.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert '--8<-- "porting-status.md"' in PAGE


def test_the_readme_quotes_the_measured_figure() -> None:
    figure = re.search(r"passes at \*\*(\d+\.\d%)\*\*", STATUS)
    assert figure is not None
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"FastAPI's own test suite passes at {figure.group(1)} against Transom" in readme
    assert "mostly means changing imports" not in readme


# The two apps -----------------------------------------------------------------------------


def load(name: str) -> ModuleType:
    sys.modules.pop(f"examples.porting.{name}", None)
    return importlib.import_module(f"examples.porting.{name}")


def test_the_two_apps_differ_in_their_imports_and_class_only() -> None:
    def body(name: str) -> list[str]:
        lines = (ROOT / "examples" / "porting" / f"{name}.py").read_text().splitlines()
        return [line for line in lines if line and not line.startswith(("from ", "app = "))]

    assert body("with_fastapi") == body("with_transom")


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/items/1", {}),
    ("GET", "/items/9", {}),
    ("GET", "/items/one", {}),
    ("GET", "/items/1", {"params": {"fields": "x" * 21}}),
    ("POST", "/items", {"json": {"name": "saw", "price": 3}}),
    ("POST", "/items", {"json": {"name": "saw", "price": 3}, "headers": {"X-API-Key": "no"}}),
    ("POST", "/items", {"json": {"name": "saw", "price": 3}, "headers": {"X-API-Key": "sesame"}}),
    ("POST", "/items", {"json": {"name": "saw"}, "headers": {"X-API-Key": "sesame"}}),
]


def test_both_apps_answer_alike() -> None:
    clients = [TestClient(load(name).app) for name in ("with_fastapi", "with_transom")]
    for method, url, options in REQUESTS:
        fastapi, transom = (client.request(method, url, **options) for client in clients)
        assert (transom.status_code, transom.content) == (fastapi.status_code, fastapi.content)
        assert sorted(transom.headers.multi_items()) == sorted(fastapi.headers.multi_items())
