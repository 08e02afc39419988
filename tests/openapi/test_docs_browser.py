"""The docs pages in a real browser with no way out: headless Chromium, 127.0.0.1 only.

The README's example app (`examples/app.py`) is served by uvicorn on 127.0.0.1.
Every request the browser makes to anything else is aborted and recorded; the
tests check that Swagger UI and ReDoc render from the app's own assets and that
no request ever left for another host. Screenshots go to `test-artifacts/`.

Same set-up as `tests/test_cors_browser.py`: Debian's `chromium` driven by the
`playwright` package through `executable_path` (no browser download). Outside CI
the module is skipped when Chromium or the docs assets (fetched with npm at
install time) are missing; in CI both must be there.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
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

require_chromium()
require_docs_assets()

from examples.app import app  # noqa: E402
from playwright.sync_api import (  # noqa: E402
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Route,
    sync_playwright,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname == LOCAL_HOST


@dataclass
class Traffic:
    """What the browser tried to fetch."""

    #: Requests that reached the network layer for another host (aborted there).
    escaped: list[str] = field(default_factory=list)
    #: Every request the pages started, with its resource type.
    started: list[tuple[str, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def assert_nothing_left_the_machine(self) -> None:
        assert self.escaped == []
        # Not even a request the page's policy would block (ReDoc's sidebar logo
        # is rewritten to an inline image when its bundle is served).
        assert [url for url, _ in self.started if not is_local(url)] == []
        assert self.console_errors == []
        assert self.page_errors == []


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    thread = ServerThread(app)
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture(scope="module")
def traffic_log() -> list[str]:
    return []


@pytest.fixture(scope="module")
def context(traffic_log: list[str]) -> Iterator[BrowserContext]:
    def only_local(route: Route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            traffic_log.append(url)
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


@pytest.fixture
def traffic(traffic_log: list[str]) -> Traffic:
    traffic_log.clear()
    return Traffic(escaped=traffic_log)


def open_page(context: BrowserContext, traffic: Traffic, url: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(15_000)

    def started(request: Request) -> None:
        traffic.started.append((request.url, request.resource_type))

    def failed(request: Request) -> None:
        traffic.failed.append(request.url)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            traffic.console_errors.append(message.text)

    def page_error(error: Exception) -> None:
        traffic.page_errors.append(str(error))

    page.on("request", started)
    page.on("requestfailed", failed)
    page.on("console", console)
    page.on("pageerror", page_error)
    page.goto(url)
    return page


OPERATIONS = """() => [...document.querySelectorAll(".opblock")].map(block => [
    block.querySelector(".opblock-summary-method").textContent.trim(),
    block.querySelector(".opblock-summary-path").getAttribute("data-path"),
])"""


def open_list_notes(page: Page) -> Any:
    """Expand `GET /notes` in Swagger UI and return its block."""
    block = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/notes"]')
    )
    block.locator(".opblock-summary-control").click()
    block.locator(".responses-wrapper").wait_for()
    return block


def test_swagger_ui_renders_the_operations_offline(
    server: ServerThread, context: BrowserContext, traffic: Traffic
) -> None:
    page = open_page(context, traffic, server.origin + "/docs")
    page.locator(".opblock").first.wait_for()
    operations = {tuple(pair) for pair in page.evaluate(OPERATIONS)}
    assert {
        ("POST", "/login"),
        ("POST", "/logout"),
        ("GET", "/notes"),
        ("POST", "/notes"),
        ("GET", "/notes/{note_id}"),
        ("GET", "/me"),
    } <= operations
    text = page.locator("#swagger-ui").inner_text()
    assert "Transom notes" in text
    assert "/notes" in text
    assert "/login" in text

    # A response header the app declares for GET /notes is documented there.
    block = open_list_notes(page)
    assert "X-Total-Count" in block.locator(".responses-wrapper").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "docs.png", full_page=True)
    traffic.assert_nothing_left_the_machine()
    page.close()


def test_swagger_ui_try_it_out_calls_the_api(
    server: ServerThread, context: BrowserContext, traffic: Traffic
) -> None:
    page = open_page(context, traffic, server.origin + "/docs")
    block = open_list_notes(page)
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    live = block.locator(".live-responses-table")
    live.wait_for()
    text = live.inner_text()
    assert re.search(r"^200\b", text, re.MULTILINE)
    assert re.search(r"x-total-count: \d+", text)
    assert (server.origin + "/notes?offset=0&limit=10", "fetch") in traffic.started
    traffic.assert_nothing_left_the_machine()
    page.close()


def test_redoc_renders_the_api_offline(
    server: ServerThread, context: BrowserContext, traffic: Traffic
) -> None:
    page = open_page(context, traffic, server.origin + "/redoc")
    redoc = page.locator("#redoc")
    redoc.locator("h1", has_text="Transom notes").wait_for()
    text = redoc.inner_text()
    assert "A small API that shapes its responses." in text
    for summary in ("Login", "List Notes", "Create Note", "Get Note"):
        assert summary in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "redoc.png")
    traffic.assert_nothing_left_the_machine()
    page.close()


def test_the_assets_are_served_with_long_cache_lifetimes(
    server: ServerThread, context: BrowserContext
) -> None:
    response = context.request.get(server.origin + "/docs/assets/swagger-ui-bundle.js")
    assert response.status == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=604800"
    assert len(response.body()) > 100_000
    assert context.request.get(server.origin + "/docs/assets/index.html").status == 404
