"""Frontends (`app.frontend`, `router.frontend`) as a client sees them."""

import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests._asgi import call_raw, http_scope
from transom import (
    APIRouter,
    BackgroundTasks,
    Depends,
    HTTPException,
    Request,
    Response,
    Transom,
    WebSocket,
)
from transom._types import Receive, Scope, Send
from transom.exceptions import DeclarationError
from transom.responses import PlainTextResponse
from transom.routing import BaseRoute, Match
from transom.testclient import TestClient

OCT_21_2015 = 1445412480  # Wed, 21 Oct 2015 07:28:00 GMT
HTML = {"accept": "text/html"}
NOT_FOUND = b'{"detail":"Not Found"}'


def build(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    root.mkdir(parents=True, exist_ok=True)
    for path in [root, *root.rglob("*")]:
        os.utime(path, (OCT_21_2015, OCT_21_2015))
    return root


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "secret.txt").write_text("secret")
    return build(
        tmp_path / "dist",
        {
            "index.html": "<p>app</p>",
            "assets/app.js": "run()",
            "about/index.html": "<p>about</p>",
            "api": "a file named api",
        },
    )


def client(app: Transom) -> TestClient:
    return TestClient(app, follow_redirects=False)


def test_a_file_below_the_prefix_is_served_with_its_headers(dist: Path) -> None:
    app = Transom()
    app.frontend("/", directory=dist)
    response = client(app).get("/assets/app.js")
    assert response.status_code == 200
    assert response.content == b"run()"
    headers = dict(response.headers)
    assert headers.pop("etag").startswith('"')
    assert headers == {
        "content-type": "text/javascript; charset=utf-8",
        "accept-ranges": "bytes",
        "content-length": "5",
        "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT",
    }


def test_the_root_and_folders_are_answered_with_their_index(dist: Path) -> None:
    app = Transom()
    app.frontend("/", directory=dist)
    answer = client(app).get("/")
    assert (answer.status_code, answer.content) == (200, b"<p>app</p>")
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    redirect = client(app).get("/about?tab=1")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "http://testserver/about/?tab=1"
    assert redirect.content == b""
    assert client(app).get("/about/").content == b"<p>about</p>"


def test_a_prefix_serves_below_it_on_segment_boundaries_only(dist: Path) -> None:
    app = Transom()
    app.frontend("/app/", directory=dist, fallback="index.html")  # the slash is dropped
    assert client(app).get("/app/assets/app.js").content == b"run()"
    redirect = client(app).get("/app")
    assert (redirect.status_code, redirect.headers["location"]) == (307, "http://testserver/app/")
    assert client(app).get("/app/").content == b"<p>app</p>"
    refused = client(app).get("/application", headers=HTML)
    assert (refused.status_code, refused.content) == (404, NOT_FOUND)


def test_a_router_prefix_and_include_prefixes_add_up(dist: Path) -> None:
    inner = APIRouter(prefix="/internal")
    inner.frontend("/ui", directory=dist, fallback="index.html")
    outer = APIRouter()
    outer.include_router(inner, prefix="/child")
    app = Transom()
    app.include_router(outer, prefix="/parent")
    assert client(app).get("/parent/child/internal/ui/assets/app.js").content == b"run()"
    page = client(app).get("/parent/child/internal/ui/settings", headers=HTML)
    assert (page.status_code, page.content) == (200, b"<p>app</p>")
    assert client(app).get("/internal/ui/assets/app.js").status_code == 404


def test_root_path_is_below_the_proxy_prefix(dist: Path) -> None:
    app = Transom()
    app.frontend("/app", directory=dist)
    response = TestClient(app, root_path="/proxy").get("/app/assets/app.js")
    assert (response.status_code, response.content) == (200, b"run()")


