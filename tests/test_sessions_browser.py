"""Sessions as a real browser sees them: headless Chromium, a login form, CSRF, logout.

The app runs on 127.0.0.1 with `SessionMiddleware` (signed cookie) and
`CSRFMiddleware`: the page's form carries the CSRF token, the browser keeps the
session cookie (HttpOnly: the page's script cannot read it), a later `fetch` is
authenticated, a state-changing request without the token is refused, and
logout deletes the session. Skipped outside CI when Chromium is missing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Annotated

import pytest

from tests._browser import CHROMIUM, CHROMIUM_ARGS, ServerThread, require_chromium
from transom import Form, HTMLResponse, Keyring, RedirectResponse, Request, Transom
from transom.middleware.csrf import CSRFMiddleware, csrf_token
from transom.middleware.sessions import SessionMiddleware

require_chromium()

from playwright.sync_api import Page, sync_playwright  # noqa: E402


def make_app() -> Transom:
    app = Transom(keyring=Keyring(["b" * 32]))
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(SessionMiddleware)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> str:
        return (
            "<!doctype html><title>login</title>"
            '<form method="post" action="/login">'
            f'<input type="hidden" name="csrf_token" value="{csrf_token(request)}">'
            '<input name="user"><button type="submit">Log in</button></form>'
        )

    @app.post("/login")
    def login(user: Annotated[str, Form()], request: Request) -> RedirectResponse:
        request.session["user"] = user
        request.session.regenerate()
        return RedirectResponse("/home", status_code=303)

    @app.get("/home", response_class=HTMLResponse)
    def home(request: Request) -> str:
        return f"<!doctype html><title>home</title><p id=user>{request.session.get('user')}</p>"

    @app.get("/me")
    def me(request: Request) -> dict[str, object]:
        return {"user": request.session.get("user")}

    @app.post("/logout")
    def logout(request: Request) -> dict[str, str]:
        request.session.clear()
        return {"status": "logged out"}

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    thread = ServerThread(make_app())
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
def page() -> Iterator[Page]:
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            tab = context.new_page()
            tab.set_default_timeout(10_000)
            yield tab
        finally:
            context.close()


def test_log_in_through_a_form_stay_logged_in_and_log_out_with_the_token(
    server: ServerThread, page: Page
) -> None:
    page.goto(server.origin + "/")
    page.fill("input[name=user]", "ada")
    page.click("button[type=submit]")
    page.wait_for_url(server.origin + "/home")
    assert page.text_content("#user") == "ada"
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["session"]["httpOnly"] is True
    assert cookies["session"]["sameSite"] == "Lax"
    assert "session=" not in page.evaluate("document.cookie")
    assert page.evaluate("async () => (await fetch('/me')).json()") == {"user": "ada"}

    refused = page.evaluate(
        "async () => { const r = await fetch('/logout', {method: 'POST'}); "
        "return [r.status, await r.json()]; }"
    )
    assert refused[0] == 403
    assert "CSRF token missing or incorrect" in refused[1]["detail"]
    assert page.evaluate("async () => (await fetch('/me')).json()") == {"user": "ada"}

    page.goto(server.origin + "/")
    form_token = page.get_attribute("input[name=csrf_token]", "value")
    logged_out = page.evaluate(
        "async (token) => { const r = await fetch('/logout', "
        "{method: 'POST', headers: {'X-CSRF-Token': token}}); return [r.status, await r.json()]; }",
        form_token,
    )
    assert logged_out == [200, {"status": "logged out"}]
    assert "session" not in {cookie["name"] for cookie in page.context.cookies()}
    assert page.evaluate("async () => (await fetch('/me')).json()") == {"user": None}
