"""WebSockets: the `WebSocket` connection an endpoint talks through.

`WebSocket` keeps Starlette's API (`accept`, `receive_*`, `send_*`, `iter_*`,
`close`, the two states) over the ASGI `websocket` messages, and checks ASGI's
order of messages on both sides: a message the protocol does not allow at
that point raises `RuntimeError`, a connection used after it ended raises
`WebSocketDisconnected`.

The handshake is a response too: a route that gives the connection a
`handshake` hook (the temporal response's headers and cookies, merged by kind)
has it applied to the headers `accept()` sends. A handshake can also be refused
with an HTTP response (`send_denial_response`) where the server supports
ASGI's denial-response extension.

What the client sends is checked like any request input: a text message where
bytes were expected (or the reverse), or JSON that does not parse, closes the
connection with 1003 or 1007 and raises `WebSocketDisconnect` with that code,
so `iter_json()` simply ends; it never surfaces as a `KeyError` or a
`JSONDecodeError` from inside the framework.
"""

from __future__ import annotations

import enum
import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any, Literal, NoReturn, TypeAlias

from transom._types import Message, Receive, Scope, Send
from transom.exceptions import (
    WebSocketDisconnect,
    WebSocketDisconnected,
    WebSocketException,
)
from transom.http.headers import MutableHeaders, RawHeaders
from transom.http.websocket import check_close_reason
from transom.requests import HTTPConnection
from transom.responses import Response
from transom.serialization import dump_json

__all__ = [
    "DENIAL_EXTENSION",
    "WEBSOCKET_KEY",
    "WebSocket",
    "WebSocketClose",
    "WebSocketDisconnect",
    "WebSocketDisconnected",
    "WebSocketException",
    "WebSocketState",
    "denial_send",
    "refuse_handshake",
]

#: Scope key of the route's `WebSocket`, so exception handlers get the same connection.
WEBSOCKET_KEY = "transom.websocket"

#: The ASGI extension a server lists when it can refuse a handshake with an HTTP response.
DENIAL_EXTENSION = "websocket.http.response"

#: Close codes for what a client sent (RFC 6455 section 7.4.1).
_UNSUPPORTED_DATA = 1003
_INVALID_PAYLOAD = 1007

Mode = Literal["text", "binary"]
#: Headers for `accept()`: raw byte pairs (as Starlette takes them) or a mapping.
HandshakeHeaders: TypeAlias = Iterable[tuple[bytes, bytes]] | Mapping[str, str]


class WebSocketState(enum.Enum):
    """Where one side of a connection is: before the handshake, open, closed, or denied."""

    CONNECTING = 0
    CONNECTED = 1
    DISCONNECTED = 2
    RESPONSE = 3


_CONNECTED = WebSocketState.CONNECTED

_CLIENT_NEXT = {
    WebSocketState.CONNECTING: frozenset({"websocket.connect"}),
    WebSocketState.CONNECTED: frozenset({"websocket.receive", "websocket.disconnect"}),
}

_APP_NEXT = {
    WebSocketState.CONNECTING: frozenset(
        {"websocket.accept", "websocket.close", "websocket.http.response.start"}
    ),
    WebSocketState.CONNECTED: frozenset({"websocket.send", "websocket.close"}),
    WebSocketState.RESPONSE: frozenset({"websocket.http.response.body"}),
}


def _check_mode(mode: str) -> None:
    if mode not in ("text", "binary"):
        raise ValueError(f"mode must be 'text' or 'binary', got {mode!r}.")


