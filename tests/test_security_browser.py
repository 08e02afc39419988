"""Swagger UI's **Authorize** with the OAuth2 password flow, in headless Chromium.

The todo example (`examples/todo.py`) is served by uvicorn on 127.0.0.1; the
browser may reach nothing else. On the offline `/docs`, the test logs in
through the password flow (Swagger UI posts the form to the scheme's
`tokenUrl`), then runs **Try it out** on a protected operation, which must
send the token it got as `Authorization: Bearer ...` and be answered 200.
Same set-up as `tests/openapi/test_docs_browser.py`.
"""

import re
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests._browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    IN_CI,
    ServerThread,
    require_chromium,
)
from tests._servers import LOCAL_HOST
from transom.openapi import docs

require_chromium()
if not IN_CI and not (docs.STATIC_DIR / "swagger-ui-bundle.js").is_file():
    pytest.skip(
        "The docs assets are not installed (the build had no npm).", allow_module_level=True
    )

from examples.todo import app  # noqa: E402
from playwright.sync_api import BrowserContext, Page, Request, Route, sync_playwright  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PASSWORD = "a password for swagger"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    thread = ServerThread(app)
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
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            escaped.append(route.request.url)
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


def register(context: BrowserContext, server: ServerThread) -> str:
    username = "swagger_" + secrets.token_hex(4)
    response = context.request.post(
        server.origin + "/users", data={"username": username, "password": PASSWORD}
    )
    assert response.status == 201, response.text()
    return username


def authorize(page: Page, username: str, scopes: list[str]) -> str:
    """Log in with the password flow in the Authorize dialog; the token Swagger UI got."""
    page.locator(".btn.authorize").first.click()
    dialog = page.locator(".modal-ux")
    password_flow = dialog.locator(".auth-container").filter(has_text="OAuth2PasswordBearer")
    password_flow.locator("#oauth_username").fill(username)
    password_flow.locator("#oauth_password").fill(PASSWORD)
    for scope in scopes:
        password_flow.locator(
            f'label[for="{scope}-password-checkbox-OAuth2PasswordBearer"]'
        ).click()
    with page.expect_response(lambda response: response.url.endswith("/token")) as answer:
        password_flow.get_by_role("button", name="Apply given OAuth2 credentials").click()
    response = answer.value
    assert response.status == 200, response.text()
    form = parse_qs(response.request.post_data or "")
    assert form["grant_type"] == ["password"]
    assert form["username"] == [username]
    assert form["password"] == [PASSWORD]
    # Swagger UI says it is authorized, and offers to log out.
    password_flow.get_by_role("button", name="Remove authorization").wait_for()
    dialog.get_by_role("button", name="Close").first.click()
    token: str = response.json()["access_token"]
    return token


def try_it_out(page: Page, method: str, path: str) -> tuple[str, Request]:
    """Run **Try it out** on one operation; the live response's text and the request sent."""
    block = page.locator(f".opblock-{method}").filter(
        has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )
    block.locator(".opblock-summary-control").click()
    block.get_by_role("button", name="Try it out").click()
    with page.expect_request(lambda request: urlsplit(request.url).path == path) as sent:
        block.get_by_role("button", name="Execute").click()
    live = block.locator(".live-responses-table")
    live.wait_for()
    return live.inner_text(), sent.value


def test_authorize_with_the_password_flow_then_try_a_protected_operation(
    server: ServerThread, context: BrowserContext, escaped: list[str]
) -> None:
    username = register(context, server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.origin + "/docs")
    page.locator(".opblock").first.wait_for()

    token = authorize(page, username, scopes=["todos:read"])
    text, request = try_it_out(page, "get", "/users/me")

    assert request.headers["authorization"] == f"Bearer {token}"
    assert re.search(r"^200\b", text, re.MULTILINE), text
    assert f'"username": "{username}"' in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "docs-authorized.png", full_page=True)

    # The token carries the scope asked for: todos may be read, not written.
    text, request = try_it_out(page, "get", "/todos")
    assert request.headers["authorization"] == f"Bearer {token}"
    assert re.search(r"^200\b", text, re.MULTILINE), text
    text, request = try_it_out(page, "post", "/todos")
    assert request.headers["authorization"] == f"Bearer {token}"
    assert re.search(r"^403\b", text, re.MULTILINE), text
    assert "This token lacks the scope 'todos:write'." in text
    assert escaped == []
    page.close()


def test_without_authorize_the_operation_is_refused(
    server: ServerThread, context: BrowserContext, escaped: list[str]
) -> None:
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.origin + "/docs")
    text, request = try_it_out(page, "get", "/users/me")
    assert "authorization" not in request.headers
    assert re.search(r"^401\b", text, re.MULTILINE), text
    assert "Not authenticated" in text
    assert escaped == []
    page.close()