# (fallback, files in the build, Accept) -> (status, body, Vary)
FALLBACKS = [
    ("auto", {"index.html": "index"}, "text/html", 200, b"index", "Accept"),
    ("auto", {"index.html": "index"}, "application/xhtml+xml", 200, b"index", "Accept"),
    ("auto", {"index.html": "index"}, "*/*", 404, NOT_FOUND, "Accept"),
    ("auto", {"index.html": "index", "404.html": "missing"}, "text/html", 404, b"missing", None),
    ("auto", {"404.html": "missing"}, "*/*", 404, b"missing", None),
    ("auto", {}, "text/html", 404, NOT_FOUND, None),
    (
        "index.html",
        {"index.html": "index"},
        "text/html; charset=utf-8; q=0.8",
        200,
        b"index",
        "Accept",
    ),
    ("index.html", {"index.html": "index"}, "text/html; q=wat", 200, b"index", "Accept"),
    ("index.html", {"index.html": "index"}, "TEXT/HTML", 200, b"index", "Accept"),
    ("index.html", {"index.html": "index"}, "text/html; q=0", 404, NOT_FOUND, "Accept"),
    ("index.html", {"index.html": "index"}, "text/html; q=0, */*", 404, NOT_FOUND, "Accept"),
    ("index.html", {"index.html": "index"}, "text/*", 404, NOT_FOUND, "Accept"),
    ("index.html", {"index.html": "index"}, "application/json", 404, NOT_FOUND, "Accept"),
    ("index.html", {"index.html": "index"}, "", 404, NOT_FOUND, "Accept"),
    ("index.html", {"index.html": "index", "404.html": "missing"}, "*/*", 404, NOT_FOUND, "Accept"),
    (
        "404.html",
        {"index.html": "index", "404.html": "missing"},
        "text/html",
        404,
        b"missing",
        None,
    ),
    (None, {"index.html": "index", "404.html": "missing"}, "text/html", 404, NOT_FOUND, None),
]


@pytest.mark.parametrize(("fallback", "files", "accept", "status", "body", "vary"), FALLBACKS)
def test_a_path_that_names_no_file_gets_the_fallback(
    tmp_path: Path,
    fallback: str | None,
    files: dict[str, str],
    accept: str,
    status: int,
    body: bytes,
    vary: str | None,
) -> None:
    app = Transom()
    app.frontend("/", directory=build(tmp_path / "dist", files), fallback=fallback)  # type: ignore[arg-type]
    response = client(app).get("/dashboard/settings", headers={"accept": accept})
    assert (response.status_code, response.content) == (status, body)
    assert response.headers.get("vary") == vary
    if body in (b"index", b"missing"):
        assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_the_index_fallback_answers_conditional_requests(dist: Path) -> None:
    app = Transom()
    app.frontend("/", directory=dist)
    etag = client(app).get("/dashboard", headers=HTML).headers["etag"]
    response = client(app).get("/dashboard", headers={**HTML, "if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert dict(response.headers) == {"vary": "Accept", "etag": etag}


def test_head_gets_the_headers_of_get_and_no_body(dist: Path) -> None:
    app = Transom()
    app.frontend("/", directory=dist)
    asset = client(app).head("/assets/app.js")
    assert (asset.status_code, asset.content) == (200, b"")
    assert asset.headers["content-length"] == "5"
    page = client(app).head("/dashboard", headers=HTML)
    assert (page.status_code, page.content) == (200, b"")
    assert page.headers["content-length"] == str(len("<p>app</p>"))


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/assets/app.js", 405),
        ("DELETE", "/", 405),
        ("PUT", "/about/", 405),
        ("POST", "/dashboard", 404),
        ("OPTIONS", "/dashboard", 404),
        ("PATCH", "/empty/", 404),
    ],
)
def test_other_methods_get_405_where_a_file_is_and_404_elsewhere(
    dist: Path, method: str, path: str, status: int
) -> None:
    (dist / "empty").mkdir()
    calls: list[str] = []
    app = Transom(dependencies=[Depends(lambda: calls.append("dependency"))])
    app.frontend("/", directory=dist, fallback="index.html")
    response = client(app).request(method, path, headers=HTML)
    assert response.status_code == status
    if status == 405:
        assert response.headers["allow"] == "GET, HEAD"
        assert response.content == b'{"detail":"Method Not Allowed"}'
    else:
        assert response.content == NOT_FOUND
    assert calls == []  # the answer is the same whoever asks


