"""Swagger UI's "Authorize" through the OAuth2 redirect page, in headless Chromium.

One uvicorn server on 127.0.0.1 plays both parts: the API (a Transom app with
`swagger_ui_init_oauth` and `swagger_ui_parameters`) and a stand-in OAuth2
provider whose authorization endpoint answers at once with a token (the
implicit flow). The test presses "Authorize" in `/docs`; Swagger UI opens the
provider in a popup, which redirects to `/docs/oauth2-redirect`; that page
hands the token back to Swagger UI and closes. "Try it out" then calls the API
with the token. Every request for another host is aborted and must never happen.

Same set-up as `tests/openapi/test_docs_browser.py`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlsplit

import pytest

from tests._browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ServerThread,
    require_chromium,
    require_docs_assets,
)
from tests._servers import LOCAL_HOST
from transom import Header, Request, Transom
from transom.responses import RedirectResponse, Response

require_chromium()
require_docs_assets()

from playwright.sync_api import BrowserContext, Route, sync_playwright  # noqa: E402

#: The query strings the stand-in provider's authorization endpoint received.
AUTHORIZE_REQUESTS: list[dict[str, str]] = []
TOKEN = "tok-7f3a"


def make_app() -> Transom:
    app = Transom(
        title="OAuth2 in the browser",
        swagger_ui_init_oauth={"clientId": "docs-client", "scopes": "notes:read"},
        # Visible in the page: operations open ready to execute, no "Try it out" first.
        swagger_ui_parameters={"tryItOutEnabled": True},
    )

    @app.get("/me", openapi_extra={"security": [{"provider": ["notes:read"]}]})
    def me(authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        return {"authorization": authorization}

    @app.get("/provider/authorize", include_in_schema=False)
    def authorize(request: Request) -> Response:
        query = dict(request.query_params)
        AUTHORIZE_REQUESTS.append(query)
        fragment = f"access_token={TOKEN}&token_type=Bearer&state={query['state']}"
        return RedirectResponse(f"{query['redirect_uri']}#{fragment}", status_code=302)

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    app = make_app()
    thread = ServerThread(app)
    # The provider lives on the server's own origin; its port is known only now.
    document = app.openapi()
    document.setdefault("components", {})["securitySchemes"] = {
        "provider": {
            "type": "oauth2",
            "flows": {
                "implicit": {
                    "authorizationUrl": thread.origin + "/provider/authorize",
                    "scopes": {"notes:read": "Read your notes"},
                }
            },
        }
    }
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture(scope="module")
def escaped() -> list[str]:
    return []


@pytest.fixture(scope="module")
def context(escaped: list[str]) -> Iterator[BrowserContext]:
    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == LOCAL_HOST or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            escaped.append(url)
            route.abort("blockedbyclient")

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        browser_context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            browser_context.route("**/*", only_local)
            yield browser_context
        finally:
            browser_context.close()


def test_authorize_gets_a_token_through_the_redirect_page_and_try_it_out_sends_it(
    server: ServerThread, context: BrowserContext, escaped: list[str]
) -> None:
    page = context.new_page()
    page.set_default_timeout(15_000)
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.goto(server.origin + "/docs")

    page.locator(".btn.authorize").first.click()
    modal = page.locator(".modal-ux")
    # swagger_ui_init_oauth filled in the client id and chose the scope.
    assert modal.locator("#client_id_implicit").input_value() == "docs-client"
    assert modal.locator('input[data-value="notes:read"]').is_checked()
    with context.expect_page() as opened:
        modal.locator("button.modal-btn.authorize").click()
    # The popup went to the provider, then to the redirect page, which handed the
    # token back to this page.
    assert opened.value is not page
    modal.get_by_text("Authorized", exact=True).wait_for()

    [query] = AUTHORIZE_REQUESTS
    assert query["response_type"] == "token"
    assert query["client_id"] == "docs-client"
    assert query["scope"] == "notes:read"
    # The page told Swagger UI where to come back to: the app's redirect page.
    assert query["redirect_uri"] == server.origin + "/docs/oauth2-redirect"
    modal.locator("button.btn-done").click()

    block = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/me"]')
    )
    block.locator(".opblock-summary-control").click()
    # tryItOutEnabled (swagger_ui_parameters): Execute is there without "Try it out".
    block.get_by_role("button", name="Execute").click()
    live = block.locator(".live-responses-table")
    live.wait_for()
    shown = live.locator(".response-col_description pre.microlight").first.inner_text()
    assert json.loads(shown) == {"authorization": f"Bearer {TOKEN}"}
    assert escaped == []
    assert page_errors == []
    page.close()
