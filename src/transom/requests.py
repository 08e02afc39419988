"""The incoming request: lazy views over an ASGI scope and its body.

Nothing is parsed until asked for: `headers`, `cookies`, `query_params` and `url`
are built on first access and kept. Parsing is lenient where the client decides
the bytes (a malformed `Cookie` header never raises) and explicit where the app
asks for a meaning (`json()` raises `InvalidJSONBody`, `form()` raises
`MalformedForm`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from datetime import datetime
from typing import TYPE_CHECKING, Any

import anyio

from transom._types import Message, Receive, Scope, Send
from transom.datastructures import Address, FormData, State
from transom.exceptions import BodyTooLarge, ClientDisconnect, HTTPException, InvalidJSONBody
from transom.forms import (
    DEFAULT_MAX_FIELDS,
    DEFAULT_MAX_FILES,
    DEFAULT_MAX_PART_SIZE,
    AwaitableForm,
    parse_form,
)
from transom.http.caching import dump_entity_tag, failed_precondition, parse_entity_tag
from transom.http.cookies import parse_cookie_header
from transom.http.headers import Headers
from transom.http.urls import URL, QueryParams

if TYPE_CHECKING:
    from transom.middleware.sessions import Session

__all__ = [
    "COOKIES_READ_KEY",
    "DEFAULT_MAX_BODY_SIZE",
    "Address",
    "HTTPConnection",
    "Request",
    "State",
    "check_body_limit",
]


async def _empty_receive() -> Message:
    raise RuntimeError("This request has no receive channel.")


async def _empty_send(message: Message) -> None:
    raise RuntimeError("This request has no send channel.")


#: The 412's detail for each precondition that can fail.
_PRECONDITION_FAILED = {
    "If-Match": "Precondition failed: If-Match does not match the resource's current "
    "entity tag. Fetch the resource again and retry with its ETag.",
    "If-Unmodified-Since": "Precondition failed: the resource was modified after the "
    "If-Unmodified-Since date.",
    "If-None-Match": "Precondition failed: If-None-Match matches the resource's current "
    "entity tag (or is * and the resource exists).",
}

#: Scope key set when a request's cookies are read, so its response says `Vary: Cookie`.
COOKIES_READ_KEY = "transom.cookies_read"


class HTTPConnection(Mapping[str, Any]):
    """What a request and a websocket share: the scope and views over it."""

    # Parsed lazily; class-level defaults keep construction to one assignment.
    _headers: Headers | None = None
    _cookies: dict[str, str] | None = None
    _query_params: QueryParams | None = None
    _url: URL | None = None

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def __getitem__(self, key: str) -> Any:
        return self.scope[key]

    def __iter__(self) -> Any:
        return iter(self.scope)

    def __len__(self) -> int:
        return len(self.scope)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def app(self) -> Any:
        return self.scope.get("app")

    @property
    def url(self) -> URL:
        if self._url is None:
            self._url = URL(scope=self.scope)
        return self._url

    @property
    def base_url(self) -> URL:
        """The URL of the app's root, with a trailing slash."""
        root = self.scope.get("root_path", "")
        return URL(
            scope={**self.scope, "path": "/", "root_path": root.rstrip("/"), "query_string": b""}
        )

    def url_for(self, name: str, /, **params: Any) -> URL:
        """The absolute URL of the route (or named mount) called `name`, as `request.url`
        would show it: scheme and host of this request, below the app's `root_path`.

        Raises:
            LookupError: if no route has that name.
        """
        app = self.scope.get("app")
        finder = getattr(app, "url_path_for", None)
        if finder is None:
            raise LookupError(f"No app in the scope to find a route named {name!r} in.")
        path: str = finder(name, **params)
        return URL(str(self.base_url).rstrip("/") + path)

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            self._headers = Headers(scope=self.scope)
        return self._headers

    @property
    def query_params(self) -> QueryParams:
        if self._query_params is None:
            self._query_params = QueryParams(self.scope.get("query_string", b""))
        return self._query_params

    @property
    def path_params(self) -> dict[str, Any]:
        params: dict[str, Any] = self.scope.get("path_params", {})
        return params

    @property
    def cookies(self) -> dict[str, str]:
        """The request cookies; malformed pairs are skipped, never raised."""
        if self._cookies is None:
            cookies: dict[str, str] = {}
            for name, value in self.scope["headers"]:
                if name == b"cookie":
                    for key, item in parse_cookie_header(value.decode("latin-1")).items():
                        cookies.setdefault(key, item)
            self._cookies = cookies
            # The response now depends on the cookies: `Vary: Cookie` (see `transom.temporal`).
            self.scope[COOKIES_READ_KEY] = True
        return self._cookies

    @property
    def session(self) -> Session:
        """The session `SessionMiddleware` keeps (`transom.middleware.sessions`)."""
        session: Session | None = self.scope.get("session")
        if session is None:
            raise RuntimeError(
                "request.session needs SessionMiddleware: "
                "app.add_middleware(SessionMiddleware) (transom.middleware.sessions)."
            )
        return session

    @property
    def client(self) -> Address | None:
        client = self.scope.get("client")
        return None if client is None else Address(*client)

    @property
    def state(self) -> State:
        """Per-request state, seeded from the app's lifespan state."""
        return State(self.scope.setdefault("state", {}))