TRAVERSALS = [
    "/../secret.txt",
    "/assets/../../secret.txt",
    "/..\\secret.txt",
    "/assets\\..\\..\\secret.txt",
    "/secret\x00.txt",
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_leaves_the_directory(dist: Path, path: str) -> None:
    app = Transom()
    app.frontend("/", directory=dist)
    # Paths as a server hands them over: percent-decoded, dot segments kept.
    sent = anyio.run(call_raw, app, "GET", False, http_scope("GET", path))
    assert sent[0]["status"] == 404
    assert sent[1]["body"] == NOT_FOUND


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_out_of_the_directory_is_not_served(dist: Path) -> None:
    (dist / "leak.txt").symlink_to(dist.parent / "secret.txt")
    app = Transom()
    app.frontend("/", directory=dist)
    response = client(app).get("/leak.txt")
    assert (response.status_code, response.content) == (404, NOT_FOUND)


def test_routes_win_over_the_frontend(dist: Path) -> None:
    app = Transom()

    @app.get("/api")
    def api() -> dict[str, str]:
        return {"source": "api"}

    @app.get("/about/")
    def about() -> dict[str, str]:
        return {"source": "about"}

    @app.get("/gone")
    def gone() -> None:
        raise HTTPException(404, detail="api missing")

    @app.websocket("/ws")
    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("socket")
        await websocket.close()

    app.frontend("/", directory=dist)
    test = client(app)
    assert test.get("/api", headers=HTML).json() == {"source": "api"}
    # The router's own answers come before the frontend's: a 405, a slash redirect.
    refused = test.post("/api")
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET")
    redirect = test.get("/about")
    assert (redirect.status_code, redirect.headers["location"]) == (307, "http://testserver/about/")
    assert test.get("/gone", headers=HTML).content == b'{"detail":"api missing"}'
    with test.websocket_connect("/ws") as websocket:
        assert websocket.receive_text() == "socket"


def test_a_websocket_to_a_frontend_path_is_refused(dist: Path) -> None:
    app = Transom()
    app.frontend("/", directory=dist)
    sent = anyio.run(call_raw, app, "GET", False, {**http_scope("GET", "/"), "type": "websocket"})
    assert sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]


def test_the_longest_prefix_wins_whatever_the_order(tmp_path: Path) -> None:
    site = build(tmp_path / "site", {"index.html": "site", "admin/client": "site's file"})
    admin = build(tmp_path / "admin", {"index.html": "admin"})
    for order in ((("/", site), ("/admin", admin)), (("/admin", admin), ("/", site))):
        app = Transom()
        for prefix, directory in order:
            app.frontend(prefix, directory=directory, fallback="index.html")
        assert client(app).get("/admin/settings", headers=HTML).content == b"admin"
        assert client(app).get("/settings", headers=HTML).content == b"site"
        assert client(app).get("/admin/client").status_code == 404
        assert client(app).post("/admin/client").status_code == 404


def test_frontends_are_not_in_the_openapi_document(dist: Path) -> None:
    app = Transom()

    @app.get("/api")
    def api() -> dict[str, bool]:
        return {"ok": True}

    app.frontend("/", directory=dist)
    assert list(client(app).get("/openapi.json").json()["paths"]) == ["/api"]
    assert client(app).get("/docs").status_code == 200  # the docs routes still win


