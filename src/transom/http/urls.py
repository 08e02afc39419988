"""URLs and query strings.

`URL` is an immutable view of a URL, built from a string or from an ASGI scope.
`QueryParams` is an immutable multidict of decoded query parameters. Parsing is
lenient: any byte sequence in a query string decodes (invalid UTF-8 becomes
U+FFFD) instead of raising. Standard library only.

A URL built from a scope takes its authority from the `Host` header only if
that is an RFC 3986 `host [":" port]`; anything else (`good.example@evil.example`,
`evil.example/x?`, a space) is the client's word and never reaches the URL, which
then names the server's own address, or is relative when the server gave none.
So `request.url` and every redirect built from it point where the request went.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

from transom.http.multidict import ImmutableMultiDict

__all__ = ["URL", "QueryParams", "is_host", "route_path"]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# Bytes as ints: `int in bytes` is a plain scan, while `bytes in bytes` first
# tries the needle as an int and builds (then drops) a TypeError, some 2k
# instructions per test on the request path.
_PERCENT, _PLUS = ord("%"), ord("+")

# RFC 3986 section 3.2.2: reg-name (IPv4address is a special case of it), or an
# IP-literal in brackets; then an optional port of digits (section 3.2.3).
_UNRESERVED_OR_SUB_DELIM = r"-A-Za-z0-9._~!$&'()*+,;="
_REG_NAME = rf"(?:[{_UNRESERVED_OR_SUB_DELIM}]|%[0-9A-Fa-f]{{2}})+"
_IP_LITERAL = rf"\[(?:(?P<ipv6>[0-9A-Fa-f:.]+)|v[0-9A-Fa-f]+\.[{_UNRESERVED_OR_SUB_DELIM}:]+)\]"
_HOST = re.compile(rf"(?:{_REG_NAME}|{_IP_LITERAL})(?::(?P<port>[0-9]*))?")
_MAX_PORT = 65535


def route_path(scope: Mapping[str, Any]) -> str:
    """The path to route on: the request path below the app's `root_path`."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root) :] or "/"
    return path


def is_host(value: str) -> bool:
    """Tell whether `value` is an RFC 3986 `host [":" port]`, as a `Host` header must be.

    The host is a registered name or IPv4 address (`api.example`, `10.0.0.1`) or
    an IP literal in brackets (`[::1]`); the port, if any, is at most 65535.
    """
    found = _HOST.fullmatch(value)
    if found is None:
        return False
    port = found["port"]
    # The length check first: int() refuses strings of thousands of digits.
    if port and (len(port) > 5 or int(port) > _MAX_PORT):
        return False
    ipv6 = found["ipv6"]
    if ipv6 is not None:
        try:
            ipaddress.IPv6Address(ipv6)
        except ValueError:
            return False
    return True


class URL:
    """An immutable URL with `scheme`, `netloc`, `path`, `query` and friends."""

    __slots__ = ("_parts", "_url")

    def __init__(self, url: str = "", scope: Mapping[str, Any] | None = None) -> None:
        self._parts: SplitResult | None = None
        if scope is not None:
            # The parts come from the scope itself, never from re-parsing text: a
            # decoded path may hold '?' or '#' (sent as %3F, %23).
            url, self._parts = _url_from_scope(scope)
        self._url = url

    @property
    def components(self) -> SplitResult:
        """The `urllib.parse.SplitResult` of this URL."""
        if self._parts is None:
            try:
                self._parts = urlsplit(self._url)
            except ValueError:
                # urlsplit refuses a netloc such as '[' (no valid IPv6 literal); any text
                # still has a path, a query and a fragment.
                self._parts = _lenient_split(self._url)
        return self._parts

    @property
    def scheme(self) -> str:
        return self.components.scheme

    @property
    def netloc(self) -> str:
        return self.components.netloc

    @property
    def path(self) -> str:
        return self.components.path

    @property
    def query(self) -> str:
        return self.components.query

    @property
    def fragment(self) -> str:
        return self.components.fragment

    @property
    def hostname(self) -> str | None:
        return self.components.hostname

    @property
    def port(self) -> int | None:
        return self.components.port

    @property
    def is_secure(self) -> bool:
        return self.scheme in ("https", "wss")

    def replace(self, **kwargs: Any) -> URL:
        """A copy with components replaced: `scheme`, `netloc`, `path`, `query`, `fragment`."""
        return URL(self.components._replace(**kwargs).geturl())

    def include_query_params(self, **kwargs: Any) -> URL:
        """A copy whose query has these parameters set (replacing any of the same name)."""
        params = [
            (k, v) for k, v in parse_qsl(self.query, keep_blank_values=True) if k not in kwargs
        ]
        params.extend((k, str(v)) for k, v in kwargs.items())
        return self.replace(query=urlencode(params))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, URL)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._url)

    def __str__(self) -> str:
        return self._url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._url!r})"


