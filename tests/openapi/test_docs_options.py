"""Swagger UI's options on the app, the OAuth2 redirect page, and FastAPI's page functions.

`swagger_ui_parameters`, `swagger_ui_init_oauth` and `swagger_ui_oauth2_redirect_url`
on `Transom(...)`, and `get_swagger_ui_html`, `get_redoc_html` and
`get_swagger_ui_oauth2_redirect_html` for docs routes of one's own. As in
`test_docs.py`, the static directory is a temporary one with made-up files.
"""

from __future__ import annotations

import html
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from transom import Transom
from transom.openapi import docs
from transom.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from transom.responses import HTMLResponse
from transom.testclient import TestClient

REDIRECT_SCRIPT = "var oauth2 = window.opener.swaggerUIRedirectOauth2; window.close();"


@pytest.fixture
def fake_static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    static = tmp_path / "static"
    static.mkdir()
    for name in docs.ASSETS:
        (static / name).write_text(f"/* {name} */\n")
    (static / "oauth2-redirect.js").write_text(REDIRECT_SCRIPT)
    monkeypatch.setattr(docs, "STATIC_DIR", static)
    return static


def swagger_config(page: str) -> list[str]:
    """The lines of the `SwaggerUIBundle({...})` call, stripped."""
    found = re.search(r"SwaggerUIBundle\(\{\n(.*?)\n\}\);", page, re.DOTALL)
    assert found is not None, page
    return [line.strip() for line in found.group(1).splitlines()]


def body(response: HTMLResponse) -> str:
    return bytes(response.body).decode()


# --- the options on the app ----------------------------------------------------------


@pytest.mark.usefixtures("fake_static")
def test_the_default_swagger_ui_configuration() -> None:
    page = TestClient(Transom()).get("/docs").text
    assert swagger_config(page) == [
        "url: '/openapi.json',",
        '"dom_id": "#swagger-ui",',
        '"layout": "BaseLayout",',
        '"deepLinking": true,',
        '"showExtensions": true,',
        '"showCommonExtensions": true,',
        '"validatorUrl": null,',
        "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect',",
        "presets: [",
        "SwaggerUIBundle.presets.apis,",
        "],",
    ]
    assert "ui.initOAuth" not in page


@pytest.mark.usefixtures("fake_static")
def test_swagger_ui_parameters_are_merged_over_the_defaults() -> None:
    parameters = {
        "deepLinking": False,
        "syntaxHighlight": {"theme": "obsidian"},
        "tryItOutEnabled": True,
    }
    page = TestClient(Transom(swagger_ui_parameters=parameters)).get("/docs").text
    config = swagger_config(page)
    # An override stays where the default was; new settings follow the defaults.
    assert config[1:10] == [
        '"dom_id": "#swagger-ui",',
        '"layout": "BaseLayout",',
        '"deepLinking": false,',
        '"showExtensions": true,',
        '"showCommonExtensions": true,',
        '"validatorUrl": null,',
        '"syntaxHighlight": {"theme": "obsidian"},',
        '"tryItOutEnabled": true,',
        "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect',",
    ]
    assert docs.swagger_ui_default_parameters["deepLinking"] is True  # not changed in place


@pytest.mark.usefixtures("fake_static")
def test_swagger_ui_init_oauth_is_passed_to_init_oauth() -> None:
    settings = {"clientId": "docs-client", "appName": "Notes", "scopes": ["read", "write"]}
    page = TestClient(Transom(swagger_ui_init_oauth=settings)).get("/docs").text
    assert (
        'ui.initOAuth({"clientId": "docs-client", "appName": "Notes", '
        '"scopes": ["read", "write"]});\n'
    ) in page