def test_dependencies_run_outermost_first_on_get_and_head(dist: Path) -> None:
    calls: list[str] = []

    def record(name: str) -> Any:
        def dependency(request: Request) -> None:
            calls.append(f"{name} {request.url.path}")

        return Depends(dependency)

    child = APIRouter(dependencies=[record("child")])
    child.frontend("/ui", directory=dist)
    parent = APIRouter(dependencies=[record("parent")])
    parent.include_router(child, prefix="/child", dependencies=[record("parent-include")])
    app = Transom(dependencies=[record("app")])
    app.include_router(parent, prefix="/parent", dependencies=[record("app-include")])
    assert client(app).get("/parent/child/ui/").content == b"<p>app</p>"
    path = "/parent/child/ui/"
    assert calls == [
        f"{name} {path}" for name in ("app", "app-include", "parent", "parent-include", "child")
    ]


def test_only_the_chosen_frontend_runs_its_dependencies(tmp_path: Path) -> None:
    calls: list[str] = []
    site, admin = APIRouter(), APIRouter()
    site.frontend("/", directory=build(tmp_path / "site", {"index.html": "site"}))
    admin.frontend("/", directory=build(tmp_path / "admin", {"index.html": "admin"}))
    app = Transom()
    app.include_router(site, dependencies=[Depends(lambda: calls.append("site"))])
    app.include_router(
        admin, prefix="/admin", dependencies=[Depends(lambda: calls.append("admin"))]
    )

    @app.get("/api")
    def api() -> str:
        return "api"

    assert client(app).get("/admin/").content == b"admin"
    assert client(app).get("/api").json() == "api"
    assert calls == ["admin"]


def test_a_dependency_guards_the_files_and_the_fallback(dist: Path) -> None:
    def require_session(request: Request) -> None:
        if request.cookies.get("session") != "ok":
            raise HTTPException(401, headers={"WWW-Authenticate": "Cookie"})

    router = APIRouter(dependencies=[Depends(require_session)])
    router.frontend("/", directory=dist, fallback="index.html")
    app = Transom()
    app.include_router(router, prefix="/app")
    test = client(app)
    refused = test.get("/app/assets/app.js")
    assert (refused.status_code, refused.content) == (401, b'{"detail":"Unauthorized"}')
    assert refused.headers["www-authenticate"] == "Cookie"
    assert refused.headers["vary"] == "Cookie"
    test.cookies.set("session", "ok")
    assert test.get("/app/assets/app.js").content == b"run()"
    assert test.get("/app/dashboard", headers=HTML).content == b"<p>app</p>"


def test_what_dependencies_set_is_sent_with_the_file(dist: Path) -> None:
    ran: list[str] = []

    def shape(response: Response, tasks: BackgroundTasks) -> None:
        response.headers["Cache-Control"] = "no-cache"
        response.set_cookie("seen", "1", httponly=True)
        tasks.add_task(ran.append, "background")

    app = Transom(dependencies=[Depends(shape)])
    app.frontend("/", directory=dist)
    response = client(app).get("/assets/app.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers.get_list("set-cookie") == ["seen=1; Path=/; HttpOnly; SameSite=Lax"]
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert ran == ["background"]


def test_dependency_overrides_and_validation_errors_apply(dist: Path) -> None:
    def needs_token(token: str) -> None:
        pass

    app = Transom(dependencies=[Depends(needs_token)])
    app.frontend("/", directory=dist)
    response = client(app).get("/")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["query", "token"], "msg": "Field required", "input": None}
        ]
    }
    assert client(app).get("/?token=t").content == b"<p>app</p>"
    app.dependency_overrides[needs_token] = lambda: None
    assert client(app).get("/").content == b"<p>app</p>"


def test_a_dependency_declaration_error_names_the_frontend(dist: Path) -> None:
    def broken(value: "NoSuchType") -> None:  # type: ignore[name-defined]  # noqa: F821
        pass  # pragma: no cover

    app = Transom(dependencies=[Depends(broken)])
    with pytest.raises(
        DeclarationError, match=re.escape("frontend GET|HEAD /: dependency test_a_dependency")
    ):
        app.frontend("/", directory=dist)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "A frontend path must start with '/', got ''"),
        ("app", "A frontend path must start with '/', got 'app'"),
        ("/{name}", "cannot hold parameters, got '/{name}'"),
    ],
)
def test_a_bad_path_is_refused_when_declared(dist: Path, path: str, message: str) -> None:
    with pytest.raises(DeclarationError, match=re.escape(message)):
        Transom().frontend(path, directory=dist)


