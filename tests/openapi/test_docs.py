"""The docs pages and their assets route: local URLs only, an allow-list, clear 404s.

Most tests point `transom.openapi.docs.STATIC_DIR` at a temporary directory, so
they do not depend on whether the build hook could fetch the real assets; one
test checks the real, installed files against the pins in `hatch_build.py`.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from transom import Transom
from transom.openapi import docs
from transom.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


def expected_media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix, "text/plain; charset=utf-8")


@pytest.fixture
def fake_static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A static directory holding every allow-listed asset (with made-up content)."""
    static = tmp_path / "static"
    static.mkdir()
    for name in docs.ASSETS:
        (static / name).write_text(f"/* {name} */\n")
    (static / "not-listed.txt").write_text("must never be served")
    monkeypatch.setattr(docs, "STATIC_DIR", static)
    return static


@pytest.fixture
def empty_static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A static directory as left by a build without npm: nothing in it."""
    static = tmp_path / "missing"
    monkeypatch.setattr(docs, "STATIC_DIR", static)
    return static


def make_client(**kwargs: Any) -> TestClient:
    app = Transom(**{"title": "Docs test", **kwargs})

    @app.get("/items")
    def items() -> list[int]:
        return [1, 2]

    return TestClient(app)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with make_client() as test_client:
        yield test_client


def assert_only_local_urls(page: str) -> None:
    assert "http://" not in page
    assert "https://" not in page
    assert '"//' not in page, "no protocol-relative URLs either"


# --- the pages ------------------------------------------------------------------


@pytest.mark.usefixtures("fake_static")
def test_swagger_ui_page_uses_only_the_apps_own_urls(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert_only_local_urls(page)
    assert "<title>Docs test - Swagger UI</title>" in page
    assert re.search(r'<link rel="stylesheet" href="/docs/assets/swagger-ui\.css\?v=\w+">', page)
    assert re.search(r'<script src="/docs/assets/swagger-ui-bundle\.js\?v=\w+"></script>', page)
    assert "SwaggerUIBundle({" in page
    assert "url: '/openapi.json'," in page
    assert '"dom_id": "#swagger-ui",' in page
    assert '"deepLinking": true,' in page
    assert '"validatorUrl": null,' in page
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'," in page
    assert "initOAuth" not in page
    assert "Content-Security-Policy" in page


@pytest.mark.usefixtures("fake_static")
def test_redoc_page_uses_only_the_apps_own_urls(client: TestClient) -> None:
    response = client.get("/redoc")
    assert response.status_code == 200
    page = response.text
    assert_only_local_urls(page)
    assert "<title>Docs test - ReDoc</title>" in page
    # The assets live under the Swagger UI path whenever it is enabled.
    assert re.search(r'<script src="/docs/assets/redoc\.standalone\.js\?v=\w+"></script>', page)
    assert 'Redoc.init("/openapi.json", {}, document.getElementById("redoc"));' in page


@pytest.mark.usefixtures("fake_static")
def test_the_page_policy_allows_loading_only_from_the_app() -> None:
    policy = docs.CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    for directive in ("default-src", "script-src", "style-src", "img-src", "font-src"):
        sources = directives[directive].split()
        assert "'self'" in sources
        assert all(source in {"'self'", "'unsafe-inline'", "data:", "blob:"} for source in sources)


@pytest.mark.usefixtures("fake_static")
def test_asset_urls_change_when_the_file_changes(fake_static: Path) -> None:
    def stamp() -> str:
        page = docs.swagger_ui_html(title="t", openapi_url="/o", assets_url="/a")
        found = re.search(r"swagger-ui-bundle\.js\?v=(\w+)", page)
        assert found is not None
        return found.group(1)

    before = stamp()
    path = fake_static / "swagger-ui-bundle.js"
    path.write_text("/* a newer bundle, longer */\n")
    assert stamp() != before


@pytest.mark.usefixtures("fake_static")
def test_title_is_html_escaped() -> None:
    with make_client(title='<script>alert("x")</script> & co') as test_client:
        for path in ("/docs", "/redoc"):
            page = test_client.get(path).text
            assert "<script>alert" not in page
            assert "<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co - " in page


HOSTILE = "/o\"'</script><script>alert(1)//\u2028&"
#: `HOSTILE` as a JavaScript string: no quote of its own ends it, nothing ends the element.
HOSTILE_JS = '/o\\"\\u0027\\u003c/script\\u003e\\u003cscript\\u003ealert(1)//\\u2028\\u0026'


@pytest.mark.usefixtures("fake_static")
@pytest.mark.parametrize(
    ("render", "quoted"),
    [
        (docs.swagger_ui_html, f"url: '{HOSTILE_JS}',"),
        (docs.redoc_html, '"' + HOSTILE_JS.replace("\\u0027", "'") + '"'),
    ],
)
def test_urls_cannot_break_out_of_the_script_or_attribute(render: Any, quoted: str) -> None:
    page = render(title="t", openapi_url=HOSTILE, assets_url='/a"><img src=x>')
    assert page.count("</script>") == 2
    assert "<script>alert" not in page
    assert "<img" not in page
    assert quoted in page
    assert 'src="/a&quot;&gt;&lt;img src=x&gt;/' in page


@pytest.mark.usefixtures("fake_static")
def test_pages_and_assets_follow_the_root_path() -> None:
    app = Transom(title="Behind a proxy")
    with TestClient(app, root_path="/api") as test_client:
        page = test_client.get("/docs").text
        assert "url: '/api/openapi.json'," in page
        assert "oauth2RedirectUrl: window.location.origin + '/api/docs/oauth2-redirect'," in page
        assert '<script src="/api/docs/assets/swagger-ui-bundle.js?v=' in page
        redoc = test_client.get("/redoc").text
        assert 'Redoc.init("/api/openapi.json",' in redoc


# --- configuring and disabling the URLs ----------------------------------------------


@pytest.mark.usefixtures("fake_static")
def test_custom_urls() -> None:
    with make_client(
        openapi_url="/spec.json", docs_url="/api-docs", redoc_url="/reference"
    ) as test_client:
        page = test_client.get("/api-docs").text
        assert "url: '/spec.json'," in page
        assert "/api-docs/assets/swagger-ui-bundle.js?v=" in page
        assert test_client.get("/api-docs/assets/swagger-ui.css").status_code == 200
        assert 'Redoc.init("/spec.json",' in test_client.get("/reference").text
        for old in ("/docs", "/redoc", "/openapi.json", "/docs/assets/swagger-ui.css"):
            assert test_client.get(old).status_code == 404, old


@pytest.mark.usefixtures("fake_static")
def test_docs_url_none_disables_swagger_ui_and_redoc_serves_the_assets() -> None:
    with make_client(docs_url=None) as test_client:
        assert test_client.get("/docs").status_code == 404
        assert test_client.get("/docs/assets/redoc.standalone.js").status_code == 404
        page = test_client.get("/redoc").text
        assert '<script src="/redoc/assets/redoc.standalone.js?v=' in page
        assert test_client.get("/redoc/assets/redoc.standalone.js").status_code == 200


@pytest.mark.usefixtures("fake_static")
def test_redoc_url_none_disables_redoc() -> None:
    with make_client(redoc_url=None) as test_client:
        assert test_client.get("/redoc").status_code == 404
        assert test_client.get("/docs").status_code == 200


@pytest.mark.usefixtures("fake_static")
def test_both_pages_disabled_still_serves_the_assets_for_pages_of_ones_own() -> None:
    with make_client(docs_url=None, redoc_url=None) as test_client:
        for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            assert test_client.get(path).status_code == 404, path
        assert test_client.get("/openapi.json").status_code == 200
        # Where get_swagger_ui_html() and get_redoc_html() load them by default.
        assert test_client.get("/docs/assets/swagger-ui.css").status_code == 200


@pytest.mark.usefixtures("fake_static")
def test_openapi_url_none_disables_everything() -> None:
    with make_client(openapi_url=None) as test_client:
        for path in ("/openapi.json", "/docs", "/redoc", "/docs/assets/swagger-ui.css"):
            assert test_client.get(path).status_code == 404, path
        assert test_client.get("/items").json() == [1, 2]


# --- the assets route -----------------------------------------------------------------


@pytest.mark.usefixtures("fake_static")
@pytest.mark.parametrize("name", sorted(docs.ASSETS))
def test_every_allow_listed_asset_is_served(client: TestClient, name: str) -> None:
    response = client.get(f"/docs/assets/{name}", params={"v": "abc"})
    assert response.status_code == 200
    assert response.text == f"/* {name} */\n"
    assert response.headers["content-type"] == expected_media_type(name)
    assert response.headers["cache-control"] == "public, max-age=604800"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "etag" in response.headers
    assert "content-disposition" not in response.headers


def test_the_allow_list_is_exactly_the_assets_the_hook_installs() -> None:
    packages = hook_packages()
    installed = {name for package in packages.values() for name in package["files"]}
    assert installed == set(docs.ASSETS)
    assert set(docs.ASSETS) >= {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"}


UNKNOWN_NAMES = [
    "",
    "index.html",
    "swagger-ui.js",
    "swagger-ui.css.map",
    "SWAGGER-UI.CSS",
    "not-listed.txt",
    "./swagger-ui.css",
    "static/swagger-ui.css",
    "swagger-ui.css/",
    "../docs.py",
    "../../pyproject.toml",
    "../../../../../pyproject.toml",
    "/etc/passwd",
    "..\\..\\pyproject.toml",
    "swagger-ui.css\x00.txt",
]


@pytest.mark.usefixtures("fake_static")
@pytest.mark.parametrize("name", UNKNOWN_NAMES)
def test_anything_else_is_a_404(name: str) -> None:
    response = docs.asset_response(name)
    assert response.status_code == 404
    assert response.body == b"Not Found"


@pytest.mark.usefixtures("fake_static")
@pytest.mark.parametrize(
    "path",
    [
        "/docs/assets/..%2F..%2Fpyproject.toml",
        "/docs/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
        "/docs/assets/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/docs/assets/%2Fetc%2Fpasswd",
        "/docs/assets/not-listed.txt",
        "/docs/assets/swagger-ui.css/x",
        "/docs/assets/",
    ],
)
def test_traversal_over_http_is_a_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "[project]" not in response.text
    assert "root:" not in response.text
    assert "never be served" not in response.text


@pytest.mark.usefixtures("empty_static")
def test_missing_assets_are_a_404_that_says_why(client: TestClient) -> None:
    response = client.get("/docs/assets/swagger-ui-bundle.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "swagger-ui-bundle.js is not installed" in response.text
    assert "npm" in response.text
    assert "pip install -e ." in response.text


@pytest.mark.usefixtures("empty_static")
@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_pages_without_assets_explain_instead_of_loading_scripts(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = response.text
    assert_only_local_urls(page)
    assert "<script" not in page
    assert "assets are not installed" in page
    assert "npm" in page
    assert '<a href="/openapi.json">/openapi.json</a>' in page


def test_a_partial_installation_only_breaks_the_page_that_needs_the_missing_file(
    fake_static: Path, client: TestClient
) -> None:
    (fake_static / "redoc.standalone.js").unlink()
    assert "SwaggerUIBundle" in client.get("/docs").text
    assert "assets are not installed" in client.get("/redoc").text
    assert client.get("/docs/assets/redoc.standalone.js").status_code == 404


# --- the build hook's pins and the installed files ------------------------------------


def hook_packages() -> dict[str, Any]:
    """`PACKAGES` from hatch_build.py, read without importing hatchling."""
    tree = ast.parse((ROOT / "hatch_build.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "PACKAGES"
            and node.value is not None
        ):
            packages: dict[str, Any] = ast.literal_eval(node.value)
            return packages
    raise AssertionError("hatch_build.py defines no PACKAGES")


def test_the_hook_pins_exact_versions_and_hashes() -> None:
    packages = hook_packages()
    assert {spec.rsplit("@", 1)[0] for spec in packages} == {"swagger-ui-dist", "redoc"}
    for spec, package in packages.items():
        assert re.fullmatch(r"[a-z-]+@\d+\.\d+\.\d+", spec), spec
        assert package["integrity"].startswith("sha512-")
        assert len(base64.b64decode(package["integrity"].removeprefix("sha512-"))) == 64
        for member, digest in package["files"].values():
            assert member.startswith("package/")
            assert ".." not in member
            assert re.fullmatch(r"[0-9a-f]{64}", digest)
    hook = (ROOT / "hatch_build.py").read_text(encoding="utf-8")
    assert "http://" not in hook
    assert "https://" not in hook


def test_installed_assets_match_the_pins() -> None:
    """The real static directory: every file present must be the pinned one.

    A build without npm leaves it empty (skipped here); CI builds with npm, so
    there every asset must be installed.
    """
    pins = {
        name: digest
        for package in hook_packages().values()
        for name, (_, digest) in package["files"].items()
    }
    present = {name for name in pins if (docs.STATIC_DIR / name).is_file()}
    if os.environ.get("CI") == "true":
        assert present == set(pins), "CI installs with npm, so every asset must be there"
    elif not present:
        pytest.skip("The docs assets are not installed (the build had no npm).")
    for name in present:
        digest = hashlib.sha256((docs.STATIC_DIR / name).read_bytes()).hexdigest()
        assert digest == pins[name], name


# --- what the app changes when serving, what it says when the assets are missing ------


def test_redocs_bundle_is_served_without_its_one_url_of_another_host(fake_static: Path) -> None:
    old, new = docs.REWRITES["redoc.standalone.js"]
    (fake_static / "redoc.standalone.js").write_bytes(b"a(" + old + b");b(" + old + b");\n")
    with make_client() as test_client:
        response = test_client.get("/docs/assets/redoc.standalone.js")
    assert response.status_code == 200
    assert response.content == b"a(" + new + b");b(" + new + b");\n"
    assert b"cdn.redoc.ly" not in response.content
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=604800"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_rewrite_is_read_again_when_the_installed_file_changes(fake_static: Path) -> None:
    bundle = fake_static / "redoc.standalone.js"
    with make_client() as test_client:
        bundle.write_bytes(b"first")
        assert test_client.get("/docs/assets/redoc.standalone.js").content == b"first"
        bundle.write_bytes(b"second, longer")
        assert test_client.get("/docs/assets/redoc.standalone.js").content == b"second, longer"


def test_the_installed_redoc_bundle_has_the_url_the_rewrite_replaces() -> None:
    bundle = docs.STATIC_DIR / "redoc.standalone.js"
    if not bundle.is_file():
        pytest.skip("the docs assets are not installed (no npm at build time)")
    old, _ = docs.REWRITES["redoc.standalone.js"]
    assert bundle.read_bytes().count(old) == 1


@pytest.mark.usefixtures("empty_static")
def test_missing_assets_are_logged_once_when_the_app_starts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("WARNING", logger="transom"), make_client() as test_client:
        test_client.get("/items")
        test_client.get("/docs")
    records = [record for record in caplog.records if record.name == "transom"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert message.startswith("/docs and /redoc will show no API docs: ")
    assert "npm" in message
    assert "pip install -e ." in message


@pytest.mark.usefixtures("empty_static")
@pytest.mark.parametrize(
    "options",
    [{"docs_url": None, "redoc_url": None}, {"openapi_url": None}],
    ids=["no pages", "no document"],
)
def test_no_warning_without_docs_pages(
    caplog: pytest.LogCaptureFixture, options: dict[str, Any]
) -> None:
    with caplog.at_level("WARNING", logger="transom"), make_client(**options) as test_client:
        test_client.get("/items")
    assert [record for record in caplog.records if record.name == "transom"] == []


@pytest.mark.usefixtures("fake_static")
def test_no_warning_when_the_assets_are_installed(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="transom"), make_client() as test_client:
        test_client.get("/docs")
    assert [record for record in caplog.records if record.name == "transom"] == []
