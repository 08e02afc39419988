"""CSRF protection for apps that authenticate with cookies: a signed double-submit token.

`CSRFMiddleware` gives every client a random token in a signed cookie
(`csrftoken`, sealed by `transom.sealing`, so a cookie planted from a sibling
domain does not verify). A request with an unsafe method (anything but GET,
HEAD, OPTIONS and TRACE) must send the same token back in the `X-CSRF-Token`
header or a `csrf_token` form field; a page of another site can make the
browser send the cookie, but cannot read it to send the token. Otherwise the
answer is a 403 with a JSON `detail`, before the app runs.

Read the token into a page or a script with `csrf_token(request)`:

    <input type="hidden" name="csrf_token" value="{{ csrf_token(request) }}">

The cookie is not HttpOnly, so a single-page app may read it and send the
header itself; it is still signed, and comparing uses constant time.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Collection
from typing import Any

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.exceptions import KeyringError, MalformedForm
from transom.forms import parse_form
from transom.http.cookies import UNSET, parse_cookie_header
from transom.http.headers import RawHeaders
from transom.http.merge import add_list_value, merge_headers
from transom.keyring import Keyring
from transom.requests import HTTPConnection
from transom.responses import JSONResponse, Response
from transom.sealing import CookieContext, current_context, joined_value, open_value

__all__ = ["SAFE_METHODS", "CSRFMiddleware", "csrf_token"]

#: Methods that must not change state, so need no token (RFC 9110 section 9.2.1).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SCOPE_KEY = "transom.csrf_token"
_PURPOSE = "csrf"
_FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")


def csrf_token(request: HTTPConnection) -> str:
    """This request's CSRF token, to put in a form field or a header.

    Raises:
        RuntimeError: if `CSRFMiddleware` is not installed.
    """
    token: str | None = request.scope.get(SCOPE_KEY)
    if token is None:
        raise RuntimeError(
            "csrf_token(request) needs CSRFMiddleware: app.add_middleware(CSRFMiddleware) "
            "(transom.middleware.csrf)."
        )
    return token


class CSRFMiddleware:
    """Refuse unsafe requests that do not send back the client's CSRF token.

    Args:
        app: The ASGI app.
        secret_key: A `Keyring` or one key (at least 32 bytes); without it the
            app's key ring signs the cookie.
        cookie_name: The cookie holding the signed token.
        header_name: The request header a script sends the token in.
        field_name: The form field a page sends the token in.
        safe_methods: The methods that need no token.
        exempt_paths: Paths (exact) that need no token, e.g. a webhook.
        max_body_size: The most bytes of a form body read to find the field.
        path, same_site, https_only, domain: The cookie's attributes; left
            out, they come from the app's `CookiePolicy`, else `/`, `lax`, not
            Secure, no domain. Never HttpOnly (scripts may read it).
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: str | bytes | Keyring | None = None,
        cookie_name: str = "csrftoken",
        header_name: str = "x-csrf-token",
        field_name: str = "csrf_token",
        safe_methods: Collection[str] = SAFE_METHODS,
        exempt_paths: Collection[str] = (),
        max_body_size: int = 1024 * 1024,
        path: str = UNSET,
        same_site: str = UNSET,
        https_only: bool = UNSET,
        domain: str | None = UNSET,
    ) -> None:
        self.app = app
        if secret_key is None or isinstance(secret_key, Keyring):
            self.keyring = secret_key
        else:
            try:
                self.keyring = Keyring([secret_key])
            except KeyringError as exc:
                raise KeyringError(f"CSRFMiddleware secret_key: {exc}") from None
        self.cookie_name = cookie_name
        self.header_name = header_name.lower().encode("latin-1")
        self.field_name = field_name
        self.safe_methods = frozenset(method.upper() for method in safe_methods)
        self.exempt_paths = frozenset(exempt_paths)
        self.max_body_size = max_body_size
        self.attributes: dict[str, Any] = {
            "path": path,
            "samesite": same_site,
            "secure": https_only,
            "domain": domain,
        }

    def _context(self, scope: Scope) -> CookieContext:
        app_context = current_context()
        keyring = self.keyring or (app_context.keyring if app_context is not None else None)
        if keyring is None:
            raise RuntimeError(
                "CSRFMiddleware needs a key: CSRFMiddleware(app, secret_key=...) or "
                "Transom(keyring=Keyring.from_env('APP_KEYS'))."
            )
        return CookieContext(keyring, app_context.policy if app_context else None, scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = self._context(scope)
        assert context.keyring is not None
        cookies = _request_cookies(scope)
        sent = joined_value(cookies, self.cookie_name)
        opened = None
        if sent is not None:
            opened = open_value(context.keyring, self.cookie_name, _PURPOSE, sent, encrypted=False)
        value = None
        if opened is not None:
            try:
                value = opened.value()
            except ValueError:  # pragma: no cover - only this middleware seals the cookie
                value = None
        valid = isinstance(value, str)
        token = value if isinstance(value, str) else secrets.token_urlsafe(32)
        # A new token, or one an older key signed: (re-)issue the cookie.
        fresh = not valid or (opened is not None and opened.key_index > 0)
        scope[SCOPE_KEY] = token
        if scope["method"] not in self.safe_methods and scope["path"] not in self.exempt_paths:
            accepted, receive = await self._check(scope, receive, token if valid else None)
            if not accepted:
                await self._refuse(scope, receive, send)
                return

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start" and fresh:
                message = {**message, "headers": self._headers(context, message, token)}
            await send(message)

        await self.app(scope, receive, send_with_token)

    async def _check(
        self, scope: Scope, receive: Receive, expected: str | None
    ) -> tuple[bool, Receive]:
        """Whether the request sends back `expected`; and the `receive` for the app."""
        if expected is None:  # no valid cookie: nothing to compare with
            return False, receive
        for name, value in scope["headers"]:
            if name == self.header_name:
                return _same(value.decode("latin-1"), expected), receive
        content_type = b""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
        if content_type.split(b";")[0].strip().lower() not in _FORM_TYPES:
            return False, receive
        body, replay = await _buffered(receive, self.max_body_size)
        if body is None:
            return False, replay
        try:
            form = await parse_form(_chunks(body), content_type.decode("latin-1"))
        except MalformedForm:
            return False, replay
        try:
            field = form.get(self.field_name)
            return isinstance(field, str) and _same(field, expected), replay
        finally:
            await form.close()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = self.header_name.decode("latin-1")
        detail = (
            f"CSRF token missing or incorrect: send the token of the {self.cookie_name!r} "
            f"cookie in the {header!r} header or the {self.field_name!r} form field."
        )
        response = JSONResponse({"detail": detail}, status_code=403, headers={"Vary": "Cookie"})
        await response(scope, receive, send)

    def _headers(self, context: CookieContext, message: Message, token: str) -> RawHeaders:
        headers: RawHeaders = list(message.get("headers", ()))
        add_list_value(headers, b"vary", b"Cookie")
        given = dict(self.attributes)
        if context.policy is None:
            defaults = {"path": "/", "samesite": "lax", "secure": False, "domain": None}
            given = {
                key: defaults[key] if value is UNSET else value for key, value in given.items()
            }
        jar = Response()
        jar.set_cookie_in(
            context,
            self.cookie_name,
            token,
            (
                None,
                None,
                given["path"],
                given["domain"],
                given["secure"],
                False,
                given["samesite"],
                UNSET,
            ),
            compat=False,
            keep_on_error=True,
            signed=True,
            encrypted=False,
            purpose=_PURPOSE,
        )
        return merge_headers(
            headers, [pair for pair in jar.raw_headers if pair[0] == b"set-cookie"]
        )


def _same(sent: str, expected: str) -> bool:
    return hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode("utf-8"))


def _request_cookies(scope: Scope) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            for key, item in parse_cookie_header(value.decode("latin-1")).items():
                cookies.setdefault(key, item)
    return cookies


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    yield body


async def _buffered(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    """The whole body (or `None` past `limit`), and a `receive` that replays it."""
    parts: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        parts.append(chunk)
        more = message.get("more_body", False)
        if size > limit:
            break
    body = b"".join(parts)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return (None if size > limit else body), replay