@pytest.mark.usefixtures("fake_static")
def test_settings_cannot_break_out_of_the_script() -> None:
    hostile = "</script><script>alert(1)</script>"
    app = Transom(
        swagger_ui_init_oauth={"appName": hostile}, swagger_ui_parameters={hostile: hostile}
    )
    page = TestClient(app).get("/docs").text
    assert page.count("</script>") == 2
    assert "<script>alert" not in page
    escaped = '"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"'
    assert f"{escaped}: {escaped}," in page
    assert f'ui.initOAuth({{"appName": {escaped}}});' in page


@pytest.mark.usefixtures("fake_static")
def test_the_oauth2_redirect_page_runs_swagger_uis_pinned_script() -> None:
    client = TestClient(Transom())
    response = client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<script>\n{REDIRECT_SCRIPT}\n</script>" in response.text
    assert "<title>Swagger UI: OAuth2 Redirect</title>" in response.text
    assert "Content-Security-Policy" in response.text
    assert "/docs/oauth2-redirect" not in client.get("/openapi.json").text


@pytest.mark.usefixtures("fake_static")
def test_the_oauth2_redirect_url_is_configurable() -> None:
    client = TestClient(Transom(swagger_ui_oauth2_redirect_url="/docs/redirect"), root_path="/api")
    page = client.get("/docs").text
    assert "oauth2RedirectUrl: window.location.origin + '/api/docs/redirect'," in page
    assert REDIRECT_SCRIPT in client.get("/docs/redirect").text
    assert client.get("/docs/oauth2-redirect").status_code == 404


@pytest.mark.usefixtures("fake_static")
@pytest.mark.parametrize("options", [{"swagger_ui_oauth2_redirect_url": None}, {"docs_url": None}])
def test_no_redirect_page_without_the_url_or_without_swagger_ui(options: dict[str, Any]) -> None:
    client = TestClient(Transom(**options))
    assert client.get("/docs/oauth2-redirect").status_code == 404
    assert "oauth2RedirectUrl" not in client.get("/docs").text


def test_a_redirect_script_that_would_end_the_element_is_neutralised(fake_static: Path) -> None:
    (fake_static / "oauth2-redirect.js").write_text("var s = '</script><b>';")
    page = body(get_swagger_ui_oauth2_redirect_html())
    assert page.count("</script>") == 1
    assert "var s = '<\\/script><b>';" in page


def test_the_redirect_page_without_assets_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(docs, "STATIC_DIR", tmp_path / "missing")
    response = TestClient(Transom()).get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert "<script" not in response.text
    assert "assets are not installed" in response.text


def test_the_pinned_redirect_script_is_safe_to_inline() -> None:
    installed = docs.STATIC_DIR / "oauth2-redirect.js"
    if not installed.is_file():
        pytest.skip("The docs assets are not installed (the build had no npm).")
    code = installed.read_text(encoding="utf-8")
    assert "</" not in code
    assert "window.opener.swaggerUIRedirectOauth2" in code


# --- FastAPI's functions -------------------------------------------------------------


