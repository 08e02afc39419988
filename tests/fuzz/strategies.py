"""Hypothesis strategies for raw requests to the fuzz app.

Two grammars:

- `deliverable_requests`: what a client can get through an HTTP/1.1 server into
  an ASGI scope, taking h11 (uvicorn's pure-Python protocol) as the measure.
  The method and header names are tokens (names lower-cased); a header value is
  any latin-1 but NUL, CR, LF, VT and FF, with spaces and tabs only inside (h11
  passes other control characters on); `raw_path` and the query string are
  visible ASCII; the decoded `path` (a percent-escape can put any character
  there) and the body are anything.
- `hostile_requests`: any bytes in every field, including what no server passes
  on (NUL, CR, LF, non-token header names, non-ASCII query strings).

Both lean towards the app's own routes, parameter names, cookies, CORS
preflights and JSON bodies, so most requests reach a handler instead of a 404.
"""

from __future__ import annotations

import itertools
import json
import string
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from tests.fuzz.app import ALLOWED_ORIGIN
from tests.fuzz.client import RawRequest

__all__ = [
    "METHODS",
    "cookie_headers",
    "deliverable_requests",
    "field_values",
    "hostile_requests",
    "json_values",
    "tokens",
    "user_ids",
]

TOKEN_CHARS = "!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

tokens = st.text(TOKEN_CHARS, min_size=1, max_size=16)
#: User ids as the app's `X-User` header carries them: distinct ids give distinct tokens.
user_ids = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)

#: What h11 accepts inside a field value: `[^\x00\s]`, plus SP and HTAB between.
_field_chars = st.characters(
    min_codepoint=0x01, max_codepoint=0xFF, exclude_characters="\n\x0b\x0c\r"
)
#: Field values an HTTP/1.1 server passes on to the app (outer whitespace stripped).
field_values = st.text(_field_chars, max_size=40).map(lambda text: text.strip(" \t"))

_cookie_octets = st.text(
    "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\'), max_size=12
)
_cookie_values = st.one_of(
    _cookie_octets,
    _cookie_octets.map(lambda value: f'"{value}"'),
    st.text(_field_chars, max_size=12),
)
_cookie_names = st.one_of(st.sampled_from(["theme", "session", "uid", ""]), tokens, field_values)
_cookie_pairs = st.one_of(
    st.builds(lambda name, value: f"{name}={value}", _cookie_names, _cookie_values),
    field_values,
)
#: `Cookie` header values: pairs joined by `;` with irregular spacing, and garbage.
cookie_headers = st.builds(
    lambda pairs, separator: separator.join(pairs).strip(" \t"),
    st.lists(_cookie_pairs, max_size=5),
    st.sampled_from(["; ", ";", " ; ", ";;"]),
)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_valid_items = st.fixed_dictionaries(
    {
        "name": st.text(max_size=64),
        "price": st.floats(min_value=0, allow_infinity=False),
    },
    optional={"tags": st.lists(st.text(max_size=10), max_size=4)},
)
_any_items = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=70), json_values),
        "price": st.one_of(st.floats(), st.integers(min_value=-10, max_value=10**20), json_values),
        "tags": st.one_of(st.lists(st.text(max_size=10), max_size=4), json_values),
    },
)
_items = st.one_of(_valid_items, _any_items)
_json_documents = st.one_of(
    _items,
    st.fixed_dictionaries({"item": _items}, optional={"note": json_values}),
    st.lists(json_values, max_size=6),
    json_values,
)


def _encode_json(document: Any, form: str) -> bytes:
    # json.dumps writes NaN and Infinity, which are not JSON: a client might send them.
    text = json.dumps(document, ensure_ascii=form == "ascii")
    if form == "utf-8-sig":
        return text.encode("utf-8-sig")
    if form == "utf-16":
        return text.encode("utf-16")
    return text.encode()


_nesting = st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n)
#: A lone surrogate escape: valid JSON syntax that decodes to no Unicode string.
_surrogates = st.sampled_from([b'{"name": "\\ud800", "price": 1}', b'["\\udfff"]', b'"\\ud83d"'])
_bodies = st.one_of(
    st.builds(
        _encode_json,
        _json_documents,
        st.sampled_from(["utf-8", "utf-8", "ascii", "utf-8-sig", "utf-16"]),
    ),
    st.binary(max_size=64),
    _nesting,
    _surrogates,
    st.just(b""),
)

#: Where to cut a body into `more_body` chunks, in 64ths of its length.
_cuts = st.lists(st.integers(0, 64), max_size=4)


