"""WebSockets and Server-Sent Events as a real browser sees them: headless Chromium.

One uvicorn server on 127.0.0.1 serves a page with `StaticFiles`; the page
opens a WebSocket to the app (whose handshake sets a cookie through the
temporal response) and an `EventSource` that receives three events. Needs
Debian's `chromium` and `playwright` (see tests/_browser.py).
"""

import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Annotated

import pytest

from tests._browser import CHROMIUM, CHROMIUM_ARGS, ServerThread, require_chromium
from transom import Cookie, Depends, Request, Response, Transom, WebSocket
from transom.sse import EventSourceResponse, ServerSentEvent
from transom.staticfiles import StaticFiles

require_chromium()

from playwright.sync_api import Page, sync_playwright  # noqa: E402

PAGE = "<!doctype html><title>realtime</title><p>realtime</p>"


def build_app(folder: Path) -> Transom:
    app = Transom()

    def visitor(response: Response, visit: Annotated[str | None, Cookie()] = None) -> str:
        # Set on the temporal response: it goes out with the handshake.
        response.set_cookie("visit", "ws-handshake", samesite="strict")
        return visit or "no cookie yet"

    @app.websocket("/ws")
    async def ws(websocket: WebSocket, visit: Annotated[str, Depends(visitor)]) -> None:
        await websocket.accept()
        await websocket.send_json({"hello": visit})

    @app.get("/whoami")
    def whoami(request: Request) -> dict[str, str]:
        return request.cookies

    @app.get("/events", response_class=EventSourceResponse)
    async def events() -> AsyncIterator[ServerSentEvent]:
        for number in range(3):
            yield ServerSentEvent({"n": number}, event="tick", id=str(number))

    app.mount("/", StaticFiles(directory=folder, html=True), name="site")
    return app


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "index.html").write_text(PAGE)
        thread = ServerThread(build_app(Path(folder)))
        thread.start()
        try:
            yield thread
        finally:
            thread.stop()


@pytest.fixture(scope="module")
def page(server: ServerThread) -> Iterator[Page]:
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(server.origin + "/")
            yield page
        finally:
            context.close()


WEBSOCKET_ROUND_TRIP = """async () => {
    const url = location.origin.replace("http", "ws") + "/ws";
    const receive = () => new Promise((resolve, reject) => {
        const socket = new WebSocket(url);
        socket.onmessage = (event) => { resolve(JSON.parse(event.data)); socket.close(); };
        socket.onerror = () => reject(new Error("websocket failed"));
    });
    const first = await receive();
    const second = await receive();
    const who = await (await fetch("/whoami")).json();
    return {first, second, who, script: document.cookie};
}"""

THREE_EVENTS = """() => new Promise((resolve, reject) => {
    const source = new EventSource("/events");
    const got = [];
    source.addEventListener("tick", (event) => {
        got.push({data: JSON.parse(event.data), id: event.lastEventId});
        if (got.length === 3) { source.close(); resolve(got); }
    });
    source.onerror = () => { if (got.length < 3) { source.close(); reject(new Error("sse")); } };
})"""


def test_the_page_is_served_by_static_files(page: Page) -> None:
    assert page.title() == "realtime"


def test_a_cookie_set_at_the_websocket_handshake_reaches_the_browser(page: Page) -> None:
    result = page.evaluate(WEBSOCKET_ROUND_TRIP)
    # The first handshake sets the cookie; the browser sends it with the second.
    assert result["first"] == {"hello": "no cookie yet"}
    assert result["second"] == {"hello": "ws-handshake"}
    assert result["who"] == {"visit": "ws-handshake"}
    assert result["script"] == "visit=ws-handshake"


def test_an_event_source_receives_three_events(page: Page) -> None:
    assert page.evaluate(THREE_EVENTS) == [
        {"data": {"n": 0}, "id": "0"},
        {"data": {"n": 1}, "id": "1"},
        {"data": {"n": 2}, "id": "2"},
    ]
