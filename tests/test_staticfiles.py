"""StaticFiles as a client sees it: safe paths, validators and 304, ranges, html mode."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest

from tests._asgi import call_raw, http_scope
from transom import Request, Transom
from transom._types import Message
from transom.http.caching import not_modified
from transom.staticfiles import StaticFiles
from transom.testclient import TestClient

OCT_21_2015 = 1445412480  # Wed, 21 Oct 2015 07:28:00 GMT


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "css").mkdir(parents=True)
    (root / "css" / "app.css").write_text("body {}")
    (root / "docs").mkdir()
    (root / "docs" / "index.html").write_text("<h1>docs</h1>")
    (root / "empty").mkdir()
    (root / "404.html").write_text("<h1>missing</h1>")
    (root / "index.html").write_text("<h1>home</h1>")
    (tmp_path / "secret.txt").write_text("outside")
    for path in root.rglob("*"):
        os.utime(path, (OCT_21_2015, OCT_21_2015))
    return root


def client_for(site: Path, *, html: bool = False, follow_symlink: bool = False) -> TestClient:
    app = Transom()
    static = StaticFiles(directory=site, html=html, follow_symlink=follow_symlink)
    app.mount("/static", static, name="static")

    @app.get("/link")
    def link(request: Request) -> str:
        return str(request.url_for("static", path="/css/app.css"))

    return TestClient(app, follow_redirects=False)


def test_a_file_is_served_with_its_validators(site: Path) -> None:
    response = client_for(site).get("/static/css/app.css")
    assert response.status_code == 200
    assert response.text == "body {}"
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.headers["last-modified"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"].startswith('"')


TRAVERSALS = [
    # Paths as a server hands them over: percent-decoded (so `%2e%2e` arrives as `..`,
    # `%2f` as `/`, `%5c` as a backslash, `%00` as NUL), dot segments kept.
    "/static/../secret.txt",
    "/static/css/../../secret.txt",
    "/static/css/..",
    "/static/..\\secret.txt",
    "/static/css\\..\\..\\secret.txt",
    "/static/app\x00.css",
    "/static//" + str(Path("/etc/passwd")).lstrip("/"),
    "/static/" + "a" * 5000,
    "/static/missing.css",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_leaves_the_directory(site: Path, path: str) -> None:
    (site.parent / "etc").mkdir()
    (site.parent / "etc" / "passwd").write_text("root")
    app = Transom()
    app.mount("/static", StaticFiles(directory=site))
    scope = http_scope("GET", path)
    sent = anyio.run(call_raw, app, "GET", False, scope)
    assert sent[0]["status"] == 404
    assert sent[1]["body"] == b'{"detail":"Not Found"}'


def test_the_same_paths_through_the_test_client(site: Path) -> None:
    client = client_for(site)
    for raw in ("/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt", "/static/..%5csecret.txt"):
        request = client.build_request("GET", "http://testserver")
        request.url = httpx.URL("http://testserver" + raw)
        assert client.send(request).status_code == 404
    assert client.get("/static/css/./app.css").text == "body {}"


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlinks_out_of_the_directory_are_refused_unless_followed(site: Path) -> None:
    (site / "out.txt").symlink_to(site.parent / "secret.txt")
    (site / "in.css").symlink_to(site / "css" / "app.css")
    assert client_for(site).get("/static/out.txt").status_code == 404
    assert client_for(site).get("/static/in.css").text == "body {}"  # stays inside: served
    assert client_for(site, follow_symlink=True).get("/static/out.txt").text == "outside"


CONDITIONS = [
    # (request headers, status)
    ({"If-None-Match": "{etag}"}, 304),
    ({"If-None-Match": "W/{etag}"}, 304),
    ({"If-None-Match": '"other", {etag}'}, 304),
    ({"If-None-Match": "*"}, 304),
    ({"If-None-Match": '"other"'}, 200),
    ({"If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"}, 304),
    ({"If-Modified-Since": "Thu, 22 Oct 2015 07:28:00 GMT"}, 304),
    ({"If-Modified-Since": "Tue, 20 Oct 2015 07:28:00 GMT"}, 200),
    ({"If-Modified-Since": "not a date"}, 200),
    # If-None-Match decides alone when present.
    ({"If-None-Match": '"other"', "If-Modified-Since": "Thu, 22 Oct 2015 07:28:00 GMT"}, 200),
]


@pytest.mark.parametrize(("headers", "status"), CONDITIONS)
def test_conditional_requests(site: Path, headers: dict[str, str], status: int) -> None:
    client = client_for(site)
    etag = client.get("/static/css/app.css").headers["etag"]
    sent = {name: value.format(etag=etag) for name, value in headers.items()}
    response = client.get("/static/css/app.css", headers=sent)
    assert response.status_code == status
    if status == 304:
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert "content-length" not in response.headers
        assert "last-modified" not in response.headers


def test_not_modified_ignores_naive_and_odd_dates() -> None:
    headers = [(b"etag", b'"a"'), (b"last-modified", b"Wed, 21 Oct 2015 07:28:00 GMT")]
    assert not not_modified("GET", [], headers)
    for since in (b"Wed, 21 Oct 2015 07:28:00 -0000", b"Wed, 21 Oct 2015"):
        assert not not_modified("GET", [(b"if-modified-since", since)], headers)


def test_ranges_and_head(site: Path) -> None:
    client = client_for(site)
    response = client.get("/static/css/app.css", headers={"Range": "bytes=0-3"})
    assert (response.status_code, response.text) == (206, "body")
    assert response.headers["content-range"] == "bytes 0-3/7"
    head = client.head("/static/css/app.css")
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", "7")


def test_only_get_and_head(site: Path) -> None:
    response = client_for(site).post("/static/css/app.css")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_directories_are_404_without_html_mode(site: Path) -> None:
    client = client_for(site)
    assert client.get("/static/docs/").status_code == 404
    assert client.get("/static/nothing").json() == {"detail": "Not Found"}


def test_html_mode_serves_index_redirects_folders_and_answers_misses_with_404_html(
    site: Path,
) -> None:
    client = client_for(site, html=True)
    assert client.get("/static/").text == "<h1>home</h1>"
    assert client.get("/static/docs/").text == "<h1>docs</h1>"
    redirect = client.get("/static/docs?x=1")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "http://testserver/static/docs/?x=1"
    missing = client.get("/static/nope")
    assert (missing.status_code, missing.text) == (404, "<h1>missing</h1>")
    assert client.get("/static/empty").status_code == 404  # a folder without index.html


def test_html_mode_without_a_404_page(tmp_path: Path) -> None:
    client = client_for(tmp_path, html=True)
    assert client.get("/static/nope").json() == {"detail": "Not Found"}


def test_the_mount_name_builds_urls(site: Path) -> None:
    client = client_for(site)
    assert client.get("/link").json() == "http://testserver/static/css/app.css"
    app = client.app
    assert isinstance(app, Transom)
    assert app.url_path_for("static", path="css/app.css") == "/static/css/app.css"
    with pytest.raises(LookupError, match="No route named 'nothing'"):
        app.url_path_for("nothing")


def test_a_mounted_apps_routes_are_named_through_the_mount() -> None:
    inner = Transom()

    @inner.get("/items/{item_id}")
    def item(item_id: int) -> int:
        return item_id  # pragma: no cover

    app = Transom()
    app.mount("/api", inner, name="api")
    assert app.url_path_for("api:item", item_id=3) == "/api/items/3"
    with pytest.raises(LookupError):
        app.url_path_for("api:missing")
    with pytest.raises(LookupError, match="No app in the scope"):
        Request({"type": "http", "headers": []}).url_for("x")


def test_a_missing_directory_is_an_error_at_once_or_on_first_use(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="does not exist"):
        StaticFiles(directory=tmp_path / "nope")
    late = StaticFiles(directory=tmp_path / "later", check_dir=False)
    app = Transom()
    app.mount("/s", late)
    with pytest.raises(RuntimeError, match="does not exist"):
        TestClient(app).get("/s/x")
    file = tmp_path / "file"
    file.write_text("x")
    app = Transom()
    app.mount("/s", StaticFiles(directory=file, check_dir=False))
    with pytest.raises(RuntimeError, match="is not a directory"):
        TestClient(app).get("/s/x")


def test_packages_serve_their_statics_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "mypkg"
    (package / "statics").mkdir(parents=True)
    (package / "assets").mkdir()
    (package / "__init__.py").write_text("")
    (package / "statics" / "a.txt").write_text("from statics")
    (package / "assets" / "b.txt").write_text("from assets")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = Transom()
    app.mount("/s", StaticFiles(packages=["mypkg", ("mypkg", "assets")]))
    client = TestClient(app)
    assert client.get("/s/a.txt").text == "from statics"
    assert client.get("/s/b.txt").text == "from assets"
    with pytest.raises(RuntimeError, match="package 'no_such_package' could not be found"):
        StaticFiles(packages=["no_such_package"])
    with pytest.raises(RuntimeError, match="package 'mypkg' has no directory 'other'"):
        StaticFiles(packages=[("mypkg", "other")])


def test_a_websocket_to_static_files_is_refused(site: Path) -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        raise AssertionError  # pragma: no cover

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/x", "headers": []}
    anyio.run(StaticFiles(directory=site), scope, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]


def test_an_unexpected_os_error_is_raised(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: str) -> Iterator[None]:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "stat", broken)
    with pytest.raises(OSError, match="I/O error"):
        StaticFiles(directory=site, check_dir=False).lookup_path(["x"])
