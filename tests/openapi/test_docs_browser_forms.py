"""Swagger UI's "Try it out" posting a form and uploading a file, in headless Chromium.

A Transom app with a URL-encoded form operation and a multipart upload operation
is served by uvicorn on 127.0.0.1. The test opens the offline `/docs`, fills the
fields Swagger UI draws from the app's OpenAPI document, chooses a file through
the page's file input, presses Execute, and checks both sides: the response
Swagger UI shows, and what the app received. Every request for another host is
aborted and must never happen.

Same set-up as `tests/openapi/test_docs_browser.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
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
from transom import File, Form, Request, Transom, UploadFile

require_chromium()
require_docs_assets()

from playwright.sync_api import BrowserContext, Locator, Page, Route, sync_playwright  # noqa: E402

#: What the app's handlers were given, one entry per request, in order.
RECEIVED: list[dict[str, Any]] = []

REPORT = b"quarterly report\r\n\x00\xff binary tail, with --dashes-- and \xe2\x82\xac\n"


def make_app() -> Transom:
    app = Transom(title="Forms in the browser")

    @app.post("/login")
    def login(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form(min_length=4)],
        remember: Annotated[bool, Form()] = False,
    ) -> dict[str, object]:
        RECEIVED.append(
            {
                "content-type": request.headers.get("content-type"),
                "username": username,
                "password": password,
                "remember": remember,
            }
        )
        return {"username": username, "password_length": len(password), "remember": remember}

    @app.post("/reports")
    async def upload_report(
        request: Request,
        title: Annotated[str, Form()],
        report: Annotated[UploadFile, File(description="The report itself")],
    ) -> dict[str, object]:
        content = await report.read()
        RECEIVED.append(
            {
                "content-type": request.headers.get("content-type"),
                "title": title,
                "filename": report.filename,
                "file content-type": report.content_type,
                "content": content,
            }
        )
        return {
            "title": title,
            "filename": report.filename,
            "content_type": report.content_type,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    thread = ServerThread(make_app())
    thread.start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture(scope="module")
def escaped() -> list[str]:
    """URLs for other hosts that the browser tried to fetch (each one aborted)."""
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


@pytest.fixture
def page(server: ServerThread, context: BrowserContext) -> Iterator[Page]:
    RECEIVED.clear()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.origin + "/docs")
    try:
        yield page
    finally:
        page.close()


def try_it_out(page: Page, path: str) -> Locator:
    """Expand `POST path`, press "Try it out" and return the operation's block."""
    block = page.locator(".opblock-post").filter(
        has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )
    block.locator(".opblock-summary-control").click()
    block.get_by_role("button", name="Try it out").click()
    return block


def form_input(block: Locator, name: str, kind: str = "text") -> Locator:
    """The input Swagger UI draws for the request body's property `name`."""
    return block.locator(f'tr[data-property-name="{name}"] input[type="{kind}"]')


def execute(block: Locator) -> tuple[int, Any]:
    """Press Execute; return the status and the JSON body Swagger UI shows for the answer."""
    block.get_by_role("button", name="Execute").click()
    live = block.locator(".live-responses-table")
    live.wait_for()
    status = live.locator(".response .response-col_status").first.inner_text()
    body = live.locator(".response-col_description pre.microlight").first.inner_text()
    return int(status), json.loads(body)


def test_try_it_out_posts_a_urlencoded_form(page: Page, escaped: list[str]) -> None:
    block = try_it_out(page, "/login")
    assert block.locator("select.content-type").first.input_value() == (
        "application/x-www-form-urlencoded"
    )
    form_input(block, "username").fill("ada lovelace")
    form_input(block, "password").fill("p&ss=wörd+1")
    block.locator('tr[data-property-name="remember"] select').select_option("true")

    status, body = execute(block)

    assert (status, body) == (
        200,
        {"username": "ada lovelace", "password_length": 11, "remember": True},
    )
    assert RECEIVED == [
        {
            "content-type": "application/x-www-form-urlencoded",
            "username": "ada lovelace",
            "password": "p&ss=wörd+1",
            "remember": True,
        }
    ]
    assert escaped == []


def test_try_it_out_shows_the_422_for_an_invalid_field(page: Page, escaped: list[str]) -> None:
    block = try_it_out(page, "/login")
    form_input(block, "username").fill("ada")
    form_input(block, "password").fill("pw")

    status, body = execute(block)

    assert status == 422
    assert [(error["loc"], error["type"]) for error in body["detail"]] == [
        (["body", "password"], "string_too_short")
    ]
    assert RECEIVED == []
    assert escaped == []


def test_try_it_out_uploads_a_chosen_file_with_a_field(page: Page, escaped: list[str]) -> None:
    block = try_it_out(page, "/reports")
    assert block.locator("select.content-type").first.input_value() == "multipart/form-data"
    form_input(block, "title").fill("Q3 — final")
    form_input(block, "report", kind="file").set_input_files(
        {"name": "report Q3.bin", "mimeType": "application/octet-stream", "buffer": REPORT}
    )

    status, body = execute(block)

    assert (status, body) == (
        200,
        {
            "title": "Q3 — final",
            "filename": "report Q3.bin",
            "content_type": "application/octet-stream",
            "size": len(REPORT),
            "sha256": hashlib.sha256(REPORT).hexdigest(),
        },
    )
    [received] = RECEIVED
    assert re.fullmatch(r"multipart/form-data; boundary=\S+", received.pop("content-type"))
    assert received == {
        "title": "Q3 — final",
        "filename": "report Q3.bin",
        "file content-type": "application/octet-stream",
        "content": REPORT,
    }
    assert escaped == []