def defaults(function: Any) -> dict[str, Any]:
    return {
        name: parameter.default
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def test_the_functions_default_to_the_apps_own_assets_and_no_other_host() -> None:
    assert defaults(get_swagger_ui_html) == {
        "swagger_js_url": "/docs/assets/swagger-ui-bundle.js",
        "swagger_css_url": "/docs/assets/swagger-ui.css",
        "swagger_favicon_url": "data:,",
        "oauth2_redirect_url": None,
        "init_oauth": None,
        "swagger_ui_parameters": None,
    }
    assert defaults(get_redoc_html) == {
        "redoc_js_url": "/docs/assets/redoc.standalone.js",
        "redoc_favicon_url": "data:,",
        "with_google_fonts": False,
    }
    for page in (
        body(get_swagger_ui_html(openapi_url="/openapi.json", title="t")),
        body(get_redoc_html(openapi_url="/openapi.json", title="t")),
    ):
        assert "http://" not in page
        assert "https://" not in page
        # The app's own policy: nothing from any other host.
        assert f'content="{html.escape(docs.CONTENT_SECURITY_POLICY)}"' in page


def test_get_swagger_ui_html_renders_the_urls_and_settings_given() -> None:
    response = get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="Notes - Swagger UI",
        swagger_js_url="https://cdn.example.com/swagger-ui-bundle.js",
        swagger_css_url="//styles.example.com/swagger-ui.css",
        swagger_favicon_url="/static/favicon.png",
        oauth2_redirect_url="/docs/oauth2-redirect",
        init_oauth={"clientId": "c"},
        swagger_ui_parameters={"docExpansion": "none"},
    )
    assert isinstance(response, HTMLResponse)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = body(response)
    assert "<title>Notes - Swagger UI</title>" in page
    assert '<script src="https://cdn.example.com/swagger-ui-bundle.js"></script>' in page
    assert '<link rel="stylesheet" href="//styles.example.com/swagger-ui.css">' in page
    assert '<link rel="icon" href="/static/favicon.png">' in page
    config = swagger_config(page)
    assert config[0] == "url: '/api/openapi.json',"
    assert '"docExpansion": "none",' in config
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'," in config
    assert 'ui.initOAuth({"clientId": "c"});' in page
    # The page's policy lets it load the assets from the hosts they are on, and no other.
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    directives = dict(
        part.split(" ", 1) for part in policy.group(1).replace("&#x27;", "'").split("; ")
    )
    assert directives["script-src"] == "'self' 'unsafe-inline' https://cdn.example.com"
    assert directives["style-src"] == "'self' 'unsafe-inline' styles.example.com"
    assert directives["img-src"] == "'self' data: blob:"


def test_get_redoc_html_loads_google_fonts_only_when_asked() -> None:
    page = body(
        get_redoc_html(openapi_url="/o", title="Notes - ReDoc", redoc_js_url="/static/redoc.js")
    )
    assert '<script src="/static/redoc.js"></script>' in page
    assert 'Redoc.init("/o", {}, document.getElementById("redoc"));' in page
    assert "fonts.googleapis.com" not in page
    page = body(get_redoc_html(openapi_url="/o", title="t", with_google_fonts=True))
    assert '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=' in page
    assert (
        "style-src &#x27;self&#x27; &#x27;unsafe-inline&#x27; https://fonts.googleapis.com;" in page
    )
    assert "font-src &#x27;self&#x27; data: https://fonts.gstatic.com;" in page


@pytest.mark.usefixtures("fake_static")
def test_docs_routes_of_ones_own_built_with_the_functions() -> None:
    """FastAPI's "Custom Docs UI Static Assets" recipe, imports changed."""
    app = Transom(docs_url=None, redoc_url=None)
    assert app.openapi_url is not None
    assert app.swagger_ui_oauth2_redirect_url is not None
    openapi_url = app.openapi_url

    @app.get("/docs", include_in_schema=False)
    async def custom_swagger_ui_html() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=app.title + " - Swagger UI",
            oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        )

    @app.get(app.swagger_ui_oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc_html() -> HTMLResponse:
        return get_redoc_html(openapi_url=openapi_url, title=app.title + " - ReDoc")

    client = TestClient(app)
    page = client.get("/docs").text
    assert '<script src="/docs/assets/swagger-ui-bundle.js"></script>' in page
    # The default asset URLs work: the assets route is served without the built-in pages.
    assert client.get("/docs/assets/swagger-ui-bundle.js").text == "/* swagger-ui-bundle.js */\n"
    assert client.get("/docs/assets/redoc.standalone.js").status_code == 200
    assert REDIRECT_SCRIPT in client.get("/docs/oauth2-redirect").text
    assert "Redoc.init(" in client.get("/redoc").text
    assert client.get("/openapi.json").json()["paths"] == {}


def test_the_examples_in_the_docs_run() -> None:
    text = (Path(__file__).parents[2] / "docs" / "openapi.md").read_text(encoding="utf-8")
    examples = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(examples) >= 3
    for example in examples:
        exec(compile(example, "docs/openapi.md", "exec"), {})