class WebSocket(HTTPConnection):
    """A WebSocket connection: the handshake's request views, then messages both ways.

    `url`, `headers`, `cookies`, `query_params`, `path_params`, `client` and
    `state` are those of the handshake request. `client_state` and
    `application_state` say where each side is (`WebSocketState`).
    """

    #: Set by a route to shape the headers `accept()` sends (the temporal response's).
    handshake: Callable[[RawHeaders], RawHeaders] | None = None

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            raise ValueError(f"WebSocket needs a 'websocket' scope, got {scope['type']!r}.")
        self.scope = scope
        self._receive = receive
        self._send = send
        self.client_state = WebSocketState.CONNECTING
        self.application_state = WebSocketState.CONNECTING

    @property
    def receive_channel(self) -> Receive:
        """The raw ASGI `receive` of the connection."""
        return self._receive

    async def receive(self) -> Message:
        """The next ASGI message from the client, checked against the protocol's order.

        Raises:
            WebSocketDisconnected: after the client's disconnect was received.
        """
        if self.client_state is _CONNECTED:
            # An open connection's messages: the common case, without the table.
            message = await self._receive()
            kind = message["type"]
            if kind == "websocket.receive":
                return message
            if kind == "websocket.disconnect":
                self.client_state = WebSocketState.DISCONNECTED
                return message
            self._unexpected(kind, _CLIENT_NEXT[_CONNECTED])
        allowed = _CLIENT_NEXT.get(self.client_state)
        if allowed is None:
            raise WebSocketDisconnected(
                "Cannot receive: the client already disconnected from this WebSocket."
            )
        message = await self._receive()
        kind = message["type"]
        if kind not in allowed:
            self._unexpected(kind, allowed)
        if kind == "websocket.connect":
            self.client_state = WebSocketState.CONNECTED
        elif kind == "websocket.disconnect":
            self.client_state = WebSocketState.DISCONNECTED
        return message

    async def send(self, message: Message) -> None:
        """Send an ASGI message to the client, checked against the protocol's order.

        Raises:
            WebSocketDisconnected: after this side closed the connection.
            WebSocketDisconnect: (code 1006) if the server finds the client gone.
        """
        kind = message["type"]
        if kind != "websocket.send" or self.application_state is not _CONNECTED:
            self._advance(kind, message)
        try:
            await self._send(message)
        except OSError:
            # What servers raise when the client is gone (uvicorn's ClientDisconnected).
            self.application_state = WebSocketState.DISCONNECTED
            raise WebSocketDisconnect(1006) from None

    @staticmethod
    def _unexpected(kind: str, allowed: frozenset[str]) -> NoReturn:
        expected = " or ".join(repr(name) for name in sorted(allowed))
        raise RuntimeError(f"Expected the ASGI message {expected}, got {kind!r}.")

    def _advance(self, kind: str, message: Message) -> None:
        """Check that this side may send `kind` now, and move its state on."""
        allowed = _APP_NEXT.get(self.application_state)
        if allowed is None:
            raise WebSocketDisconnected("Cannot send: this WebSocket is already closed.")
        if kind not in allowed:
            self._unexpected(kind, allowed)
        if kind == "websocket.accept":
            self.application_state = WebSocketState.CONNECTED
        elif kind == "websocket.close":
            self.application_state = WebSocketState.DISCONNECTED
        elif kind == "websocket.http.response.start":
            self.application_state = WebSocketState.RESPONSE
        elif kind == "websocket.http.response.body" and not message.get("more_body", False):
            self.application_state = WebSocketState.DISCONNECTED

    async def accept(
        self,
        subprotocol: str | None = None,
        headers: HandshakeHeaders | None = None,
    ) -> None:
        """Accept the handshake, with a subprotocol the client offered and extra headers.

        The headers are checked as every header is (RFC 9110), and the route's
        handshake shaping (the temporal response's headers and cookies) is
        merged in; the ones given here win on conflict.

        Raises:
            ValueError: if `subprotocol` is not one the client offered.
            HeaderError: if a header name or value breaks RFC 9110.
        """
        if subprotocol is not None and subprotocol not in self.scope.get("subprotocols", ()):
            offered = list(self.scope.get("subprotocols", ()))
            raise ValueError(
                f"Cannot accept subprotocol {subprotocol!r}: the client offered {offered!r}. "
                "A browser fails a connection whose server picks a protocol it did not offer."
            )
        raw = _checked_headers(headers)
        if self.client_state is WebSocketState.CONNECTING:
            await self.receive()  # the client's `websocket.connect`
        if self.handshake is not None:
            raw = self.handshake(raw)
        await self.send({"type": "websocket.accept", "subprotocol": subprotocol, "headers": raw})

    def _check_connected(self) -> None:
        if self.application_state is not _CONNECTED:
            raise WebSocketDisconnected(
                "This WebSocket is not connected: call accept() first, and not after close()."
            )

    async def _receive_data(self, want: Mode) -> Any:
        """The next message's text or bytes; a disconnect, or the wrong kind, raises."""
        key = "text" if want == "text" else "bytes"
        if self.application_state is _CONNECTED and self.client_state is _CONNECTED:
            # Both sides open: take a data message straight from the server.
            message = await self._receive()
            kind = message["type"]
            if kind == "websocket.receive":
                value = message.get(key)
                if value is not None:
                    return value
            elif kind == "websocket.disconnect":
                self.client_state = WebSocketState.DISCONNECTED
            else:
                self._unexpected(kind, _CLIENT_NEXT[_CONNECTED])
        else:
            self._check_connected()
            message = await self.receive()
        await self._not_data(message, want)

    async def _not_data(self, message: Message, want: Mode) -> NoReturn:
        """Raise for a message that is not the data asked for: a disconnect, or the other kind."""
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        other = "binary" if want == "text" else "text"
        await self._refuse(_UNSUPPORTED_DATA, f"Expected a {want} message, got {other}.")

    async def _refuse(self, code: int, reason: str) -> NoReturn:
        """Close for bad client data, and tell the endpoint the connection is over."""
        await self.close(code, reason)
        raise WebSocketDisconnect(code, reason)

    async def receive_text(self) -> str:
        """The next text message.

        Raises:
            WebSocketDisconnect: when the client closes, or (code 1003) if it
                sent binary data; the connection is then closed.
        """
        text: str = await self._receive_data("text")
        return text

    async def receive_bytes(self) -> bytes:
        """The next binary message.

        Raises:
            WebSocketDisconnect: when the client closes, or (code 1003) if it
                sent text; the connection is then closed.
        """
        data: bytes = await self._receive_data("binary")
        return data

    async def receive_json(self, mode: Mode = "text") -> Any:
        """The next message decoded as JSON, from a text (or with `mode="binary"` a binary) one.

        Raises:
            WebSocketDisconnect: when the client closes, or (code 1007) if the
                message is not JSON; the connection is then closed.
        """
        _check_mode(mode)
        data = await self._receive_data(mode)
        try:
            return json.loads(data if isinstance(data, str) else data.decode("utf-8"))
        except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError
            await self._refuse(_INVALID_PAYLOAD, "The message is not valid JSON.")

    async def iter_text(self) -> AsyncIterator[str]:
        """Each text message until the client disconnects."""
        try:
            while True:
                yield await self.receive_text()
        except WebSocketDisconnect:
            pass

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """Each binary message until the client disconnects."""
        try:
            while True:
                yield await self.receive_bytes()
        except WebSocketDisconnect:
            pass

    async def iter_json(self) -> AsyncIterator[Any]:
        """Each message decoded as JSON until the client disconnects."""
        try:
            while True:
                yield await self.receive_json()
        except WebSocketDisconnect:
            pass

    async def send_text(self, data: str) -> None:
        """Send a text message."""
        message = {"type": "websocket.send", "text": data}
        if self.application_state is not _CONNECTED:
            await self.send(message)  # refused, with the reason
        else:
            try:
                await self._send(message)
            except OSError:
                self.application_state = WebSocketState.DISCONNECTED
                raise WebSocketDisconnect(1006) from None

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary message."""
        await self.send({"type": "websocket.send", "bytes": data})

    async def send_json(self, data: Any, mode: Mode = "text") -> None:
        """Send `data` as compact JSON (anything pydantic serialises), as text or binary."""
        _check_mode(mode)
        body = dump_json(data)
        if mode == "text":
            await self.send({"type": "websocket.send", "text": body.decode("utf-8")})
        else:
            await self.send({"type": "websocket.send", "bytes": body})

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the connection; before `accept()` this refuses the handshake (HTTP 403).

        Raises:
            ValueError: if `reason` is longer than 123 bytes of UTF-8.
        """
        text = check_close_reason(reason or "")
        await self.send({"type": "websocket.close", "code": code, "reason": text})

    @property
    def can_deny(self) -> bool:
        """Whether the handshake can still be refused with an HTTP response."""
        return self.application_state is WebSocketState.CONNECTING and DENIAL_EXTENSION in (
            self.scope.get("extensions") or {}
        )

    async def send_denial_response(self, response: Response) -> None:
        """Refuse the handshake with an HTTP response (status, headers and body).

        Raises:
            RuntimeError: if the server does not support ASGI's denial-response
                extension, or the handshake was already answered.
        """
        if not self.can_deny:
            raise RuntimeError(
                "Cannot send a denial response: the server does not support the "
                f"{DENIAL_EXTENSION!r} extension, or the handshake was already answered. "
                "Close the WebSocket instead (the server answers 403)."
            )
        await response(denial_scope(self.scope), self._receive, denial_send(self))


