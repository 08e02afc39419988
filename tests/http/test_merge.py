"""The one merge (`transom.http.merge`), table by table, byte for byte."""

import pytest

from transom.http.headers import RawHeaders
from transom.http.merge import merge_headers, set_cookie_identity

CL = (b"content-length", b"2")
CT = (b"content-type", b"application/json")


def h(*pairs: str) -> RawHeaders:
    """`h("a: 1", "b: 2")` as raw pairs."""
    result: RawHeaders = []
    for pair in pairs:
        name, _, value = pair.partition(": ")
        result.append((name.encode("latin-1"), value.encode("latin-1")))
    return result


RETURNED = [
    # (id, the response's own headers, temporal headers, what is sent)
    ("nothing to add", h("x-a: 1"), [], h("x-a: 1")),
    ("single added", h("x-a: 1"), h("x-b: 2"), h("x-a: 1", "x-b: 2")),
    ("response wins a single", h("x-a: own"), h("x-a: temporal"), h("x-a: own")),
    ("temporal repeats resolve to last", [], h("x-a: 1", "x-a: 2"), h("x-a: 2")),
    (
        "content-length never taken",
        h("content-length: 5"),
        h("content-length: 9"),
        h("content-length: 5"),
    ),
    (
        "lists united without duplicates",
        h("vary: Accept"),
        h("vary: accept, Origin"),
        h("vary: Accept, Origin"),
    ),
    ("list added when absent", [], h("link: <a>; rel=x"), h("link: <a>; rel=x")),
    (
        "links compared exactly: URLs are case-sensitive",
        h('link: </a>; rel="next"'),
        h('link: </A>; rel="next", </a>; rel="next"'),
        h('link: </a>; rel="next", </A>; rel="next"'),
    ),
    (
        "cookie of the same identity: response wins",
        h("set-cookie: a=own; Path=/"),
        h("set-cookie: a=temporal; Path=/", "set-cookie: b=1; Path=/"),
        h("set-cookie: a=own; Path=/", "set-cookie: b=1; Path=/"),
    ),
    (
        "other path is another cookie",
        h("set-cookie: a=1; Path=/"),
        h("set-cookie: a=2; Path=/x"),
        h("set-cookie: a=1; Path=/", "set-cookie: a=2; Path=/x"),
    ),
    (
        "domain folded: case and leading dot",
        h("set-cookie: a=1; Domain=Example.COM; Path=/"),
        h("set-cookie: a=2; Domain=.example.com; Path=/"),
        h("set-cookie: a=1; Domain=Example.COM; Path=/"),
    ),
    (
        "a later line of one temporal cookie replaces the earlier",
        [],
        h("set-cookie: a=1; Path=/", "set-cookie: b=1; Path=/", "set-cookie: a=2; Path=/"),
        h("set-cookie: a=2; Path=/", "set-cookie: b=1; Path=/"),
    ),
]


@pytest.mark.parametrize(
    ("primary", "secondary", "expected"),
    [case[1:] for case in RETURNED],
    ids=[c[0] for c in RETURNED],
)
def test_merge_into_a_returned_response(
    primary: RawHeaders, secondary: RawHeaders, expected: RawHeaders
) -> None:
    before = (list(primary), list(secondary))
    assert merge_headers(primary, secondary) == expected
    assert (primary, secondary) == before  # neither input is changed


DATA = [
    # (id, temporal headers, framework headers, what is sent)
    ("defaults only", [], [CL, CT], [CL, CT]),
    ("temporal between length and type", h("x-a: 1"), [CL, CT], [CL, *h("x-a: 1"), CT]),
    (
        "temporal content-type wins",
        h("content-type: text/csv"),
        [CL, CT],
        [CL, *h("content-type: text/csv")],
    ),
    ("temporal content-length ignored", h("content-length: 99"), [CL, CT], [CL, CT]),
    ("temporal repeats resolve to last", h("x-a: 1", "x-a: 2"), [CL, CT], [CL, *h("x-a: 2"), CT]),
    ("temporal lists united", h("vary: A", "vary: B, a"), [CL, CT], [CL, *h("vary: A, B"), CT]),
    (
        "two cookies kept",
        h("set-cookie: a=1; Path=/", "set-cookie: b=1; Path=/"),
        [CL],
        [CL, *h("set-cookie: a=1; Path=/", "set-cookie: b=1; Path=/")],
    ),
    (
        "one name on two paths is two cookies",
        h("set-cookie: s=1; Path=/", "set-cookie: s=2; Path=/x"),
        [CL],
        [CL, *h("set-cookie: s=1; Path=/", "set-cookie: s=2; Path=/x")],
    ),
    (
        "class defaults kept unless the temporal sets them",
        h("x-frame-options: DENY", "vary: Origin"),
        [CL, CT, *h("location: /x", "x-frame-options: SAMEORIGIN", "vary: Accept")],
        [CL, *h("x-frame-options: DENY", "vary: Origin, Accept"), CT, *h("location: /x")],
    ),
]


@pytest.mark.parametrize(
    ("own", "framework", "expected"), [case[1:] for case in DATA], ids=[c[0] for c in DATA]
)
def test_merge_for_a_response_built_from_data(
    own: RawHeaders, framework: RawHeaders, expected: RawHeaders
) -> None:
    before = (list(own), list(framework))
    assert merge_headers(own, framework, data=True) == expected
    assert (own, framework) == before


@pytest.mark.parametrize(
    ("line", "identity"),
    [
        (b"a=1", ("a", None, None)),
        (b"a=1; Path=/", ("a", None, "/")),
        (b" a = 1 ; path = /x ; DOMAIN=.Example.com", ("a", "example.com", "/x")),
        (b"a=1; Domain=; Path=", ("a", None, None)),
        (b"__Host-s=v; Secure; Path=/; SameSite=Lax", ("__Host-s", None, "/")),
    ],
)
def test_set_cookie_identity_folds_like_set_cookie(
    line: bytes, identity: tuple[str, str | None, str | None]
) -> None:
    assert set_cookie_identity(line) == identity