_LENIENT = re.compile(
    r"^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S
)


def _lenient_split(url: str) -> SplitResult:
    """RFC 3986 appendix B's split, which any text matches."""
    found = _LENIENT.match(url)
    assert found is not None  # every group is optional
    scheme, netloc, path, query, fragment = (part or "" for part in found.groups())
    return SplitResult(scheme.lower(), netloc, path, query, fragment)


def _url_from_scope(scope: Mapping[str, Any]) -> tuple[str, SplitResult]:
    """The URL of a request, as text and as parts (the path decoded, as ASGI gives it)."""
    scheme = scope.get("scheme", "http")
    # ASGI: `path` already includes `root_path`; older servers sent it without.
    root = scope.get("root_path", "")
    path = scope["path"]
    if root and not path.startswith(root):
        path = root + path
    query = scope.get("query_string", b"")
    host = _host_header(scope)
    if host is None or not is_host(host):
        host = _server_netloc(scope, scheme)
    text_path = path.replace("?", "%3F").replace("#", "%23")
    if host is None:
        # A relative URL: a path starting with "//" would read as an authority, so
        # it gets the "/." prefix the WHATWG URL standard writes in that case.
        url = "/." + text_path if text_path.startswith("//") else text_path
    else:
        url = f"{scheme}://{host}{text_path}"
    query_text = query.decode("latin-1")
    parts = SplitResult(scheme if host is not None else "", host or "", path, query_text, "")
    return (f"{url}?{query_text}" if query else url), parts


def _host_header(scope: Mapping[str, Any]) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            host: str = value.decode("latin-1")
            return host
    return None


def _server_netloc(scope: Mapping[str, Any], scheme: str) -> str | None:
    """The server's address as `host[:port]` (port omitted if the default); None if unusable."""
    server = scope.get("server")
    if server is None:
        return None
    host, port = server
    if port is None:  # a Unix socket: its path is no address a client could use
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return netloc if is_host(netloc) else None


class QueryParams(ImmutableMultiDict[str]):
    """An immutable multidict of query parameters.

    `params[key]` gives the last value of `key`; `getlist(key)` gives every value.
    """

    __slots__ = ()

    def __init__(
        self,
        params: str | bytes | Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> None:
        pairs: list[tuple[str, str]]
        if params is None:
            pairs = []
        elif isinstance(params, bytes) and _PERCENT not in params and _PLUS not in params:
            # Nothing to percent-decode: decode once and split (the common case).
            # `&` and `=` never occur inside a UTF-8 sequence, so this equals
            # decoding piece by piece.
            pairs = []
            for chunk in params.decode("utf-8", "replace").split("&"):
                if chunk:
                    key, _, value = chunk.partition("=")
                    pairs.append((key, value))
        elif isinstance(params, bytes):
            # Percent-decode byte for byte (latin-1), then decode UTF-8 leniently,
            # so any byte sequence is accepted and never raises.
            pairs = [
                (_utf8(k), _utf8(v))
                for k, v in parse_qsl(params.decode("latin-1"), True, encoding="latin-1")
            ]
        elif isinstance(params, str):
            pairs = parse_qsl(params, keep_blank_values=True)
        elif isinstance(params, Mapping):
            pairs = [(str(k), str(v)) for k, v in params.items()]
        else:
            pairs = [(str(k), str(v)) for k, v in params]
        self._set(pairs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryParams):
            return NotImplemented
        return sorted(self._list) == sorted(other._list)

    __hash__ = None

    def __str__(self) -> str:
        return urlencode(self._list)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


def _utf8(text: str) -> str:
    return text if text.isascii() else text.encode("latin-1").decode("utf-8", "replace")