async def refuse_handshake(scope: Scope, receive: Receive, send: Send, response: Response) -> None:
    """Answer a WebSocket handshake with an HTTP `response` where the server supports it,
    else close it (the server answers 403): what middleware that refuses a request
    does for a handshake."""
    if DENIAL_EXTENSION in (scope.get("extensions") or {}):
        await response(denial_scope(scope), receive, denial_send(WebSocket(scope, receive, send)))
    else:
        await send({"type": "websocket.close", "code": 1008, "reason": ""})


def denial_scope(scope: Scope) -> Scope:
    """The scope a response sees when it is sent as a handshake's denial (a GET)."""
    return {**scope, "method": "GET"}


def denial_send(websocket: WebSocket) -> Send:
    """A `send` that turns an HTTP response's messages into the denial-response ones."""

    async def send(message: Message) -> None:
        kind = message["type"]
        if kind in ("http.response.start", "http.response.body"):
            message = {**message, "type": "websocket." + kind}
        await websocket.send(message)

    return send


def _checked_headers(headers: HandshakeHeaders | None) -> RawHeaders:
    raw: RawHeaders = []
    if not headers:
        return raw
    view = MutableHeaders(raw=raw)
    if isinstance(headers, Mapping):
        for key, value in headers.items():
            view.append(key, value)
    else:
        for name, value in headers:
            view.append(name.decode("latin-1"), value.decode("latin-1"))
    return raw


class WebSocketClose:
    """An ASGI app that closes the WebSocket: refuses a handshake, or ends a connection."""

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        self.code = code
        self.reason = check_close_reason(reason or "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "websocket.close", "code": self.code, "reason": self.reason})
