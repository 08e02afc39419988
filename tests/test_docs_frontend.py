"""FastAPI's "Frontend" examples, ported by changing the imports (`tests/docs_examples/`).

Each example names `dist` relative to the working directory, as the page does: each
test writes the build into a temporary directory and imports the example from there,
then asks it and FastAPI's own example the same requests. A client sees the same from
both, except where Transom deliberately differs: the index fallback's answers carry
`Vary: Accept`, a 405 carries `Allow`, and a 404 to `HEAD` has no body.
"""

import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests._fastapi_twin import forget_twins, on_fastapi, seen
from transom.testclient import TestClient

BUILD = {
    "index.html": "<p>app</p>",
    "404.html": "<p>missing</p>",
    "assets/app.js": "run()",
    "about/index.html": "<p>about</p>",
}
OCT_21_2015 = 1445412480


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name, content in BUILD.items():
        path = tmp_path / "dist" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        os.utime(path, (OCT_21_2015, OCT_21_2015))
    monkeypatch.chdir(tmp_path)
    yield tmp_path / "dist"
    forget_twins()


def fresh(name: str) -> ModuleType:
    sys.modules.pop(f"tests.docs_examples.{name}", None)
    return importlib.import_module(f"tests.docs_examples.{name}")


# (example, method, path, Accept, status, body, whether the answer varies on Accept)
CASES = [
    ("frontend_001", "GET", "/assets/app.js", "*/*", 200, b"run()", False),
    ("frontend_001", "GET", "/", "text/html", 200, b"<p>app</p>", False),
    ("frontend_001", "GET", "/about", "text/html", 307, b"", False),
    ("frontend_001", "GET", "/about/", "text/html", 200, b"<p>about</p>", False),
    ("frontend_001", "GET", "/dashboard", "text/html", 404, b"<p>missing</p>", False),
    (
        "frontend_001",
        "POST",
        "/assets/app.js",
        "*/*",
        405,
        b'{"detail":"Method Not Allowed"}',
        False,
    ),
    ("frontend_002", "GET", "/dashboard", "text/html", 200, b"<p>app</p>", True),
    ("frontend_002", "HEAD", "/dashboard", "text/html", 200, b"", True),
    ("frontend_002", "GET", "/assets/missing.js", "*/*", 404, b'{"detail":"Not Found"}', True),
    ("frontend_002", "POST", "/dashboard", "text/html", 404, b'{"detail":"Not Found"}', False),
    ("frontend_003", "GET", "/dashboard", "text/html", 404, b"<p>missing</p>", False),
    ("frontend_003", "GET", "/assets/missing.js", "*/*", 404, b"<p>missing</p>", False),
    ("frontend_004", "GET", "/app/dashboard", "text/html", 200, b"<p>app</p>", True),
    ("frontend_004", "GET", "/app/assets/app.js", "*/*", 200, b"run()", False),
    ("frontend_004", "GET", "/app", "text/html", 307, b"", False),
    ("frontend_004", "GET", "/dashboard", "text/html", 404, b'{"detail":"Not Found"}', False),
    ("frontend_004", "HEAD", "/dashboard", "text/html", 404, b"", False),
    ("frontend_005", "GET", "/dashboard", "text/html", 404, b'{"detail":"Not Found"}', False),
    ("frontend_005", "GET", "/about/", "text/html", 200, b"<p>about</p>", False),
    ("frontend_006", "GET", "/assets/app.js", "*/*", 200, b"run()", False),
]


@pytest.mark.parametrize(("example", "method", "path", "accept", "status", "body", "varies"), CASES)
def test_a_client_sees_what_fastapi_sends(
    dist: Path,
    example: str,
    method: str,
    path: str,
    accept: str,
    status: int,
    body: bytes,
    varies: bool,
) -> None:
    module = fresh(example)

    def ask(app: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        client = TestClient(app, follow_redirects=False)
        return seen(client.request(method, path, headers={"accept": accept}))

    ours, theirs = ask(module.app), ask(on_fastapi(module).app)
    assert (ours[0], ours[2]) == (status, body)
    expected_headers = list(theirs[1])
    if varies:
        expected_headers.insert(0, ("vary", "Accept"))
    if status == 405:
        expected_headers.insert(0, ("allow", "GET, HEAD"))
    assert ours == (theirs[0], expected_headers, b"" if method == "HEAD" else theirs[2])


def test_without_the_build_the_app_does_not_start_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRANSOM_ENV", raising=False)
    with pytest.raises(RuntimeError, match="Frontend directory 'dist' does not exist"):
        fresh("frontend_001")
    app = fresh("frontend_006").app
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "late.txt").write_text("built later")
    assert TestClient(app).get("/late.txt").text == "built later"


def test_the_example_of_the_static_files_page_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Path(__file__).parents[1] / "docs" / "static-files.md"
    section = page.read_text(encoding="utf-8").partition("## Frontends")[2]
    example = section.partition("```python\n")[2].partition("```")[0]
    for folder, page_text in (("dist", "<p>app</p>"), ("admin/dist", "<p>admin</p>")):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "index.html").write_text(page_text)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(compile(example, page.name, "exec"), namespace)
    client = TestClient(namespace["app"])
    html = {"accept": "text/html"}
    assert client.get("/api/users", headers=html).json() == ["ada"]
    assert client.get("/settings", headers=html).text == "<p>app</p>"
    assert client.get("/admin/settings", headers=html).status_code == 403
    client.cookies.set("role", "admin")
    assert client.get("/admin/", headers=html).text == "<p>admin</p>"
