"""Properties of `transom.http.urls`: URLs from any text or scope, query strings from any bytes."""

from __future__ import annotations

import string
from urllib.parse import urlsplit

from hypothesis import event, given
from hypothesis import strategies as st

from transom.http.urls import URL, QueryParams

_url_chars = st.sampled_from(list(string.printable + "é\u2100\uff03[]@:%"))
_urls = st.one_of(
    st.text(max_size=40),
    st.text(_url_chars, max_size=40),
    st.builds(
        "{}://{}{}".format,
        st.sampled_from(["http", "https", "ws"]),
        st.text(_url_chars, max_size=12),
        st.text(_url_chars, max_size=20),
    ),
)


def _urlsplit_raises(text: str) -> bool:
    try:
        urlsplit(text)
    except ValueError:
        return True
    return False


@given(_urls)
def test_url_parses_any_text(text: str) -> None:
    url = URL(text)
    assert str(url) == text
    assert url == URL(text)
    assert hash(url) == hash(URL(text))
    # Even text urlsplit refuses (a netloc '[' that is no IPv6 literal) has parts.
    parts = (url.scheme, url.netloc, url.path, url.query, url.fragment)
    assert all(isinstance(part, str) for part in parts)
    assert url.is_secure == (url.scheme in ("https", "wss"))
    if _urlsplit_raises(text):
        event("urlsplit refuses the netloc: split leniently")
    else:
        assert isinstance(url.hostname, str | None)


_hosts = st.one_of(
    st.sampled_from(["testserver", "example.com:8080", "[::1]", "[::1]:8000", "127.0.0.1"]),
    st.text(string.ascii_lowercase + string.digits + ".-", min_size=1, max_size=12),
)


@given(
    st.sampled_from(["http", "https"]),
    _hosts,
    st.sampled_from(["", "/api"]),
    st.text(max_size=20).map("/".__add__),
    st.binary(max_size=20),
)
def test_a_url_from_a_scope_has_the_scope_s_parts(
    scheme: str, host: str, root_path: str, path: str, query: bytes
) -> None:
    scope = {
        "type": "http",
        "scheme": scheme,
        "root_path": root_path,
        "path": root_path + path,
        "query_string": query,
        "headers": [(b"host", host.encode())],
    }
    url = URL(scope=scope)
    assert (url.scheme, url.netloc) == (scheme, host)
    if set(path) & set("?#\t\r\n") or set(query) & set(b"#\t\r\n"):
        # The URL is the scope's parts joined into text and parsed again: a decoded `?`
        # or `#` in the path ends it, `#` ends the query, and `urlsplit` deletes tabs
        # and line breaks. A known finding (tests/fuzz/test_findings.py).
        event("known finding: the path or query holds a URL delimiter")
        return
    assert url.path == root_path + path
    assert url.query == query.decode("latin-1")


@given(st.one_of(st.binary(max_size=40), st.text(string.printable, max_size=40).map(str.encode)))
def test_query_params_parse_any_bytes_and_the_fast_path_agrees(query: bytes) -> None:
    params = QueryParams(query)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.multi_items())
    if b"%" not in query and b"+" not in query:
        # A percent-escape sends the same bytes down the decoding path: both must agree.
        slow = QueryParams(query + b"&%2A=")
        assert slow.multi_items() == [*params.multi_items(), ("*", "")]


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=5))
def test_query_params_survive_their_own_text(pairs: list[tuple[str, str]]) -> None:
    params = QueryParams(pairs)
    again = QueryParams(str(params))
    assert again.multi_items() == pairs
    assert QueryParams(str(params).encode()) == again
    for key, _ in pairs:
        assert params.getlist(key) == [v for k, v in pairs if k == key]
