"""A synchronous test client that calls an ASGI app in process, through httpx.

`TestClient` is an `httpx.Client` whose transport turns each request into an
ASGI `http` scope and runs the app on an event loop in a helper thread (an anyio
blocking portal). Used as a context manager it also runs the app's lifespan, and
keeps one event loop for every request made inside the `with` block.

`websocket_connect()` opens a WebSocket session (`transom._websocket_session`)
on that loop; sessions open at the same time share one loop even outside a
`with` block, so an app that broadcasts between connections works as under a
server.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Generator, Mapping
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Literal, NoReturn
from urllib.parse import unquote

import anyio
import anyio.abc
import anyio.from_thread
import anyio.to_thread

try:
    import httpx
except ImportError as exc:
    raise ModuleNotFoundError(
        "transom.testclient needs httpx, which Transom's `test` extra installs: "
        "pip install 'transom[test]' (or pip install httpx).",
        name="httpx",
    ) from exc

from transom._types import ASGIApp, Message, Scope
from transom.exceptions import WebSocketDisconnect
from transom.metadata import CHECK_DECLARATIONS_KEY

__all__ = ["TestClient", "WebSocketDenialResponse", "WebSocketTestSession"]


class _ASGITransport(httpx.BaseTransport):
    """Runs one request through the ASGI app and builds the httpx response."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scope = self.client.build_scope(request)
        body = request.read()
        with self.client.portal() as portal:
            status, headers, content, debug = portal.call(self.client.run_app, scope, body)
        # A stream, not `content=`: httpx would add a Content-Length the app never sent.
        stream = httpx.ByteStream(content)
        response = httpx.Response(status, headers=headers, stream=stream, request=request)
        # What a template response reports (`response.template`, `response.context`).
        for key, value in debug.items():
            setattr(response, key, value)
        return response


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
        #: A portal shared by the WebSocket sessions open outside `with`, and their count.
        self._shared_portal: anyio.from_thread.BlockingPortal | None = None
        self._shared_stack: contextlib.ExitStack | None = None
        self._shared_users = 0
        super().__init__(
            base_url=base_url,
            headers={"user-agent": "testclient", **(headers or {})},
            transport=_ASGITransport(self),
            follow_redirects=follow_redirects,
            cookies=cookies,
        )

    @contextlib.contextmanager
    def portal(self) -> Generator[anyio.from_thread.BlockingPortal, None, None]:
        """The running portal inside `with` (or of the open WebSocket sessions), else a
        fresh one for one call."""
        running = self._portal or self._shared_portal
        if running is not None:
            yield running
        else:
            with anyio.from_thread.start_blocking_portal(
                self._backend, self._backend_options
            ) as portal:
                yield portal

    @contextlib.contextmanager
    def session_portal(self) -> Generator[anyio.from_thread.BlockingPortal, None, None]:
        """The portal a WebSocket session runs on: the `with` block's, else one shared by
        every session open at the same time, stopped when the last one ends."""
        if self._portal is not None:
            yield self._portal
            return
        if self._shared_portal is None:
            stack = contextlib.ExitStack()
            self._shared_portal = stack.enter_context(
                anyio.from_thread.start_blocking_portal(self._backend, self._backend_options)
            )
            self._shared_stack = stack
        self._shared_users += 1
        try:
            yield self._shared_portal
        finally:
            self._shared_users -= 1
            if self._shared_users == 0 and self._shared_stack is not None:
                stack, self._shared_stack, self._shared_portal = self._shared_stack, None, None
                stack.close()

    def websocket_connect(
        self,
        url: str,
        subprotocols: list[str] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        params: Any = None,
        cookies: Any = None,
    ) -> WebSocketTestSession:
        """A WebSocket session with the app; use it as a context manager.

        Entering it sends the handshake and waits for the app's answer: it
        returns once accepted, and raises `WebSocketDisconnect` if the app
        closes instead (`WebSocketDenialResponse`, an `httpx.Response` too, if
        it refuses with an HTTP response). Leaving it closes the connection
        (1000) and re-raises an exception that escaped the app.

        Args:
            url: The path (or a URL) to connect to, query string included.
            subprotocols: Offered in `Sec-WebSocket-Protocol`.
            headers: As for a request; the client's own apply too.
            params: The query parameters, as for a request.
            cookies: As for a request; the client's own apply too.
        """
        extra = {
            "connection": "upgrade",
            "upgrade": "websocket",
            "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
            "sec-websocket-version": "13",
            **(headers or {}),
        }
        if subprotocols:
            extra.setdefault("sec-websocket-protocol", ", ".join(subprotocols))
        request = self.build_request("GET", url, headers=extra, params=params, cookies=cookies)
        scope = self.build_scope(request)
        scheme = "wss" if request.url.scheme in ("https", "wss") else "ws"
        del scope["method"]
        scope.update(
            type="websocket",
            scheme=scheme,
            subprotocols=list(subprotocols or ()),
            extensions={"websocket.http.response": {}},
        )
        return WebSocketTestSession(self, scope)

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
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, dict[str, Any]]:
        """Run the app for one request and collect what it sends."""
        exchange = _Exchange(body)
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except BaseException:
            if self.raise_server_exceptions:
                raise
            if exchange.started is None:
                return 500, [], b"", {}
        finally:
            exchange.complete.set()
        started = exchange.started
        if started is None:
            if self.raise_server_exceptions:
                raise RuntimeError("The app returned without sending a response.")
            return 500, [], b"", {}
        headers = list(started.get("headers", []))
        return started["status"], headers, b"".join(exchange.chunks), exchange.debug

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
        self.debug: dict[str, Any] = {}

    async def receive(self) -> Message:
        if not self.request_sent:
            self.request_sent = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        await self.complete.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.debug":
            self.debug = dict(message.get("info") or {})
        elif message["type"] == "http.response.start":
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


