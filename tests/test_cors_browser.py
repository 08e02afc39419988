"""CORS as a real browser sees it: headless Chromium, three servers on 127.0.0.1.

- the API (a Transom app with `CORSMiddleware`) on one port;
- a page from an allowed origin on a second port;
- a page from an origin the API does not allow on a third port.

Page script fetches the API with `credentials: "include"` and reports what it
could read. Needs Debian's `chromium` and the `playwright` package (driven with
`executable_path`, no browser download); `.ci/run` installs both. Outside CI
the module is skipped when Chromium is missing; in CI a missing browser fails.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest

from tests._browser import CHROMIUM, CHROMIUM_ARGS, ServerThread, require_chromium
from transom import HTMLResponse, Request, Response, Transom
from transom.middleware.cors import CORSMiddleware

require_chromium()

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


def make_api(allowed_origin: str) -> Transom:
    api = Transom()
    api.add_middleware(
        CORSMiddleware,
        allow_origins=[allowed_origin],
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT"],
        allow_headers=["X-Custom"],
        expose_headers=["X-Total-Count"],
    )

    @api.get("/items")
    def items(response: Response) -> list[int]:
        response.headers["X-Total-Count"] = "3"
        response.headers["X-Hidden"] = "secret"
        return [1, 2, 3]

    @api.post("/login")
    def login(response: Response) -> str:
        response.set_cookie("session", "ada", httponly=True, samesite="lax")
        response.set_cookie("scoped", "only-private", path="/private")
        return "ok"

    @api.get("/whoami")
    def whoami(request: Request) -> dict[str, str]:
        return request.cookies

    @api.put("/items/{item_id}")
    def update(item_id: int, request: Request) -> dict[str, object]:
        return {"id": item_id, "custom": request.headers.get("x-custom")}

    return api


def make_page_server() -> Transom:
    pages = Transom()

    @pages.get("/", response_class=HTMLResponse)
    def index() -> str:
        return "<!doctype html><title>spa</title><p>spa</p>"

    return pages


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, ServerThread]]:
    allowed_page = ServerThread(make_page_server())
    other_page = ServerThread(make_page_server())
    api = ServerThread(make_api(allowed_page.origin))
    started: list[ServerThread] = []
    try:
        for server in (allowed_page, other_page, api):
            server.start()
            started.append(server)
        yield {"api": api, "allowed": allowed_page, "other": other_page}
    finally:
        for server in started:
            server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            assert context.browser is not None
            yield context.browser
        finally:
            context.close()


def open_page(browser: Browser, origin: str) -> Page:
    context = browser.contexts[0]
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(origin + "/")
    return page


READ_HEADERS = """async (api) => {
    const r = await fetch(api + "/items", {credentials: "include"});
    return {
        status: r.status,
        total: r.headers.get("X-Total-Count"),
        hidden: r.headers.get("X-Hidden"),
        body: await r.json(),
    };
}"""

COOKIE_ROUND_TRIP = """async (api) => {
    const login = await fetch(api + "/login", {method: "POST", credentials: "include"});
    const withCookies = await fetch(api + "/whoami", {credentials: "include"});
    const withoutCookies = await fetch(api + "/whoami", {credentials: "omit"});
    return {
        login: login.status,
        included: await withCookies.json(),
        omitted: await withoutCookies.json(),
        visibleToScript: document.cookie,
    };
}"""

PREFLIGHTED_PUT = """async (api) => {
    try {
        const r = await fetch(api + "/items/7", {
            method: "PUT", credentials: "include", headers: {"X-Custom": "hello"},
        });
        return {ok: true, status: r.status, body: await r.json()};
    } catch (error) {
        return {ok: false, error: String(error)};
    }
}"""


def test_exposed_header_is_readable_and_unexposed_is_null(
    servers: dict[str, ServerThread], browser: Browser
) -> None:
    page = open_page(browser, servers["allowed"].origin)
    result = page.evaluate(READ_HEADERS, servers["api"].origin)
    assert result == {"status": 200, "total": "3", "hidden": None, "body": [1, 2, 3]}


def test_temporal_cookie_comes_back_only_where_its_attributes_allow(
    servers: dict[str, ServerThread], browser: Browser
) -> None:
    page = open_page(browser, servers["allowed"].origin)
    result = page.evaluate(COOKIE_ROUND_TRIP, servers["api"].origin)
    assert result["login"] == 200
    # Sent back on the next credentialed cross-origin request; the Path=/private
    # cookie is not (its path does not match), nor is anything with credentials omitted.
    assert result["included"] == {"session": "ada"}
    assert result["omitted"] == {}
    # HttpOnly keeps the session cookie away from page script.
    assert "session" not in result["visibleToScript"]


def test_preflighted_put_succeeds_for_the_allowed_origin(
    servers: dict[str, ServerThread], browser: Browser
) -> None:
    page = open_page(browser, servers["allowed"].origin)
    result = page.evaluate(PREFLIGHTED_PUT, servers["api"].origin)
    assert result == {"ok": True, "status": 200, "body": {"id": 7, "custom": "hello"}}


def test_preflighted_put_is_blocked_for_another_origin(
    servers: dict[str, ServerThread], browser: Browser
) -> None:
    page = open_page(browser, servers["other"].origin)
    result = page.evaluate(PREFLIGHTED_PUT, servers["api"].origin)
    assert result["ok"] is False
    assert "Failed to fetch" in result["error"]
    # Even a simple GET cannot be read from the disallowed origin.
    blocked = page.evaluate(
        "async (api) => { try { await fetch(api + '/items'); return 'read'; }"
        " catch (e) { return String(e); } }",
        servers["api"].origin,
    )
    assert "Failed to fetch" in blocked
