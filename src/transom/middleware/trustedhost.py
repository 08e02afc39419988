"""`TrustedHostMiddleware`: refuse requests whose `Host` is not one the app serves.

A request (or WebSocket handshake) whose `Host` header names no allowed host
gets `400 Invalid host header`, which stops Host-header attacks (poisoned
password-reset links, cache poisoning) before any route runs. `allowed_hosts`
takes exact names and `*.example.com` wildcards (any subdomain, not the bare
domain); `["*"]` allows every host. With `www_redirect` (the default), a
request for `example.com` when `www.example.com` is one of the allowed hosts
(by name, not by a wildcard) is redirected there.
"""

from __future__ import annotations

from collections.abc import Sequence

from transom._types import ASGIApp, Receive, Scope, Send
from transom.http.urls import URL
from transom.responses import PlainTextResponse, RedirectResponse, Response
from transom.websockets import refuse_handshake

__all__ = ["TrustedHostMiddleware"]


def _host_of(value: str | None) -> str | None:
    """The host of a `Host` header value, lowercased, without the port; `None` if absent."""
    if not value:
        return None
    if value.startswith("["):  # an IPv6 literal
        end = value.find("]")
        return value[: end + 1].lower() if end > 0 else None
    return value.partition(":")[0].lower() or None


class TrustedHostMiddleware:
    """Answer 400 unless the request's `Host` is allowed.

    Args:
        app: The app to wrap.
        allowed_hosts: Host names and `*.domain` patterns; `None` or `["*"]` allows all.
        www_redirect: Redirect `example.com` to `www.example.com` when only the latter is allowed.

    Raises:
        ValueError: for a pattern with `*` anywhere but a leading `*.`.
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Sequence[str] | None = None,
        www_redirect: bool = True,
    ) -> None:
        patterns = ["*"] if allowed_hosts is None else [host.lower() for host in allowed_hosts]
        for pattern in patterns:
            wild = "*" in pattern[1:] or (pattern[:1] == "*" and pattern[:2] != "*.")
            if pattern != "*" and wild:
                raise ValueError(
                    f"Domain wildcard patterns must be like '*.example.com', got {pattern!r}."
                )
        self.app = app
        self.allowed_hosts = patterns
        self.allow_any = "*" in patterns
        self.www_redirect = www_redirect

    def _allowed(self, host: str) -> bool:
        return any(
            host == pattern or (pattern[:2] == "*." and host.endswith(pattern[1:]))
            for pattern in self.allowed_hosts
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        value = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        host = _host_of(value)
        if host is not None and self._allowed(host):
            await self.app(scope, receive, send)
            return
        response: Response = PlainTextResponse("Invalid host header", status_code=400)
        if host is not None and self.www_redirect and "www." + host in self.allowed_hosts:
            url = URL(scope=scope)
            response = RedirectResponse(str(url.replace(netloc="www." + (value or ""))))
        if scope["type"] == "websocket":
            await refuse_handshake(scope, receive, send, response)
        else:
            await response(scope, receive, send)