def chunked(body: bytes, cuts: list[int]) -> list[bytes]:
    """`body` split at the `cuts` (in 64ths of its length), empty chunks included."""
    bounds = [0, *sorted(len(body) * cut // 64 for cut in cuts), len(body)]
    return [body[start:end] for start, end in itertools.pairwise(bounds)]


_segments = st.one_of(
    st.integers(min_value=0, max_value=10**25).map(str),
    st.text(string.digits, min_size=1, max_size=20),
    st.text(max_size=12),
)
_item_paths = st.builds(lambda segment: f"/items/{segment}", _segments)
#: (method, path) of each of the app's routes, with near misses: a trailing slash, no id.
_routes = st.one_of(
    st.tuples(st.sampled_from(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]), _item_paths),
    st.tuples(st.just("POST"), st.sampled_from(["/items", "/items/", "/bulk"])),
    st.tuples(
        st.sampled_from(["GET", "HEAD"]),
        st.sampled_from(["/shared", "/shared/", "/stream", "/private", "/docs", "/openapi.json"]),
    ),
    st.tuples(st.just("GET"), st.builds(lambda rest: f"/files/{rest}", st.text(max_size=30))),
    st.tuples(st.sampled_from(METHODS), st.one_of(st.just("/"), st.text(max_size=30))),
)

_query_keys = st.one_of(st.sampled_from(["q", "tag", "limit", "count", "x"]), st.text(max_size=6))
_query_values = st.one_of(
    st.integers(min_value=-5, max_value=200).map(str), st.text(max_size=30), st.just("")
)
# What the request line cannot hold (h11's request target is visible ASCII); and `#`.
_NOT_IN_TARGET = str.maketrans("", "", "".join(map(chr, range(0x21))) + "#\x7f")


def _query_pair(key: str, value: str, encoded: bool) -> str:
    if encoded:
        return f"{quote(key, safe='')}={quote(value, safe='')}"
    # Unencoded, as a sloppy client sends it, less what the request line cannot hold.
    return f"{key}={value}".encode("ascii", "ignore").decode().translate(_NOT_IN_TARGET)


_query_strings = st.builds(
    lambda pairs: "&".join(pairs).encode("ascii"),
    st.lists(st.builds(_query_pair, _query_keys, _query_values, st.booleans()), max_size=5),
)

#: Stands for the body's real length in a drawn `Content-Length` header.
BODY_LENGTH = "<body length>"


def _header(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(st.just(name), values)


_content_types = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/merge-patch+json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "",
        ]
    ),
    field_values,
)
_origins = st.one_of(
    st.sampled_from(
        [ALLOWED_ORIGIN, "https://shop.example.org", "https://evil.example", "null", ""]
    ),
    field_values,
)
_request_methods = st.one_of(st.sampled_from(METHODS), field_values)
_request_headers = st.lists(st.one_of(tokens, field_values), max_size=4).map(
    lambda names: ", ".join(names).strip(" \t")
)
_named_headers = st.one_of(
    _header("host", st.one_of(st.sampled_from(["testserver", "[::1]:80", "["]), field_values)),
    _header("x-user", st.one_of(user_ids, field_values)),
    _header("x-token", field_values),
    _header("cookie", cookie_headers),
    _header("content-type", _content_types),
    _header(
        "content-length",
        st.one_of(st.just(BODY_LENGTH), st.integers(0, 10**6).map(str), field_values),
    ),
    _header("origin", _origins),
    _header("access-control-request-method", _request_methods),
    _header("access-control-request-headers", _request_headers),
    _header("access-control-request-private-network", st.sampled_from(["true", "false"])),
    _header("transfer-encoding", st.just("chunked")),
    _header("accept", st.sampled_from(["*/*", "application/json", "text/html"])),
    st.tuples(tokens.map(str.lower), field_values),
)
#: The headers of a CORS preflight, each left out now and then.
_preflight = st.tuples(
    _header("origin", _origins),
    _header("access-control-request-method", _request_methods),
    _header("access-control-request-headers", _request_headers),
).flatmap(lambda headers: st.lists(st.sampled_from(headers), unique=True, min_size=1))
_raw_text = st.text(string.printable.strip(), max_size=20)


@st.composite
def deliverable_requests(draw: st.DrawFn) -> RawRequest:
    """A request a client can get through an HTTP/1.1 server to the app."""
    method, path = draw(_routes)
    if draw(st.integers(0, 9)) == 0:  # mostly the route's method, sometimes any token
        method = draw(st.one_of(st.sampled_from(METHODS), tokens))
    root_path = draw(st.sampled_from(["", "", "", "/api"]))
    if root_path and draw(st.booleans()):
        path = root_path + path  # ASGI: `path` includes `root_path`; old servers left it out
    body = draw(_bodies)
    drawn = draw(st.lists(_named_headers, max_size=8))
    if method == "OPTIONS" or draw(st.integers(0, 9)) == 0:
        drawn += draw(_preflight)
    length = str(len(body))
    headers = [
        (name.encode("latin-1"), (length if value == BODY_LENGTH else value).encode("latin-1"))
        for name, value in drawn
    ]
    form = draw(st.integers(0, 2))
    raw_path = None if form == 0 else quote(path, safe="/") if form == 1 else draw(_raw_text)
    return RawRequest(
        method=method,
        path=path,
        raw_path=None if raw_path is None else raw_path.encode("ascii"),
        query_string=draw(_query_strings),
        headers=headers,
        body=chunked(body, draw(_cuts)),
        root_path=root_path,
    )


_any_bytes = st.binary(max_size=40)
_hostile_headers = st.tuples(
    st.one_of(
        _any_bytes,
        st.sampled_from([b"cookie", b"origin", b"host", b"access-control-request-headers"]),
    ),
    _any_bytes,
)


@st.composite
def hostile_requests(draw: st.DrawFn) -> RawRequest:
    """A request with any bytes anywhere: what a broken or hostile server might pass on."""
    request = draw(deliverable_requests())
    headers = request.headers + draw(st.lists(_hostile_headers, max_size=4))
    return RawRequest(
        method=draw(st.one_of(st.just(request.method), st.text(max_size=10))),
        path=request.path,
        raw_path=draw(st.one_of(st.just(request.raw_path), _any_bytes)),
        query_string=draw(st.one_of(st.just(request.query_string), _any_bytes)),
        headers=draw(st.permutations(headers)),
        body=request.body,
        root_path=request.root_path,
    )