#: The app's default body limit: 1 MiB, ample for JSON (raise it for uploads).
DEFAULT_MAX_BODY_SIZE = 1024 * 1024


def check_body_limit(limit: int | None, where: str) -> int | None:
    """`limit` if it is a body limit (a whole number of bytes >= 0, or `None`).

    Raises:
        ValueError: naming `where` and the rule.
    """
    if limit is None or (isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0):
        return limit
    raise ValueError(f"{where} must be a whole number of bytes >= 0 or None, got {limit!r}.")


class _FromApp:
    """The route set no body limit of its own: the app's applies."""

    __slots__ = ()


_FROM_APP = _FromApp()


class Request(HTTPConnection):
    """An HTTP request: scope views plus the body.

    The body can be read once as a stream, or as a whole with `body()` (which
    keeps it, so `body()`, `json()` and `form()` can be called again). As in
    Starlette, the kept body is the attribute `_body`, which exists only once the
    body was read: a subclass that overrides `body()` with
    `if not hasattr(self, "_body")` (FastAPI's `GzipRequest`) works as documented.
    """

    _body: bytes
    _form: FormData | None = None
    _json: Any = None
    _json_loaded = False
    _stream_consumed = False
    _is_disconnected = False
    _pending: Message | None = None
    #: The route's own body limit, if it set one (`max_body_size=` on the route).
    _limit: int | _FromApp | None = _FROM_APP

    def __init__(
        self, scope: Scope, receive: Receive = _empty_receive, send: Send = _empty_send
    ) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Request needs an 'http' scope, got {scope['type']!r}.")
        self.scope = scope
        self._receive = receive
        self._send = send

    @property
    def method(self) -> str:
        method: str = self.scope["method"]
        return method

    @property
    def receive(self) -> Receive:
        return self._receive

    def check_preconditions(
        self,
        *,
        etag: str | None = None,
        weak: bool = False,
        last_modified: datetime | None = None,
        exists: bool = True,
    ) -> None:
        """Refuse with a 412 a request whose preconditions the resource no longer meets.

        Call it before changing anything, with the resource's *current*
        validators (read from your store, not from the response):

        ```python
        @app.put("/items/{item_id}")
        def update(item_id: int, item: Item, request: Request) -> Item:
            current = items[item_id]
            request.check_preconditions(etag=current.version)
            ...
        ```

        - `If-Match`: `*` holds if the resource `exists`; a list of tags holds if
          one equals `etag` by the strong comparison (a weak tag never does).
        - Without `If-Match`, `If-Unmodified-Since`: fails if `last_modified` is
          after it (ignored if it is not a valid HTTP-date).
        - For methods other than `GET` and `HEAD`, `If-None-Match`: fails if `*`
          and the resource `exists` (create-only `PUT`), or if a tag matches
          `etag`. (For `GET` and `HEAD`, a matching `If-None-Match` is answered
          304 by the response itself.)

        Args:
            etag: The resource's current entity tag, as `set_etag` takes it
                (`v3` or `'"v3"'`), if it has one.
            weak: `etag` is a weak tag.
            last_modified: When the resource last changed (an aware datetime).
            exists: Whether the resource exists now (`False`: a `PUT` creates it).

        Raises:
            HTTPException: 412 Precondition Failed, naming the failed header.
            ValueError: if `etag` is not a valid tag or `last_modified` is naive.
        """
        current = None if etag is None else parse_entity_tag(dump_entity_tag(etag, weak))
        if last_modified is not None and (
            not isinstance(last_modified, datetime) or last_modified.utcoffset() is None
        ):
            raise ValueError(
                f"check_preconditions(last_modified=...) needs an aware datetime, got "
                f"{last_modified!r}; e.g. datetime(..., tzinfo=timezone.utc)."
            )
        failed = failed_precondition(
            self.scope["method"], self.scope["headers"], current, last_modified, exists=exists
        )
        if failed is not None:
            raise HTTPException(412, _PRECONDITION_FAILED[failed])

    @property
    def max_body_size(self) -> int | None:
        """The most body bytes this request may send: the route's limit, else the app's.

        `None` means no limit. Every way of reading the body (`stream()`,
        `body()`, `json()`, body parameters, forms) enforces it while reading.
        """
        limit = self._limit
        if limit is _FROM_APP:
            app_limit: int | None = getattr(self.scope.get("app"), "max_body_size", None)
            return app_limit
        return limit  # type: ignore[return-value]

    @max_body_size.setter
    def max_body_size(self, limit: int | None) -> None:
        self._limit = limit

    async def stream(self) -> AsyncGenerator[bytes, None]:
        """Yield the body in chunks as the server delivers them.

        Raises:
            BodyTooLarge: once the body passes `max_body_size` (a 413); nothing
                more is read, whatever `Content-Length` said.
            ClientDisconnect: if the client goes away first.
        """
        body: bytes | None = getattr(self, "_body", None)
        if body is not None:
            yield body
            yield b""
            return
        if self._stream_consumed:
            raise RuntimeError("The request body stream was already consumed.")
        self._stream_consumed = True
        limit = self.max_body_size
        received = 0
        while True:
            message = await self._next_message()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                if chunk:
                    received += len(chunk)
                    if limit is not None and received > limit:
                        raise BodyTooLarge(limit)
                    yield chunk
                if not message.get("more_body", False):
                    break
            elif message["type"] == "http.disconnect":
                self._is_disconnected = True
                raise ClientDisconnect()
        yield b""

    async def body(self) -> bytes:
        """The whole body as bytes, read once and kept."""
        if getattr(self, "_body", None) is None:
            if not self._stream_consumed and self._pending is None:
                # The common case, a body in one message within the limit, without
                # the generator; anything else is kept for `stream()`, which has
                # the rules.
                message = await self._receive()
                if message["type"] == "http.request" and not message.get("more_body", False):
                    body: bytes = message.get("body", b"")
                    limit = self.max_body_size
                    if limit is None or len(body) <= limit:
                        self._stream_consumed = True
                        self._body = body
                        return body
                self._pending = message
            chunks = [chunk async for chunk in self.stream()]
            self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        """The body decoded as JSON.

        Raises:
            InvalidJSONBody: if the body is not valid UTF-8 JSON, or nests arrays
                and objects deeper than the decoder can follow.
        """
        if not self._json_loaded:
            body = await self.body()
            try:
                # RFC 8259 section 8.1: JSON is UTF-8; json.loads(bytes) would also take UTF-16/32.
                self._json = json.loads(body.decode("utf-8-sig"))
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
                raise InvalidJSONBody(body, str(exc)) from None
            except RecursionError:
                # The decoder recurses once per level, so `[[[...]]]` from a client
                # would otherwise be a 500; its stack is unwound by now.
                reason = "arrays and objects are nested deeper than the decoder can follow"
                raise InvalidJSONBody(body, reason) from None
            self._json_loaded = True
        return self._json

    def form(
        self,
        *,
        max_files: int = DEFAULT_MAX_FILES,
        max_fields: int = DEFAULT_MAX_FIELDS,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
    ) -> AwaitableForm:
        """The body parsed as a form, once: later calls give the same `FormData`.

        `application/x-www-form-urlencoded` and `multipart/form-data` bodies are
        parsed while read, so `max_body_size` still applies; any other
        `Content-Type` gives an empty `FormData`. Await it, or use `async with
        request.form() as form:` to close the form's files on exit.

        Args:
            max_files: The most file parts a multipart form may have.
            max_fields: The most text fields a form may have.
            max_part_size: The most bytes of one text field.

        Raises:
            MalformedForm: (a 400) if the body does not parse or passes a limit.
            BodyTooLarge: once the body passes `max_body_size` (a 413).
        """

        async def parse() -> FormData:
            if self._form is None:
                async with aclosing(self.stream()) as stream:
                    self._form = await parse_form(
                        stream,
                        self.headers.get("content-type", ""),
                        max_files=max_files,
                        max_fields=max_fields,
                        max_part_size=max_part_size,
                    )
            return self._form

        return AwaitableForm(parse)

    async def close(self) -> None:
        """Close the files of the form, if `form()` parsed one."""
        if self._form is not None:
            await self._form.close()

    async def _next_message(self) -> Message:
        pending = self._pending
        if pending is not None:
            self._pending = None
            return pending
        return await self._receive()

    async def is_disconnected(self) -> bool:
        """Whether the client has gone away, polling `receive` without blocking.

        A body chunk that arrives during the poll is kept for `stream()`, so
        asking never loses any of the body.
        """
        if self._is_disconnected or self._pending is not None:
            return self._is_disconnected
        message: Message | None = None
        with anyio.CancelScope() as poll:
            poll.cancel()  # receive returns only what is already there
            message = await self._receive()
        if message is not None:
            if message["type"] == "http.disconnect":
                self._is_disconnected = True
            else:
                self._pending = message
        return self._is_disconnected