def test_an_unknown_fallback_is_refused_when_declared(dist: Path) -> None:
    with pytest.raises(
        DeclarationError,
        match=re.escape("fallback must be 'auto', 'index.html', '404.html' or None, got 'spa'"),
    ):
        APIRouter().frontend("/", directory=dist, fallback="spa")  # type: ignore[arg-type]


def test_a_missing_directory_or_fallback_file_is_refused_when_declared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build(tmp_path / "dist", {"index.html": "index"})
    resolved = str(tmp_path / "missing")
    with pytest.raises(RuntimeError) as missing:
        Transom().frontend("/", directory="missing")
    assert str(missing.value) == (
        f"Frontend directory 'missing' does not exist (resolved: {resolved!r}); build the "
        "frontend first, or pass check_dir=False to check on the first request."
    )
    with pytest.raises(
        RuntimeError, match=re.escape("Frontend directory 'dist/index.html' is not a directory.")
    ):
        Transom().frontend("/", directory="dist/index.html")
    with pytest.raises(RuntimeError) as no_fallback:
        Transom().frontend("/", directory="dist", fallback="404.html")
    assert str(no_fallback.value) == (
        f"Frontend fallback file '404.html' does not exist in directory 'dist' (resolved: "
        f"{str(tmp_path / 'dist')!r}); add it to the build, or choose another fallback."
    )


def test_check_dir_false_checks_on_the_first_request(tmp_path: Path) -> None:
    app = Transom()
    app.frontend("/", directory=tmp_path / "dist", check_dir=False, fallback="404.html")
    with pytest.raises(RuntimeError, match="does not exist"):
        client(app).get("/asset.txt")
    build(tmp_path / "dist", {"asset.txt": "late"})
    assert client(app).get("/asset.txt").content == b"late"
    with pytest.raises(RuntimeError, match=re.escape("fallback file '404.html' does not exist")):
        client(app).get("/missing.txt")


def test_check_dir_auto_only_warns_in_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSOM_ENV", "development")
    for declare in (Transom().frontend, APIRouter().frontend):
        with pytest.warns(UserWarning, match="does not exist") as caught:
            declare("/", directory=tmp_path / "dist")
        assert caught[0].filename == __file__  # points at the declaration
    with pytest.raises(RuntimeError, match="does not exist"):
        Transom().frontend("/", directory=tmp_path / "dist", check_dir=True)
    build(tmp_path / "dist", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Transom().frontend("/", directory=tmp_path / "dist")
    monkeypatch.setenv("TRANSOM_ENV", "production")
    with pytest.raises(RuntimeError, match="does not exist"):
        APIRouter().frontend("/", directory=tmp_path / "other")


def test_a_route_matching_by_itself_answers_before_the_frontend(dist: Path) -> None:
    class Legacy(BaseRoute):
        def matches(self, scope: Scope) -> tuple[Match, Scope]:
            if not scope["path"].startswith("/legacy/"):
                return Match.NONE, {}
            return (Match.FULL if scope["method"] == "GET" else Match.PARTIAL), {}

        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            status = 200 if scope["method"] == "GET" else 405
            await PlainTextResponse(f"legacy {status}", status_code=status)(scope, receive, send)

    app = Transom()
    app.router.routes.append(Legacy())
    app.frontend("/", directory=dist)
    c = client(app)
    assert c.get("/legacy/page", headers=HTML).text == "legacy 200"
    refused = c.post("/legacy/page")
    assert (refused.status_code, refused.text) == (405, "legacy 405")
    assert c.get("/other", headers=HTML).text == "<p>app</p>"
