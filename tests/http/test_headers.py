"""Header rules (RFC 9110 section 5) and the Headers / MutableHeaders API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import transom
from transom.exceptions import HeaderError as ExportedHeaderError
from transom.http.headers import (
    HeaderError,
    HeaderKind,
    Headers,
    MutableHeaders,
    RawHeaders,
    encode_name,
    encode_value,
    header_kind,
    split_list_value,
)
from transom.responses import Response

# --- every way user code can set a header --------------------------------------------

Setter = Callable[[str, str], RawHeaders]


def _setitem(name: str, value: str) -> RawHeaders:
    headers = MutableHeaders()
    headers[name] = value
    return headers.raw


def _append(name: str, value: str) -> RawHeaders:
    headers = MutableHeaders()
    headers.append(name, value)
    return headers.raw


def _setdefault(name: str, value: str) -> RawHeaders:
    headers = MutableHeaders()
    headers.setdefault(name, value)
    return headers.raw


def _update_mapping(name: str, value: str) -> RawHeaders:
    headers = MutableHeaders()
    headers.update({name: value})
    return headers.raw


def _update_pairs(name: str, value: str) -> RawHeaders:
    headers = MutableHeaders()
    headers.update([(name, value)])
    return headers.raw


def _ior(name: str, value: str) -> RawHeaders:
    headers = MutableHeaders()
    headers |= {name: value}
    return headers.raw


def _or(name: str, value: str) -> RawHeaders:
    return (MutableHeaders() | {name: value}).raw


def _headers_mapping(name: str, value: str) -> RawHeaders:
    return Headers({name: value}).raw


def _headers_pairs(name: str, value: str) -> RawHeaders:
    return Headers([(name, value)]).raw


def _mutable_headers_mapping(name: str, value: str) -> RawHeaders:
    return MutableHeaders({name: value}).raw


def _response_headers(name: str, value: str) -> RawHeaders:
    response = Response(headers={name: value})
    return [pair for pair in response.raw_headers if pair[0] != b"content-length"]


def _response_headers_view(name: str, value: str) -> RawHeaders:
    response = Response()
    response.headers[name] = value
    return [pair for pair in response.raw_headers if pair[0] != b"content-length"]


SETTERS = pytest.mark.parametrize(
    "setter",
    [
        _setitem,
        _append,
        _setdefault,
        _update_mapping,
        _update_pairs,
        _ior,
        _or,
        _headers_mapping,
        _headers_pairs,
        _mutable_headers_mapping,
        _response_headers,
        _response_headers_view,
    ],
    ids=lambda setter: setter.__name__.lstrip("_"),
)


# --- name rule -------------------------------------------------------------------------

BAD_NAMES = ["", "x y", "x:y", "é", "x\n", "x\t", "(x)", "x/y", "x@y", " x"]


@SETTERS
@pytest.mark.parametrize("name", BAD_NAMES)
def test_header_name_must_be_a_token(setter: Setter, name: str) -> None:
    with pytest.raises(HeaderError, match=r"is not a valid token \(RFC 9110 section 5.1\)"):
        setter(name, "value")


@SETTERS
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("X-Custom", b"x-custom"),
        ("content-type", b"content-type"),
        ("A1", b"a1"),
        ("!#$%&'*+-.^_`|~", b"!#$%&'*+-.^_`|~"),
    ],
)
def test_token_names_are_stored_lower_cased(setter: Setter, name: str, expected: bytes) -> None:
    assert setter(name, "v") == [(expected, b"v")]


def test_encode_name_rejects_non_str() -> None:
    with pytest.raises(HeaderError, match="Header name must be a str"):
        encode_name(1)  # type: ignore[arg-type]


# --- value rules -----------------------------------------------------------------------

BAD_VALUES = [
    ("a\r\nb", "contains CR or LF"),
    ("a\rb", "contains CR or LF"),
    ("a\nb", "contains CR or LF"),
    ("a\x00", "contains NUL"),
    ("a\x7f", "control character"),
    ("a\x01b", "control character"),
    ("\x1b[31m", "control character"),
    ("a\x0bb", "control character"),
    ("€", "cannot be encoded as latin-1"),
    ("caf\u00e9 \u2603", "cannot be encoded as latin-1"),
]


@SETTERS
@pytest.mark.parametrize(("value", "rule"), BAD_VALUES)
def test_header_value_rules(setter: Setter, value: str, rule: str) -> None:
    with pytest.raises(HeaderError, match=rule):
        setter("x-test", value)


@SETTERS
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\tb", b"a\tb"),
        ("café", b"caf\xe9"),
        ("", b""),
        ("text/html; charset=utf-8", b"text/html; charset=utf-8"),
        ("\xa0nbsp\xff", b"\xa0nbsp\xff"),
        # Outer spaces are not part of a field value (RFC 9110 section 5.5): trimmed.
        (' quoted "x", y ', b'quoted "x", y'),
    ],
)
def test_valid_header_values_encode_as_latin1(setter: Setter, value: str, expected: bytes) -> None:
    assert setter("x-test", value) == [(b"x-test", expected)]


def test_header_error_message_names_header_and_value() -> None:
    with pytest.raises(HeaderError, match=r"Header 'X-Evil' value 'a\\r\\nb'"):
        MutableHeaders()["X-Evil"] = "a\r\nb"


def test_encode_value_rejects_non_str() -> None:
    with pytest.raises(HeaderError, match="value must be a str"):
        encode_value("x", b"bytes")  # type: ignore[arg-type]


def test_header_error_is_a_value_error_exported_everywhere() -> None:
    assert issubclass(HeaderError, ValueError)
    assert transom.HeaderError is HeaderError
    assert ExportedHeaderError is HeaderError


def test_rejected_value_leaves_headers_unchanged() -> None:
    headers = MutableHeaders({"a": "1"})
    with pytest.raises(HeaderError):
        headers["a"] = "bad\n"
    with pytest.raises(HeaderError):
        headers.append("b", "bad\x00")
    assert headers.raw == [(b"a", b"1")]


def test_setdefault_keeps_existing_value_case_insensitively() -> None:
    headers = MutableHeaders({"a": "1"})
    assert headers.setdefault("A", "ignored") == "1"
    assert headers.raw == [(b"a", b"1")]


# --- header kinds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (b"set-cookie", HeaderKind.SET_COOKIE),
        (b"vary", HeaderKind.LIST),
        (b"link", HeaderKind.LIST),
        (b"allow", HeaderKind.LIST),
        (b"access-control-expose-headers", HeaderKind.LIST),
        (b"content-type", HeaderKind.SINGLE),
        (b"x-custom", HeaderKind.SINGLE),
        (b"cache-control", HeaderKind.SINGLE),
        (b"location", HeaderKind.SINGLE),
    ],
)
def test_header_kind(name: bytes, kind: HeaderKind) -> None:
    assert header_kind(name) is kind


# --- read API ----------------------------------------------------------------------------


def _sample() -> Headers:
    return Headers(
        raw=[
            (b"content-type", b"text/plain"),
            (b"set-cookie", b"a=1"),
            (b"set-cookie", b"b=2"),
            (b"x-latin", b"caf\xe9"),
        ]
    )


@pytest.mark.parametrize("key", ["content-type", "Content-Type", "CONTENT-TYPE"])
def test_lookup_is_case_insensitive(key: str) -> None:
    headers = _sample()
    assert headers[key] == "text/plain"
    assert headers.get(key) == "text/plain"
    assert key in headers


def test_missing_header() -> None:
    headers = _sample()
    assert headers.get("x-missing") is None
    assert headers.get("x-missing", "default") == "default"
    assert "x-missing" not in headers
    with pytest.raises(KeyError):
        headers["x-missing"]


@pytest.mark.parametrize("key", ["€", "x-\u2603"])
def test_lookup_of_a_name_no_header_can_have_is_absent_not_an_error(key: str) -> None:
    headers = MutableHeaders(raw=[(b"x", b"1")])
    assert key not in headers
    assert headers.get(key) is None
    assert headers.getlist(key) == []
    del headers[key]
    assert headers.raw == [(b"x", b"1")]


def test_non_str_key_is_not_contained() -> None:
    key: object = 1
    assert key not in _sample()


def test_getitem_returns_first_and_getlist_returns_all() -> None:
    headers = _sample()
    assert headers["set-cookie"] == "a=1"
    assert headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert headers.getlist("x-missing") == []


def test_values_decode_as_latin1() -> None:
    assert _sample()["x-latin"] == "café"


def test_items_keys_values_keep_duplicates_in_order() -> None:
    headers = _sample()
    assert headers.keys() == ["content-type", "set-cookie", "set-cookie", "x-latin"]
    assert headers.values() == ["text/plain", "a=1", "b=2", "café"]
    expected = [
        ("content-type", "text/plain"),
        ("set-cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("x-latin", "café"),
    ]
    assert headers.items() == expected
    assert headers.multi_items() == expected
    assert list(headers) == headers.keys()
    assert len(headers) == 4


def test_raw_names_are_lower_cased_bytes() -> None:
    assert Headers({"X-A": "1", "Content-Type": "x"}).raw == [
        (b"x-a", b"1"),
        (b"content-type", b"x"),
    ]


def test_headers_from_scope_are_trusted_and_copied() -> None:
    scope_headers = [(b"host", b"example.com"), (b"x-raw", b"any\x01thing")]
    headers = MutableHeaders(scope={"headers": scope_headers})
    assert headers["x-raw"] == "any\x01thing"
    headers["x-new"] = "1"
    assert scope_headers == [(b"host", b"example.com"), (b"x-raw", b"any\x01thing")]


def test_headers_accepts_only_one_source() -> None:
    with pytest.raises(TypeError, match="at most one"):
        Headers({"a": "1"}, raw=[])


def test_empty_headers() -> None:
    assert Headers().raw == []
    assert len(MutableHeaders()) == 0


def test_mutablecopy_is_independent() -> None:
    original = Headers({"a": "1"})
    copy = original.mutablecopy()
    assert isinstance(copy, MutableHeaders)
    copy["a"] = "2"
    copy["b"] = "3"
    assert original.raw == [(b"a", b"1")]
    assert copy.raw == [(b"a", b"2"), (b"b", b"3")]


def test_mutable_view_over_raw_list_writes_through() -> None:
    raw: RawHeaders = []
    MutableHeaders(raw=raw)["x"] = "1"
    assert raw == [(b"x", b"1")]


# --- write API ---------------------------------------------------------------------------


def test_setitem_replaces_first_and_drops_later_duplicates() -> None:
    headers = MutableHeaders(
        raw=[(b"a", b"1"), (b"b", b"2"), (b"a", b"3"), (b"c", b"4"), (b"a", b"5")]
    )
    headers["A"] = "x"
    assert headers.raw == [(b"a", b"x"), (b"b", b"2"), (b"c", b"4")]


def test_setitem_appends_a_new_name_at_the_end() -> None:
    headers = MutableHeaders(raw=[(b"a", b"1")])
    headers["B"] = "2"
    assert headers.raw == [(b"a", b"1"), (b"b", b"2")]


def test_delitem_removes_every_occurrence_and_ignores_absent() -> None:
    headers = MutableHeaders(raw=[(b"a", b"1"), (b"b", b"2"), (b"a", b"3")])
    del headers["A"]
    assert headers.raw == [(b"b", b"2")]
    del headers["missing"]
    assert headers.raw == [(b"b", b"2")]


def test_setdefault_sets_only_when_absent() -> None:
    headers = MutableHeaders()
    assert headers.setdefault("X-A", "1") == "1"
    assert headers.setdefault("x-a", "2") == "1"
    assert headers.raw == [(b"x-a", b"1")]


def test_update_replaces_like_setitem() -> None:
    headers = MutableHeaders(raw=[(b"a", b"1"), (b"a", b"2"), (b"b", b"3")])
    headers.update({"A": "x"}, c="4")
    headers.update([("d", "5")])
    assert headers.raw == [(b"a", b"x"), (b"b", b"3"), (b"c", b"4"), (b"d", b"5")]


def test_append_keeps_existing_values() -> None:
    headers = MutableHeaders({"set-cookie": "a=1"})
    headers.append("Set-Cookie", "b=2")
    assert headers.raw == [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]


def test_or_returns_new_headers_and_leaves_operand_alone() -> None:
    headers = MutableHeaders({"a": "1", "b": "2"})
    merged = headers | {"A": "x", "c": "3"}
    assert merged.raw == [(b"a", b"x"), (b"b", b"2"), (b"c", b"3")]
    assert headers.raw == [(b"a", b"1"), (b"b", b"2")]
    assert merged is not headers


def test_ior_updates_in_place() -> None:
    headers = MutableHeaders({"a": "1"})
    same = headers
    headers |= {"a": "2", "b": "3"}
    assert headers is same
    assert headers.raw == [(b"a", b"2"), (b"b", b"3")]


@pytest.mark.parametrize(
    ("existing", "added", "expected"),
    [
        ([], "Accept-Encoding", [(b"vary", b"Accept-Encoding")]),
        (
            [(b"vary", b"Accept-Encoding")],
            "accept-encoding, Origin",
            [(b"vary", b"Accept-Encoding, Origin")],
        ),
        ([(b"vary", b"Origin")], "ORIGIN", [(b"vary", b"Origin")]),
        ([(b"vary", b"a,,b")], " , c ,", [(b"vary", b"a, b, c")]),
        (
            [(b"vary", b"A"), (b"x", b"1"), (b"vary", b"B")],
            "C, a",
            [(b"vary", b"A, B, C"), (b"x", b"1")],
        ),
    ],
)
def test_add_vary_header_unites_without_duplicates(
    existing: RawHeaders, added: str, expected: RawHeaders
) -> None:
    headers = MutableHeaders(raw=list(existing))
    headers.add_vary_header(added)
    assert headers.raw == expected


def test_add_vary_header_checks_the_value() -> None:
    with pytest.raises(HeaderError, match="CR or LF"):
        MutableHeaders().add_vary_header("Origin\r\nX-Evil: 1")


# --- equality and repr -------------------------------------------------------------------


def test_equality_ignores_order_and_name_case() -> None:
    assert Headers({"A": "1", "b": "2"}) == MutableHeaders([("B", "2"), ("a", "1")])
    assert Headers({"a": "1"}) != Headers({"a": "2"})
    assert Headers({"a": "1"}) != Headers([("a", "1"), ("a", "1")])


def test_equality_with_other_types_is_false() -> None:
    assert Headers({"a": "1"}) != {"a": "1"}


def test_headers_are_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(Headers())


def test_repr() -> None:
    assert repr(Headers({"A": "1"})) == "Headers({'a': '1'})"
    assert repr(MutableHeaders([("a", "1"), ("a", "2")])) == (
        "MutableHeaders(raw=[(b'a', b'1'), (b'a', b'2')])"
    )


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("Accept, Cookie", ["Accept", "Cookie"]),
        (" a ,, b ,", ["a", "b"]),
        ("", []),
        ('<a>; title="x, y", <b>', ['<a>; title="x, y"', "<b>"]),
        ("<https://e.com/a,b>; rel=next, <c>", ["<https://e.com/a,b>; rel=next", "<c>"]),
        ('W/"x\\"y, z", "w"', ['W/"x\\"y, z"', '"w"']),
    ],
)
def test_split_list_value_respects_quotes_and_angle_brackets(value: str, items: list[str]) -> None:
    assert split_list_value(value) == items
