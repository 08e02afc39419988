"""CORS: letting browser code on other origins call the API and read its responses.

Pure ASGI. Everything that does not depend on the request is computed once in
`__init__`; per request the middleware only looks up the origin and adds
prepared header pairs. It follows the Fetch standard:

- a preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here;
- an allowed origin is echoed (or `*` when every origin is allowed and
  credentials are not), with `Vary: Origin` added to any existing `Vary`;
- a disallowed origin gets no `Access-Control-Allow-*` header at all;
- with credentials the wildcard `*` is never sent for origins or headers;
- what the client sent is echoed only if it is well formed: an `Origin` that is
  not visible ASCII is never allowed, and a requested header name that is not
  an RFC 9110 token is never echoed, so no client can make a header invalid.

`Transom` places this middleware outside its error layer, so a 500 from an
unhandled error carries CORS headers too and the browser can read it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from typing import ClassVar, Literal

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.http.headers import Headers, RawHeaders, encode_value, is_token
from transom.http.merge import merge_headers
from transom.responses import PlainTextResponse

__all__ = ["CORSMiddleware"]

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
# Request headers a browser may always send without asking (Fetch "CORS-safelisted").
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})


def _is_origin_text(origin: str) -> bool:
    """Whether `origin` is visible ASCII, as every serialized origin is (RFC 6454)."""
    # A control character or non-ASCII text can only come from a broken or hostile
    # client; echoing it would make the response header invalid.
    return origin.isascii() and origin.isprintable() and " " not in origin


def _names(values: Iterable[str], what: str) -> list[str]:
    names = list(values)
    for name in names:
        if name != "*" and not is_token(name):
            raise ValueError(f"CORS {what} entry {name!r} is not a valid header or method name.")
    return names


class CORSMiddleware:
    """Answer CORS preflights and add CORS headers to responses for allowed origins.

    Args:
        app: The app to wrap.
        allow_origins: Origins allowed to call (`"https://app.example"`), or `["*"]`.
        allow_methods: Methods allowed in preflights, or `["*"]`.
        allow_headers: Request headers allowed in preflights, or `["*"]`.
        allow_credentials: Allow cookies and HTTP auth; then origins are echoed.
        allow_origin_regex: A regex an origin must fully match (with or instead of the list).
        allow_private_network: Answer Private Network Access preflights.
        expose_headers: Response headers page scripts may read; `"*"`; or
            `"declared"`: every header a route of the app declares
            (`response_headers=`), read from the app on the first request.
        max_age: Seconds a browser may cache a preflight answer.

    Raises:
        ValueError: for `allow_origins=["*"]` with `allow_credentials=True`.
    """

    #: Placed outside the app's error layer (see `Transom.build_middleware_stack`).
    wraps_errors: ClassVar[bool] = True

    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Sequence[str] = (),
        allow_methods: Sequence[str] = ("GET",),
        allow_headers: Sequence[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Sequence[str] | Literal["*", "declared"] = (),
        max_age: int = 600,
    ) -> None:
        self.app = app
        for option, given in (
            ("allow_origins", allow_origins),
            ("allow_methods", allow_methods),
            ("allow_headers", allow_headers),
        ):
            if isinstance(given, str):
                raise TypeError(f"CORS {option} takes a list, not a string ({given!r}).")
        self.expose_declared = expose_headers == "declared"
        if self.expose_declared:
            expose_headers = ()
        if isinstance(expose_headers, str) and expose_headers != "*":
            raise TypeError(
                f"CORS expose_headers takes a list or '*', not a string ({expose_headers!r})."
            )
        self.allow_all_origins = "*" in allow_origins
        if self.allow_all_origins and allow_credentials:
            raise ValueError(
                "CORS allow_origins=['*'] cannot be combined with allow_credentials=True: "
                "browsers reject '*' with credentials, and reflecting every origin would let "
                "any site act as the user. List the allowed origins explicitly, or use "
                "allow_origin_regex."
            )
        self.allow_origins = frozenset(allow_origins)
        self.origin_regex = re.compile(allow_origin_regex) if allow_origin_regex else None
        self.allow_credentials = allow_credentials
        self.allow_private_network = allow_private_network
        methods = [m.upper() for m in _names(allow_methods, "allow_methods")]
        self.allow_methods = frozenset(ALL_METHODS if "*" in methods else methods)
        headers = [h.lower() for h in _names(allow_headers, "allow_headers")]
        self.allow_all_headers = "*" in headers
        self.allow_headers = frozenset(headers) | SAFELISTED_HEADERS
        exposed = ["*"] if expose_headers == "*" else _names(expose_headers, "expose_headers")
        if exposed == ["*"] and allow_credentials:
            warnings.warn(
                "CORS expose_headers='*' with allow_credentials=True exposes no header: with "
                "credentials browsers read '*' as a header literally named '*'. List the "
                "headers to expose.",
                UserWarning,
                stacklevel=2,
            )
        self.simple_headers = self._simple_headers(exposed)
        self.preflight_headers = self._preflight_headers(sorted(self.allow_methods), max_age)

    def _simple_headers(self, exposed: list[str]) -> RawHeaders:
        headers: RawHeaders = []
        if self.allow_all_origins:
            headers.append((b"access-control-allow-origin", b"*"))
        if self.allow_credentials:
            headers.append((b"access-control-allow-credentials", b"true"))
        if exposed:
            value = ", ".join(exposed)
            headers.append(
                (b"access-control-expose-headers", encode_value("expose_headers", value))
            )
        return headers

    def _preflight_headers(self, methods: list[str], max_age: int) -> RawHeaders:
        headers: RawHeaders = [
            (b"access-control-allow-methods", ", ".join(methods).encode("ascii")),
            (b"access-control-max-age", str(int(max_age)).encode("ascii")),
        ]
        if self.allow_all_origins:
            headers.insert(0, (b"access-control-allow-origin", b"*"))
        if self.allow_credentials:
            headers.append((b"access-control-allow-credentials", b"true"))
        return headers

    def _expose_declared(self, scope: Scope) -> None:
        app = scope.get("app")
        declared = getattr(app, "declared_header_names", None)
        if declared is None:
            raise RuntimeError(
                "CORS expose_headers='declared' needs a Transom app (one that knows its "
                "declared response headers)."
            )
        names = declared()
        self.simple_headers = self._simple_headers(names)
        self.expose_declared = False

    @property
    def echoes_origin(self) -> bool:
        """Whether the response depends on `Origin` (and so needs `Vary: Origin`)."""
        return not self.allow_all_origins

    def is_allowed_origin(self, origin: str) -> bool:
        """Whether `origin` may make CORS requests (never if it is not visible ASCII)."""
        if origin in self.allow_origins:
            return True
        if not _is_origin_text(origin):
            return False
        if self.allow_all_origins:
            return True
        return self.origin_regex is not None and self.origin_regex.fullmatch(origin) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = request_method = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1")
            elif name == b"access-control-request-method":
                request_method = value.decode("latin-1")
        if self.expose_declared:
            self._expose_declared(scope)
        if origin is None:
            if self.echoes_origin:
                # The answer would differ for a request with Origin, so caches must
                # vary on it even here (Fetch standard, "CORS protocol and HTTP caches").
                send = self._cors_send(send, None, [(b"vary", b"Origin")])
            await self.app(scope, receive, send)
        elif scope["method"] == "OPTIONS" and request_method is not None:
            await self.preflight(scope, origin, request_method)(scope, receive, send)
        elif self.is_allowed_origin(origin):
            await self.app(scope, receive, self._cors_send(send, origin, self.simple_headers))
        else:
            # This middleware owns the Access-Control-Allow-* headers: a disallowed
            # origin gets none, even if a handler set some.
            # The answer still depends on Origin, so caches must vary on it.
            vary: RawHeaders = [(b"vary", b"Origin")] if self.echoes_origin else []
            await self.app(scope, receive, self._cors_send(send, None, vary))

    def preflight(self, scope: Scope, origin: str, method: str) -> PlainTextResponse:
        """The answer to a preflight request."""
        headers = Headers(scope=scope)
        requested = headers.get("access-control-request-headers", "")
        spelled = [item.strip() for item in requested.split(",") if item.strip()]
        asked = [name.lower() for name in spelled]
        problems = []
        if not self.is_allowed_origin(origin):
            problems.append("origin")
        if method.upper() not in self.allow_methods:
            problems.append("method")
        if not self.allow_all_headers and any(h not in self.allow_headers for h in asked):
            problems.append("headers")
        vary = [(b"vary", b"Origin")] if self.echoes_origin else []
        if problems:
            # No Access-Control-Allow-* header: the browser blocks the request.
            response = PlainTextResponse(f"Disallowed CORS {', '.join(problems)}", 400)
            response.raw_headers += vary
            return response
        response = PlainTextResponse("OK", 200)
        extra = list(self.preflight_headers)
        if self.echoes_origin:
            extra.insert(0, (b"access-control-allow-origin", encode_value("origin", origin)))
        if self.allow_all_headers:
            # Only tokens are echoed: anything else would make the answer's header invalid.
            # They are echoed as spelled (header names are case-insensitive), as Starlette.
            allowed = [name for name in spelled if is_token(name)]
        else:
            allowed = sorted(self.allow_headers)
        if allowed:
            value = ", ".join(allowed)
            extra.append((b"access-control-allow-headers", encode_value("allow-headers", value)))
        private = headers.get("access-control-request-private-network", "")
        if self.allow_private_network and private.lower() == "true":
            extra.append((b"access-control-allow-private-network", b"true"))
        response.raw_headers += extra + vary
        return response

    def _cors_send(self, send: Send, origin: str | None, headers: RawHeaders) -> Send:
        """Wrap `send` to replace the response's CORS headers with `headers`.

        With an `origin`, it is echoed (when not every origin is allowed) and
        `Vary: Origin` is added.
        """
        cors = list(headers)
        if origin is not None and self.echoes_origin:
            cors.insert(0, (b"access-control-allow-origin", encode_value("origin", origin)))
            cors.append((b"vary", b"Origin"))

        async def cors_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    pair
                    for pair in message.get("headers", ())
                    if not pair[0].startswith(b"access-control-allow-")
                ]
                message = {**message, "headers": merge_headers(headers, cors)}
            await send(message)

        return cors_send
