"""`HTTPSRedirectMiddleware`: send every `http://` (and `ws://`) request to its `https://` URL.

The redirect is a 307, so the method and body are kept; the port is dropped
when it is a default one (80, 443). A request without a usable host gets
`400 Invalid host header` rather than a redirect to nowhere.
"""

from __future__ import annotations

from transom._types import ASGIApp, Receive, Scope, Send
from transom.http.urls import URL
from transom.responses import PlainTextResponse, RedirectResponse, Response
from transom.websockets import refuse_handshake

__all__ = ["HTTPSRedirectMiddleware"]

_SECURE = {"http": "https", "ws": "wss"}


class HTTPSRedirectMiddleware:
    """Redirect plain-text requests to the same URL over TLS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scheme = scope.get("scheme", "http")
        if scope["type"] not in ("http", "websocket") or scheme not in _SECURE:
            await self.app(scope, receive, send)
            return
        url = URL(scope=scope)
        response: Response
        if not url.hostname:
            response = PlainTextResponse("Invalid host header", status_code=400)
        else:
            netloc = url.hostname if url.port in (None, 80, 443) else url.netloc
            if ":" in url.hostname and netloc == url.hostname:
                netloc = f"[{netloc}]"  # an IPv6 literal keeps its brackets
            target = url.replace(scheme=_SECURE[scheme], netloc=netloc)
            response = RedirectResponse(str(target), status_code=307)
        if scope["type"] == "websocket":
            # The denial carries the redirect where the server can send one.
            await refuse_handshake(scope, receive, send, response)
        else:
            await response(scope, receive, send)
