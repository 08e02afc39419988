"""Properties of `transom.http.headers`: the name and value rules, list splitting, the multidict."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.fuzz.rfc9110 import FIELD_VALUE, TOKEN
from tests.fuzz.strategies import TOKEN_CHARS, tokens
from transom.http.headers import (
    HeaderError,
    Headers,
    MutableHeaders,
    encode_name,
    encode_value,
    split_list_value,
)

_latin1 = st.characters(max_codepoint=0xFF)
_values = st.one_of(st.text(_latin1, max_size=30), st.text(max_size=30))
_non_str = st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=8))


@given(st.one_of(tokens, st.text(max_size=20), st.text(TOKEN_CHARS + " :\x00é\u212a", max_size=8)))
def test_encode_name_accepts_exactly_the_tokens(name: str) -> None:
    if TOKEN.fullmatch(name):
        assert encode_name(name) == name.lower().encode("ascii")
    else:
        with pytest.raises(HeaderError):
            encode_name(name)


@given(_non_str)
def test_encode_name_refuses_what_is_not_a_str_with_header_error(name: Any) -> None:
    with pytest.raises(HeaderError):
        encode_name(name)


@given(_values)
def test_encode_value_accepts_exactly_the_field_values(value: str) -> None:
    # Outer SP and HTAB are not part of a field value: `encode_value` trims them.
    if FIELD_VALUE.fullmatch(value.strip(" \t")):
        encoded = encode_value("x-fuzz", value)
        assert encoded.decode("latin-1") == value.strip(" \t")
        assert not set(encoded) & set(b"\r\n\x00")
    else:
        with pytest.raises(HeaderError):
            encode_value("x-fuzz", value)


@given(_non_str)
def test_encode_value_refuses_what_is_not_a_str_with_header_error(value: Any) -> None:
    with pytest.raises(HeaderError):
        encode_value("x-fuzz", value)


_qdtext = st.text(st.characters(max_codepoint=0xFF, exclude_characters='"\\\r\n'), max_size=8)
_quoted = st.builds(
    lambda parts: '"' + "".join(parts) + '"',
    st.lists(st.one_of(_qdtext, st.sampled_from(['\\"', "\\\\", "\\,"])), max_size=3),
)
_link = st.builds(
    lambda uri, param: f"<{uri}>{param}",
    st.text(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%", max_size=12),
    st.one_of(st.just(""), st.builds(lambda q: f"; title={q}", _quoted)),
)
#: List items as RFC 9110 and RFC 8288 (`Link`, URI characters of RFC 3986) build them:
#: commas only inside quotes or `<...>`.
_list_items = st.one_of(tokens, _quoted, _link, st.builds("{}={}".format, tokens, _quoted))


@given(st.lists(_list_items, max_size=6), st.sampled_from([",", ", ", " ,", " , ", ",\t"]))
def test_split_list_value_gives_back_the_items_it_was_joined_from(
    items: list[str], separator: str
) -> None:
    assert split_list_value(separator.join(items)) == [item.strip() for item in items]


@given(st.text(max_size=40))
def test_split_list_value_gives_stripped_non_empty_items_for_any_text(value: str) -> None:
    for item in split_list_value(value):
        assert item
        assert item == item.strip()


@given(st.lists(st.tuples(tokens, st.text(_latin1, max_size=20)), max_size=6))
def test_headers_from_pairs_hold_exactly_the_encoded_pairs(pairs: list[tuple[str, str]]) -> None:
    valid = [(k, v) for k, v in pairs if FIELD_VALUE.fullmatch(v.strip(" \t"))]
    expected = [(k.lower().encode(), v.strip(" \t").encode("latin-1")) for k, v in valid]
    headers = Headers(valid)
    assert headers.raw == expected
    assert Headers(raw=list(headers.raw)) == headers
    copy = headers.mutablecopy()
    copy.append("x-added", "1")
    del copy[valid[0][0] if valid else "x-added"]
    assert headers.raw == expected  # a copy's changes stay in the copy


# No Set-Cookie: a raw Set-Cookie line is held to the cookie rules (tests/fuzz/test_cookies.py).
_names = st.sampled_from(["X-A", "x-a", "Vary", "vary", "x-B", "X-b"])
# No quotes or brackets: the model splits list values at every comma.
_good_values = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"<>'), max_size=6
)
_list_values = st.lists(st.sampled_from(["a", "A", "b", "gzip", "Origin"]), max_size=3).map(
    ", ".join
)
_bad_values = st.sampled_from(["a\r\nx: y", "\x00", "caf\u00e9\u2603", "a\x7f"])


class MutableHeadersMachine(RuleBasedStateMachine):
    """`MutableHeaders` against a list of `(lower-cased name, value)` pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.headers = MutableHeaders()
        self.model: list[tuple[str, str]] = []

    def _values(self, key: str) -> list[str]:
        return [v for k, v in self.model if k == key.lower()]

    def _set(self, key: str, value: str) -> None:
        name = key.lower()
        if name in (k for k, _ in self.model):
            first = next(i for i, (k, _) in enumerate(self.model) if k == name)
            self.model = [
                (k, value if i == first else v)
                for i, (k, v) in enumerate(self.model)
                if k != name or i == first
            ]
        else:
            self.model.append((name, value))

    @rule(key=_names, value=_good_values)
    def set(self, key: str, value: str) -> None:
        self.headers[key] = value
        self._set(key, value)

    @rule(key=_names, value=_good_values)
    def append(self, key: str, value: str) -> None:
        self.headers.append(key, value)
        self.model.append((key.lower(), value))

    @rule(key=_names)
    def delete(self, key: str) -> None:
        del self.headers[key]
        self.model = [(k, v) for k, v in self.model if k != key.lower()]

    @rule(key=_names, value=_good_values)
    def setdefault(self, key: str, value: str) -> None:
        present = self._values(key)
        assert self.headers.setdefault(key, value) == (present[0] if present else value)
        if not present:
            self.model.append((key.lower(), value))

    @rule(key=_names, value=_list_values)
    def add_list_items(self, key: str, value: str) -> None:
        self.headers.add_list_items(key, value)
        items: list[str] = []
        for item in ",".join([*self._values(key), value]).split(","):
            if item.strip() and item.strip().lower() not in {i.lower() for i in items}:
                items.append(item.strip())
        self._set(key, ", ".join(items))

    @rule(key=_names, value=_bad_values)
    def set_a_bad_value(self, key: str, value: str) -> None:
        with pytest.raises(HeaderError):
            self.headers[key] = value

    @invariant()
    def same_as_the_model(self) -> None:
        assert self.headers.items() == self.model
        for key in ("x-a", "X-A", "vary", "SET-COOKIE", "x-b", "x-c"):
            values = self._values(key)
            assert self.headers.getlist(key) == values
            assert self.headers.get(key) == (values[0] if values else None)
            assert (key in self.headers) == bool(values)


TestMutableHeaders = MutableHeadersMachine.TestCase


@given(st.text(max_size=8))
def test_a_key_matches_only_a_header_of_the_same_ascii_letters(key: str) -> None:
    headers = Headers(raw=[(b"x-k", b"1"), (b"k", b"2"), (b"i", b"3"), (b"s", b"4")])
    expected = (
        {"x-k": "1", "k": "2", "i": "3", "s": "4"}.get(key.lower()) if key.isascii() else None
    )
    assert headers.get(key) == expected
    assert (key in headers) == (expected is not None)
