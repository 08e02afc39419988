"""A synchronous test client that calls an ASGI app in process, through httpx.

`TestClient` is an `httpx.Client` whose transport turns each request into an
ASGI `http` scope and runs the app on an event loop in a helper thread (an anyio
blocking portal). Used as a context manager it also runs the app's lifespan, and
keeps one event loop for every request made inside the `with` block.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Generator, Mapping
from types import TracebackType
from typing import Any, Literal
from urllib.parse import unquote

import anyio
import anyio.abc
import anyio.from_thread
import httpx

from transom._types import ASGIApp, Message, Scope
from transom.metadata import CHECK_DECLARATIONS_KEY

__all__ = ["TestClient"]


class _ASGITransport(httpx.BaseTransport):
    """Runs one request through the ASGI app and builds the httpx response."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scope = self.client.build_scope(request)
        body = request.read()
        with self.client.portal() as portal:
            status, headers, content = portal.call(self.client.run_app, scope, body)
        # A stream, not `content=`: httpx would add a Content-Length the app never sent.
        stream = httpx.ByteStream(content)
        return httpx.Response(status, headers=headers, stream=stream, request=request)


class TestClient(httpx.Client):
    """Call an ASGI app like a server would, with httpx's synchronous API.

    Args:
        app: The ASGI app under test.
        base_url: The URL requests are relative to; its host is the `Host` header.
        raise_server_exceptions: Re-raise an exception that escapes the app
            (default). If false, the client gets a 500 response instead.
        root_path: The ASGI `root_path` of every request.
        backend: The anyio backend, `"asyncio"` or `"trio"`.
        backend_options: Options for the backend, e.g. `{"use_uvloop": True}`.
        follow_redirects: Follow redirects (default).
        cookies: Cookies to start the jar with; the jar persists across requests.
        headers: Headers sent with every request.
        client: The ASGI `client` (host, port) of every request.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        backend: Literal["asyncio", "trio"] = "asyncio",
        backend_options: Mapping[str, Any] | None = None,
        follow_redirects: bool = True,
        cookies: httpx.Cookies | dict[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        client: tuple[str, int] = ("testclient", 50000),
    ) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.asgi_client = client
        self.app_state: dict[str, Any] = {}
        self._backend = backend
        self._backend_options = dict(backend_options or {})
        self._portal: anyio.from_thread.BlockingPortal | None = None
        self._stack: contextlib.ExitStack | None = None
        self._lifespan_supported = True
        super().__init__(
            base_url=base_url,
            headers={"user-agent": "testclient", **(headers or {})},
            transport=_ASGITransport(self),
            follow_redirects=follow_redirects,
            cookies=cookies,
        )

    @contextlib.contextmanager
    def portal(self) -> Generator[anyio.from_thread.BlockingPortal, None, None]:
        """The running portal inside `with`, else a fresh one for one call."""
        if self._portal is not None:
            yield self._portal
        else:
            with anyio.from_thread.start_blocking_portal(
                self._backend, self._backend_options
            ) as portal:
                yield portal

    def build_scope(self, request: httpx.Request) -> Scope:
        """The ASGI `http` scope for an httpx request."""
        url = request.url
        scheme = url.scheme
        port = url.port or (443 if scheme == "https" else 80)
        raw_path = url.raw_path.split(b"?", 1)[0]
        headers = [(k.lower(), v) for k, v in request.headers.raw]
        if not any(k == b"host" for k, _ in headers):
            headers.insert(0, (b"host", url.netloc))
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": scheme,
            "path": unquote(raw_path.decode("ascii")),
            "raw_path": raw_path,
            "query_string": url.query,
            "root_path": self.root_path,
            "headers": headers,
            "client": self.asgi_client,
            "server": (url.host, port),
            "state": self.app_state.copy(),
            # Under test, a route that omits a header it declared required fails.
            CHECK_DECLARATIONS_KEY: True,
            "extensions": {"http.response.debug": {}},
        }

    async def run_app(
        self, scope: Scope, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Run the app for one request and collect what it sends."""
        exchange = _Exchange(body)
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except BaseException:
            if self.raise_server_exceptions:
                raise
            if exchange.started is None:
                return 500, [], b""
        finally:
            exchange.complete.set()
        started = exchange.started
        if started is None:
            if self.raise_server_exceptions:
                raise RuntimeError("The app returned without sending a response.")
            return 500, [], b""
        return started["status"], list(started.get("headers", [])), b"".join(exchange.chunks)

    def __enter__(self) -> TestClient:
        with contextlib.ExitStack() as stack:
            portal = stack.enter_context(
                anyio.from_thread.start_blocking_portal(self._backend, self._backend_options)
            )
            self._portal = portal
            stack.callback(self._clear_portal)
            send_stream, receive_stream = anyio.create_memory_object_stream[Message](math.inf)
            to_app, from_client = anyio.create_memory_object_stream[Message](math.inf)
            for stream in (send_stream, receive_stream, to_app, from_client):
                stack.callback(stream.close)
            self._lifespan_supported = True
            portal.start_task_soon(self._lifespan, from_client, send_stream)
            portal.call(self._lifespan_step, to_app, receive_stream, "startup")

            @stack.callback
            def shutdown() -> None:
                portal.call(self._lifespan_step, to_app, receive_stream, "shutdown")

            self._stack = stack.pop_all()
        return self

    def _clear_portal(self) -> None:
        self._portal = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        # Only the lifespan and the portal end here: the client stays usable and can be
        # entered again (FastAPI's test suites do), as Starlette's does. `close()` closes it.
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    async def _lifespan(
        self,
        from_client: anyio.abc.ObjectReceiveStream[Message],
        to_client: anyio.abc.ObjectSendStream[Message],
    ) -> None:
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.app_state,
        }
        received = False

        async def receive() -> Message:
            nonlocal received
            received = True
            return await from_client.receive()

        try:
            await self.app(scope, receive, to_client.send)
        except Exception as exc:
            if received:
                # The app took part in the lifespan and then crashed: surface it.
                await to_client.send({"type": "lifespan.error", "error": exc})
                return
        # An app without lifespan support raises or returns before receiving;
        # as uvicorn does, take that as "lifespan not supported" and carry on.
        await to_client.send({"type": "lifespan.unsupported"})

    async def _lifespan_step(
        self,
        to_app: anyio.abc.ObjectSendStream[Message],
        from_app: anyio.abc.ObjectReceiveStream[Message],
        step: Literal["startup", "shutdown"],
    ) -> None:
        if not self._lifespan_supported:
            return
        await to_app.send({"type": f"lifespan.{step}"})
        message = await from_app.receive()
        if message["type"] == "lifespan.unsupported":
            self._lifespan_supported = False
        elif message["type"] == "lifespan.error":
            self._lifespan_supported = False
            raise message["error"]
        elif message["type"] == f"lifespan.{step}.failed":
            raise RuntimeError(f"Lifespan {step} failed: {message.get('message', '')}")


class _Exchange:
    """One request's `receive` and `send`, checking the app keeps ASGI's order."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.request_sent = False
        self.complete = anyio.Event()
        self.started: Message | None = None
        self.chunks: list[bytes] = []

    async def receive(self) -> Message:
        if not self.request_sent:
            self.request_sent = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        await self.complete.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if self.started is not None:
                raise RuntimeError("The app sent 'http.response.start' twice.")
            self.started = message
        elif message["type"] == "http.response.body":
            if self.started is None:
                raise RuntimeError("The app sent a body before 'http.response.start'.")
            if self.complete.is_set():
                raise RuntimeError("The app sent a body after the response was complete.")
            self.chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                self.complete.set()
