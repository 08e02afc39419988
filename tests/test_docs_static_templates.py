"""FastAPI's "Static Files" and "Templates" pages, ported by changing the imports
(`tests/docs_examples/`). Both name directories relative to the working directory, as
the pages do: each test writes them into a temporary directory and imports the example
from there."""

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests._fastapi_twin import document, forget_twins, on_fastapi, seen
from transom.testclient import TestClient

ITEM_HTML = """<html>
<head>
    <title>Item Details</title>
    <link href="{{ url_for('static', path='/styles.css') }}" rel="stylesheet">
</head>
<body>
    <h1><a href="{{ url_for('read_item', id=id) }}">Item ID: {{ id }}</a></h1>
</body>
</html>
"""
STYLES = "h1 {\n    color: green;\n}\n"


def fresh(name: str) -> ModuleType:
    """The example imported anew, so its directories are those of the working directory."""
    sys.modules.pop(f"tests.docs_examples.{name}", None)
    return importlib.import_module(f"tests.docs_examples.{name}")


@pytest.fixture
def static_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "sample.txt").write_text("This is a sample static file.")
    monkeypatch.chdir(tmp_path)
    yield fresh("static_files")
    forget_twins()


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "styles.css").write_text(STYLES)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "item.html").write_text(ITEM_HTML)
    monkeypatch.chdir(tmp_path)
    yield fresh("templates")
    forget_twins()


# Static Files -----------------------------------------------------------------------------


def test_a_file_under_the_directory_is_served(static_files: ModuleType) -> None:
    response = TestClient(static_files.app).get("/static/sample.txt")
    assert response.status_code == 200
    assert response.text == "This is a sample static file."
    assert [name for name, _ in response.headers.multi_items()] == [
        "content-type",
        "accept-ranges",
        "content-length",
        "last-modified",
        "etag",
    ]
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-length"] == "29"


@pytest.mark.parametrize(
    "path",
    ["/static/sample.txt", "/static/non_existent_file.txt", "/static/", "/static/../sample.txt"],
)
def test_a_client_sees_what_fastapi_sends(static_files: ModuleType, path: str) -> None:
    twin = on_fastapi(static_files)
    ours, theirs = TestClient(static_files.app).get(path), TestClient(twin.app).get(path)
    assert seen(ours) == seen(theirs)
    assert document(static_files.app) == document(twin.app)


def test_a_missing_file_is_a_404(static_files: ModuleType) -> None:
    response = TestClient(static_files.app).get("/static/non_existent_file.txt")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_a_file_the_client_has_is_a_304(static_files: ModuleType) -> None:
    client = TestClient(static_files.app)
    first = client.get("/static/sample.txt")
    for headers in (
        {"if-none-match": first.headers["etag"]},
        {"if-modified-since": first.headers["last-modified"]},
    ):
        again = client.get("/static/sample.txt", headers=headers)
        assert (again.status_code, again.content) == (304, b"")
        assert list(again.headers.multi_items()) == [("etag", first.headers["etag"])]


def test_a_range_of_the_file_is_a_206(static_files: ModuleType) -> None:
    response = TestClient(static_files.app).get(
        "/static/sample.txt", headers={"range": "bytes=0-3"}
    )
    assert (response.status_code, response.content) == (206, b"This")
    assert response.headers["content-range"] == "bytes 0-3/29"
    assert response.headers["content-length"] == "4"


def test_the_mount_is_named_for_url_path_for(static_files: ModuleType) -> None:
    assert static_files.app.url_path_for("static", path="/sample.txt") == "/static/sample.txt"
    assert static_files.app.openapi()["paths"] == {}


def test_without_the_directory_the_app_does_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="directory 'static' does not exist"):
        fresh("static_files")


# Templates --------------------------------------------------------------------------------


def test_the_template_links_to_the_route_and_the_stylesheet(templates: ModuleType) -> None:
    response = TestClient(templates.app).get("/items/foo")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (
        "<html>\n<head>\n    <title>Item Details</title>\n"
        '    <link href="http://testserver/static/styles.css" rel="stylesheet">\n'
        "</head>\n<body>\n"
        '    <h1><a href="http://testserver/items/foo">Item ID: foo</a></h1>\n'
        "</body>\n</html>"
    )
    twin = on_fastapi(templates)
    assert seen(response) == seen(TestClient(twin.app).get("/items/foo"))


def test_the_template_escapes_the_id(templates: ModuleType) -> None:
    response = TestClient(templates.app).get("/items/%3Cb%3E")
    # The id goes into url_for as it is, as in Starlette; autoescape keeps it text.
    assert '<a href="http://testserver/items/&lt;b&gt;">Item ID: &lt;b&gt;</a>' in response.text
    twin = on_fastapi(templates)
    assert seen(response) == seen(TestClient(twin.app).get("/items/%3Cb%3E"))


def test_the_stylesheet_is_served_from_the_static_mount(templates: ModuleType) -> None:
    response = TestClient(templates.app).get("/static/styles.css")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.text == STYLES
