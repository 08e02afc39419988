"""URL and QueryParams: parsing, building from a scope, and lenient query decoding."""

from __future__ import annotations

from typing import Any

import pytest

from transom.http.urls import URL, QueryParams, is_host

# --- URL -----------------------------------------------------------------------------------


def test_url_components() -> None:
    url = URL("https://user:pw@example.com:8443/a/b?x=1&y=2#frag")
    assert url.scheme == "https"
    assert url.netloc == "user:pw@example.com:8443"
    assert url.hostname == "example.com"
    assert url.port == 8443
    assert url.path == "/a/b"
    assert url.query == "x=1&y=2"
    assert url.fragment == "frag"
    assert url.is_secure
    assert url.components.geturl() == str(url)


@pytest.mark.parametrize(
    ("text", "secure"),
    [("https://a/", True), ("wss://a/", True), ("http://a/", False), ("ws://a/", False)],
)
def test_url_is_secure(text: str, secure: bool) -> None:
    assert URL(text).is_secure is secure


def test_url_without_port_has_none() -> None:
    assert URL("http://example.com/").port is None


def test_url_replace() -> None:
    url = URL("http://example.com/a?x=1")
    assert str(url.replace(scheme="https", path="/b")) == "https://example.com/b?x=1"
    assert str(url.replace(query="")) == "http://example.com/a"
    assert str(url) == "http://example.com/a?x=1"


def test_url_include_query_params_replaces_same_name_and_keeps_others() -> None:
    url = URL("http://example.com/?a=1&b=2&a=3&c=")
    assert str(url.include_query_params(a="x y", d=4)) == "http://example.com/?b=2&c=&a=x+y&d=4"


def test_url_equality_hash_and_repr() -> None:
    url = URL("http://example.com/")
    assert url == "http://example.com/"
    assert url == URL("http://example.com/")
    assert url != URL("http://example.com/other")
    assert url != 1
    assert hash(url) == hash(URL("http://example.com/"))
    assert repr(url) == "URL('http://example.com/')"


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (
            {"path": "/a", "headers": [(b"host", b"example.com")]},
            "http://example.com/a",
        ),
        (
            {
                "scheme": "https",
                "path": "/a",
                "query_string": b"x=1&y=%20",
                "headers": [(b"host", b"example.com:8443")],
            },
            "https://example.com:8443/a?x=1&y=%20",
        ),
        (
            {"path": "/users", "root_path": "/api", "headers": [(b"host", b"example.com")]},
            "http://example.com/api/users",
        ),
        ({"path": "/a", "server": ("10.0.0.1", 80)}, "http://10.0.0.1/a"),
        ({"path": "/a", "scheme": "https", "server": ("h", 443)}, "https://h/a"),
        ({"path": "/a", "scheme": "https", "server": ("h", 80)}, "https://h:80/a"),
        ({"path": "/a", "server": ("h", 8000), "query_string": b"q=1"}, "http://h:8000/a?q=1"),
        ({"path": "/a", "query_string": b"q=1"}, "/a?q=1"),
        ({"path": "/a"}, "/a"),
        (
            {"path": "/a", "headers": [(b"x", b"y"), (b"host", b"first"), (b"host", b"second")]},
            "http://first/a",
        ),
        (
            {"path": "/a", "headers": [(b"host", b"h")], "server": ("ignored", 1)},
            "http://h/a",
        ),
    ],
)
def test_url_from_scope(scope: dict[str, Any], expected: str) -> None:
    assert str(URL(scope=scope)) == expected


# --- QueryParams ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        "a=1&a=2&b=",
        b"a=1&a=2&b=",
        [("a", "1"), ("a", "2"), ("b", "")],
    ],
)
def test_query_params_repeated_keys(params: str | bytes | list[tuple[str, str]]) -> None:
    query = QueryParams(params)
    assert query["a"] == "2"
    assert query.getlist("a") == ["1", "2"]
    assert query["b"] == ""
    assert query.getlist("missing") == []
    assert query.get("missing") is None
    assert "b" in query
    assert "missing" not in query
    assert list(query) == ["a", "b"]
    assert len(query) == 2
    assert query.multi_items() == [("a", "1"), ("a", "2"), ("b", "")]


def test_query_params_from_mapping_and_none() -> None:
    assert QueryParams({"a": "1"}).multi_items() == [("a", "1")]
    assert QueryParams().multi_items() == []
    assert len(QueryParams(None)) == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", []),
        (b"q=a+b%20c", [("q", "a b c")]),
        (b"x=%C3%A9", [("x", "é")]),
        (b"q=caf\xc3\xa9", [("q", "café")]),
        (b"%FF=%FE", [("\ufffd", "\ufffd")]),
        (b"q=%C3", [("q", "\ufffd")]),
        (b"q=\xff", [("q", "\ufffd")]),
        (b"%zz=1", [("%zz", "1")]),
        (b"q=%", [("q", "%")]),
        (b"&&a=1&&", [("a", "1")]),
        (b"a&b=", [("a", ""), ("b", "")]),
        (b"a=1=2", [("a", "1=2")]),
        (b"a=%00", [("a", "\x00")]),
    ],
)
def test_query_params_from_bytes_decode_leniently(
    raw: bytes, expected: list[tuple[str, str]]
) -> None:
    assert QueryParams(raw).multi_items() == expected


NASTY_QUERIES = [
    b"%",
    b"%%",
    b"%%%%",
    b"%ED%A0%80",
    b"\x80\x81\x82",
    b"=&=&=",
    b";;;",
    b"a=%E2%82",
    bytes(range(256)),
    b"&" * 1000,
]


@pytest.mark.parametrize("raw", NASTY_QUERIES)
def test_query_params_never_raise_on_any_bytes(raw: bytes) -> None:
    query = QueryParams(raw)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.multi_items())


def test_query_params_str_and_repr_round_trip() -> None:
    query = QueryParams("a=1&b=x y&a=2")
    assert str(query) == "a=1&b=x+y&a=2"
    assert repr(query) == "QueryParams('a=1&b=x+y&a=2')"
    assert QueryParams(str(query)) == query


def test_query_params_equality_ignores_order_but_not_multiplicity() -> None:
    assert QueryParams("a=1&b=2") == QueryParams("b=2&a=1")
    assert QueryParams("a=1") != QueryParams("a=1&a=1")
    assert QueryParams("a=1") != {"a": "1"}
    with pytest.raises(TypeError):
        hash(QueryParams())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("api.example", True),
        ("API.Example:8080", True),
        ("10.0.0.1:65535", True),
        ("localhost:", True),  # RFC 3986 allows an empty port
        ("[::1]", True),
        ("[2001:db8::7]:443", True),
        ("[v1.fe80::a+en1]", True),
        ("a%2Db.example", True),
        ("sub-delims!$&'()*+,;=", True),
        ("", False),
        (":80", False),
        ("good.example@evil.example", False),
        ("evil.example/x?", False),
        ("evil.example?", False),
        ("a#frag", False),
        ("a\\b", False),
        ("good example", False),
        ("good.example:99999", False),
        ("good.example:" + "9" * 5000, False),
        ("good.example:8o", False),
        ("good.example:80:80", False),
        ("a%zz", False),
        ("[::1", False),
        ("[evil.example]", False),
        ("[::1%25eth0]", False),
        ("caf\u00e9.example", False),
        ("a\x00b", False),
    ],
)
def test_is_host(value: str, expected: bool) -> None:
    assert is_host(value) is expected