class WebSocketDenialResponse(httpx.Response, WebSocketDisconnect):  # type: ignore[misc]
    """The app refused the handshake with an HTTP response: its status, headers and body.

    A `WebSocketDisconnect` too (code 1008), so a test expecting a refusal catches both.
    """

    def __init__(self, status_code: int, headers: list[tuple[bytes, bytes]], content: bytes):
        httpx.Response.__init__(self, status_code, headers=headers, content=content)
        WebSocketDisconnect.__init__(self, 1008, f"The handshake was refused with {status_code}.")


class WebSocketTestSession:
    """One WebSocket connection to the app, from `TestClient.websocket_connect()`.

    The app runs as a task on the client's event loop; the session's methods
    hand messages to it and wait for its answers, like a browser would.

    Attributes:
        accepted_subprotocol: The subprotocol the app accepted, or `None`.
        extra_headers: The headers the app sent with its accept (cookies included).
    """

    __test__ = False

    def __init__(self, client: TestClient, scope: Scope) -> None:
        self.client = client
        self.scope = scope
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[bytes, bytes]] | None = None
        self._closed = False  # the client sent its disconnect
        self._answered = False  # the app accepted, closed or refused
        self._app_closed = False
        self._error: BaseException | None = None
        self._error_raised = False
        self._stack: contextlib.ExitStack | None = None

    def __enter__(self) -> WebSocketTestSession:
        with contextlib.ExitStack() as stack:
            self._portal = portal = stack.enter_context(self.client.session_portal())
            self._task: Future[None]
            self._task, self._cancel = portal.start_task(self._run)
            stack.callback(self._finish)
            self.send({"type": "websocket.connect"})
            message = self.receive()
            self._raise_on_close(message)
            self.accepted_subprotocol = message.get("subprotocol")
            self.extra_headers = list(message.get("headers") or [])
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack or contextlib.ExitStack(), None
        with stack:
            if not self._closed:
                self.close(1000)

    async def _run(self, *, task_status: anyio.abc.TaskStatus[anyio.CancelScope]) -> None:
        self._to_app, self._from_client = anyio.create_memory_object_stream[Message](math.inf)
        self._to_client, self._from_app = anyio.create_memory_object_stream[Message](math.inf)
        with anyio.CancelScope() as cancel:
            task_status.started(cancel)
            try:
                await self.client.app(self.scope, self._from_client.receive, self._app_send)
            except Exception as exc:
                self._error = exc  # re-raised in the test's thread, not lost
            finally:
                self._to_client.close()

    async def _app_send(self, message: Message) -> None:
        if self._closed:
            # As a server does once the client is gone (uvicorn's ClientDisconnected).
            raise OSError("The WebSocket client has disconnected.")
        kind = message["type"]
        if kind in ("websocket.accept", "websocket.close", "websocket.http.response.start"):
            self._answered = True
        if kind == "websocket.close":
            self._app_closed = True
        await self._to_client.send(message)

    async def _settle(self) -> None:
        """Let the app act on the disconnect, then stop it if it still waits for something.

        A task waiting for a worker thread (a sync dependency's teardown, say) is
        making progress, not waiting: the app is stopped only once every task is
        blocked and no worker thread is busy.
        """
        threads = anyio.to_thread.current_default_thread_limiter()
        while True:
            await anyio.wait_all_tasks_blocked()
            if threads.borrowed_tokens == 0:
                break
            await anyio.sleep(0.001)
        self._cancel.cancel()

    def _finish(self) -> None:
        if not self._task.done():
            self._portal.call(self._settle)
        self._task.result()
        for stream in (self._to_app, self._from_client, self._from_app):
            stream.close()
        if self._error is not None and not self._error_raised:
            self._raise_error()

    def _raise_error(self) -> NoReturn:
        error = self._error
        assert error is not None
        self._error_raised = True
        if self.client.raise_server_exceptions or isinstance(error, WebSocketDisconnect):
            raise error
        raise WebSocketDisconnect(1011, f"The app raised {type(error).__name__}.")

    def _raise_on_close(self, message: Message) -> None:
        if message["type"] == "websocket.close":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        if message["type"] == "websocket.http.response.start":
            chunks: list[bytes] = []
            while True:
                body = self.receive()
                chunks.append(body.get("body", b""))
                if not body.get("more_body", False):
                    break
            headers = list(message.get("headers", []))
            raise WebSocketDenialResponse(message["status"], headers, b"".join(chunks))

    def send(self, message: Message) -> None:
        """Hand an ASGI message to the app."""
        if message["type"] == "websocket.disconnect":
            self._closed = True
        self._portal.call(self._to_app.send, message)

    def send_text(self, data: str) -> None:
        """Send a text message."""
        self.send({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        """Send a binary message."""
        self.send({"type": "websocket.receive", "bytes": data})

    def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        """Send `data` as JSON, in a text (or binary) message."""
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            self.send({"type": "websocket.receive", "text": text})
        else:
            self.send({"type": "websocket.receive", "bytes": text.encode("utf-8")})

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the connection from the client's side."""
        self.send({"type": "websocket.disconnect", "code": code, "reason": reason or ""})

    def receive(self) -> Message:
        """The app's next ASGI message (waits for it).

        Raises:
            Exception: The exception that escaped the app, if it ended with one.
            RuntimeError: if the app ended without answering the handshake.
        """
        try:
            return self._portal.call(self._from_app.receive)
        except anyio.EndOfStream:
            pass
        self._task.result()
        if self._error is not None:
            self._raise_error()
        if not self._answered:
            raise RuntimeError(
                "The app returned without accepting, closing or refusing the WebSocket handshake."
            )
        # An app that returns without closing: the server closes normally.
        return {"type": "websocket.close", "code": 1000, "reason": ""}

    def receive_text(self) -> str:
        """The next text message; `WebSocketDisconnect` if the app closed instead."""
        message = self.receive()
        self._raise_on_close(message)
        text: str = message["text"]
        return text

    def receive_bytes(self) -> bytes:
        """The next binary message; `WebSocketDisconnect` if the app closed instead."""
        message = self.receive()
        self._raise_on_close(message)
        data: bytes = message["bytes"]
        return data

    def receive_json(self, mode: Literal["text", "binary"] = "text") -> Any:
        """The next message decoded as JSON; `WebSocketDisconnect` if the app closed instead."""
        message = self.receive()
        self._raise_on_close(message)
        text = message["text"] if mode == "text" else message["bytes"].decode("utf-8")
        return json.loads(text)
