"""Table tests for the caching and conditional-request rules (`transom.http.caching`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from transom.http.caching import (
    CACHE_CONTROL_ORDER,
    CacheControl,
    EntityTag,
    check_vary_names,
    dump_entity_tag,
    failed_precondition,
    format_http_date,
    not_modified,
    not_modified_headers,
    parse_entity_tag,
    parse_entity_tags,
    parse_http_date,
    strong_match,
    weak_match,
)

# --- Cache-Control ------------------------------------------------------------------

DIRECTIVES: list[tuple[dict[str, Any], str]] = [
    ({"max_age": 60}, "max-age=60"),
    ({"max_age": 0}, "max-age=0"),
    ({"s_maxage": 600}, "s-maxage=600"),
    ({"public": True}, "public"),
    ({"private": True}, "private"),
    ({"no_cache": True}, "no-cache"),
    ({"no_store": True}, "no-store"),
    ({"must_revalidate": True}, "must-revalidate"),
    ({"proxy_revalidate": True}, "proxy-revalidate"),
    ({"immutable": True, "max_age": 31536000}, "max-age=31536000, immutable"),
    ({"stale_while_revalidate": 30}, "stale-while-revalidate=30"),
    ({"stale_if_error": 86400}, "stale-if-error=86400"),
    ({"no_transform": True}, "no-transform"),
]


@pytest.mark.parametrize(("kwargs", "value"), DIRECTIVES)
def test_each_directive_is_written_exactly(kwargs: dict[str, Any], value: str) -> None:
    assert str(CacheControl(**kwargs)) == value


COMBINATIONS: list[tuple[dict[str, Any], str]] = [
    # Keyword order never matters: the canonical order does.
    (
        {"stale_while_revalidate": 30, "max_age": 60, "public": True},
        "public, max-age=60, stale-while-revalidate=30",
    ),
    (
        {"max_age": 0, "must_revalidate": True, "private": True},
        "private, max-age=0, must-revalidate",
    ),
    ({"no_store": True, "no_cache": True}, "no-cache, no-store"),
    ({"no_store": True, "private": True}, "private, no-store"),
    ({"no_store": True, "must_revalidate": True}, "no-store, must-revalidate"),
    ({"no_cache": True, "max_age": 0}, "no-cache, max-age=0"),
    (
        {"public": True, "max_age": 60, "s_maxage": 300, "proxy_revalidate": True},
        "public, max-age=60, s-maxage=300, proxy-revalidate",
    ),
    ({"s_maxage": 60, "immutable": True}, "s-maxage=60, immutable"),
    (
        {
            "public": True,
            "max_age": 1,
            "s_maxage": 2,
            "no_transform": True,
            "immutable": True,
            "stale_while_revalidate": 3,
            "stale_if_error": 4,
        },
        "public, max-age=1, s-maxage=2, no-transform, immutable, "
        "stale-while-revalidate=3, stale-if-error=4",
    ),
]


@pytest.mark.parametrize(("kwargs", "value"), COMBINATIONS)
def test_directives_are_written_in_the_canonical_order(kwargs: dict[str, Any], value: str) -> None:
    assert str(CacheControl(**kwargs)) == value
    written = [part.partition("=")[0] for part in value.split(", ")]
    assert written == sorted(written, key=CACHE_CONTROL_ORDER.index)


CONFLICTS: list[tuple[dict[str, Any], str]] = [
    ({"public": True, "private": True}, "public and private contradict"),
    ({"private": True, "s_maxage": 60}, "private and s-maxage contradict"),
    ({"private": True, "proxy_revalidate": True}, "private and proxy-revalidate contradict"),
    ({"no_store": True, "public": True}, "no-store and public contradict"),
    ({"no_store": True, "max_age": 60}, "no-store and max-age contradict"),
    ({"no_store": True, "max_age": 0}, "no-store and max-age contradict"),
    ({"no_store": True, "s_maxage": 60}, "no-store and s-maxage contradict"),
    ({"no_store": True, "immutable": True, "max_age": 1}, "no-store and max-age contradict"),
    ({"no_store": True, "stale_while_revalidate": 5}, "no-store and stale-while-revalidate"),
    ({"no_store": True, "stale_if_error": 5}, "no-store and stale-if-error contradict"),
    ({"no_cache": True, "immutable": True, "max_age": 1}, "no-cache and immutable contradict"),
    ({"no_cache": True, "stale_while_revalidate": 5}, "no-cache and stale-while-revalidate"),
    (
        {"must_revalidate": True, "stale_while_revalidate": 5},
        "must-revalidate and stale-while-revalidate contradict",
    ),
    ({"must_revalidate": True, "stale_if_error": 5}, "must-revalidate and stale-if-error"),
    ({"immutable": True}, "immutable needs a freshness lifetime"),
    ({}, "at least one directive"),
    ({"public": False}, "at least one directive"),
]


@pytest.mark.parametrize(("kwargs", "message"), CONFLICTS)
def test_contradictory_directives_raise_naming_the_rule(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CacheControl(**kwargs)


BAD_VALUES: list[tuple[dict[str, Any], str]] = [
    ({"max_age": -1}, "max-age must be a non-negative int of seconds"),
    ({"s_maxage": -5}, "s-maxage must be a non-negative int"),
    ({"max_age": 1.5}, r"got max_age=1\.5"),
    ({"max_age": "60"}, "got max_age='60'"),
    ({"max_age": True}, "got max_age=True"),
    ({"stale_while_revalidate": timedelta(seconds=5)}, "stale-while-revalidate must be"),
    ({"stale_if_error": -1}, "stale-if-error must be"),
    ({"public": 1}, "public is a flag: pass public=True or False, got public=1"),
    ({"no_store": "yes"}, "no-store is a flag"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_VALUES)
def test_bad_values_raise_naming_the_directive(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CacheControl(**kwargs)


def test_cache_control_is_a_frozen_value() -> None:
    policy = CacheControl(max_age=60, public=True)
    assert policy == CacheControl(public=True, max_age=60)
    assert hash(policy) == hash(CacheControl(public=True, max_age=60))
    assert repr(policy).startswith("CacheControl(max_age=60, s_maxage=None, public=True")
    with pytest.raises(AttributeError):
        policy.max_age = 5  # type: ignore[misc]


# --- Entity tags ---------------------------------------------------------------------

ENTITY_TAGS: list[tuple[str, bool, str]] = [
    ("v1", False, '"v1"'),
    ("v1", True, 'W/"v1"'),
    ("", False, '""'),
    ('"v1"', False, '"v1"'),
    ('"v1"', True, 'W/"v1"'),
    ('W/"v1"', False, 'W/"v1"'),
    ("a,b;c=d/e", False, '"a,b;c=d/e"'),
    ("W/x", False, '"W/x"'),
    ("caf\u00e9", False, '"caf\u00e9"'),
]


@pytest.mark.parametrize(("tag", "weak", "value"), ENTITY_TAGS)
def test_dump_entity_tag(tag: str, weak: bool, value: str) -> None:
    assert dump_entity_tag(tag, weak) == value


@pytest.mark.parametrize("tag", ["a b", 'a"b', "a\tb", "a\x7fb", "\u2603", '"a', 'W/"a b"'])
def test_dump_entity_tag_refuses_what_is_not_etagc(tag: str) -> None:
    with pytest.raises(ValueError, match=r"etagc characters \(RFC 9110 section 8.8.3\)"):
        dump_entity_tag(tag)


def test_dump_entity_tag_refuses_a_non_str() -> None:
    with pytest.raises(ValueError, match="must be a str, got int 5"):
        dump_entity_tag(5)  # type: ignore[arg-type]


PARSED: list[tuple[str | bytes, EntityTag | None]] = [
    ('"xyzzy"', (False, "xyzzy")),
    ('W/"xyzzy"', (True, "xyzzy")),
    (b' "a" ', (False, "a")),
    ('""', (False, "")),
    ("xyzzy", None),
    ('w/"x"', None),
    ('"a" "b"', None),
]


@pytest.mark.parametrize(("value", "tag"), PARSED)
def test_parse_entity_tag(value: str | bytes, tag: EntityTag | None) -> None:
    assert parse_entity_tag(value) == tag


LISTS: list[tuple[str | bytes, list[EntityTag] | None]] = [
    ("*", None),
    (b" * ", None),
    ('"a"', [(False, "a")]),
    ('"a", W/"b",  "c"', [(False, "a"), (True, "b"), (False, "c")]),
    ('"a,b", "c"', [(False, "a,b"), (False, "c")]),
    ('"a",,junk, "b"', [(False, "a"), (False, "b")]),
    ("abc", []),
    ("", []),
]


@pytest.mark.parametrize(("value", "tags"), LISTS)
def test_parse_entity_tags(value: str | bytes, tags: list[EntityTag] | None) -> None:
    assert parse_entity_tags(value) == tags


# RFC 9110 section 8.8.3.2's table.
COMPARISONS = [
    ((True, "1"), (True, "1"), False, True),
    ((True, "1"), (True, "2"), False, False),
    ((True, "1"), (False, "1"), False, True),
    ((False, "1"), (False, "1"), True, True),
]


@pytest.mark.parametrize(("first", "second", "strong", "weak"), COMPARISONS)
def test_weak_and_strong_comparison(
    first: EntityTag, second: EntityTag, strong: bool, weak: bool
) -> None:
    assert strong_match(first, second) is strong
    assert strong_match(second, first) is strong
    assert weak_match(first, second) is weak


# --- HTTP dates ---------------------------------------------------------------------

NOV_6 = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)

DATES: list[tuple[str | bytes, datetime | None]] = [
    ("Sun, 06 Nov 1994 08:49:37 GMT", NOV_6),
    (b"Sun, 06 Nov 1994 08:49:37 GMT", NOV_6),
    ("  Sun, 06 Nov 1994 08:49:37 GMT ", NOV_6),
    ("Sunday, 06-Nov-94 08:49:37 GMT", NOV_6),
    ("Sun Nov  6 08:49:37 1994", NOV_6),
    ("Sun Nov 16 08:49:37 1994", NOV_6 + timedelta(days=10)),
    ("Wed, 31 Dec 2025 23:59:60 GMT", datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ("Sun, 06 Nov 1994 08:49:37 +0000", None),
    ("Sun, 06 Nov 1994 08:49:37 UTC", None),
    ("sun, 06 nov 1994 08:49:37 gmt", None),
    ("Sun, 6 Nov 1994 08:49:37 GMT", None),
    ("Sun, 06 Nov 1994", None),
    ("Sun, 31 Feb 1994 08:49:37 GMT", None),
    ("Sun, 06 Nov 1994 25:49:37 GMT", None),
    ("Sun, 06 Nov 0000 08:49:37 GMT", None),
    ("Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT", None),
    ("1994-11-06T08:49:37Z", None),
    ("", None),
]


@pytest.mark.parametrize(("value", "moment"), DATES)
def test_parse_http_date(value: str | bytes, moment: datetime | None) -> None:
    assert parse_http_date(value, now=datetime(2026, 1, 1, tzinfo=UTC)) == moment


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Monday, 01-Jan-70 00:00:00 GMT", 2070),
        ("Monday, 01-Jan-77 00:00:00 GMT", 2077),
        ("Monday, 01-Jan-78 00:00:00 GMT", 1978),
        ("Monday, 01-Jan-99 00:00:00 GMT", 1999),
    ],
)
def test_rfc850_two_digit_years_are_at_most_50_years_ahead(text: str, year: int) -> None:
    parsed = parse_http_date(text, now=datetime(2027, 6, 1, tzinfo=UTC))
    assert parsed is not None
    assert parsed.year == year


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (NOV_6, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (NOV_6.replace(microsecond=999999), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (
            datetime(1994, 11, 6, 10, 49, 37, tzinfo=timezone(timedelta(hours=2))),
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
        (datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), "Wed, 02 Jan 2030 03:04:05 GMT"),
    ],
)
def test_format_http_date_truncates_to_seconds_in_gmt(moment: datetime, text: str) -> None:
    assert format_http_date(moment) == text
    assert parse_http_date(text) == moment.replace(microsecond=0)


# --- The 304 -------------------------------------------------------------------------

LAST_MODIFIED = b"Wed, 21 Oct 2015 07:28:00 GMT"
EARLIER = b"Wed, 21 Oct 2015 07:27:59 GMT"
LATER = b"Thu, 22 Oct 2015 07:28:00 GMT"
LONG_AGO = b"Mon, 01 Jan 1990 00:00:00 GMT"
INM, IMS, IM, IUS = b"if-none-match", b"if-modified-since", b"if-match", b"if-unmodified-since"
STRONG = [(b"etag", b'"v1"'), (b"last-modified", LAST_MODIFIED)]
WEAK = [(b"etag", b'W/"v1"')]
DATED = [(b"last-modified", LAST_MODIFIED)]

CONDITIONS: list[tuple[str, list[tuple[bytes, bytes]], list[tuple[bytes, bytes]], bool]] = [
    # (method, request headers, response headers, 304?)
    ("GET", [], STRONG, False),
    ("GET", [(INM, b'"v1"')], STRONG, True),
    ("GET", [(INM, b'W/"v1"')], STRONG, True),
    ("GET", [(INM, b'"v1"')], WEAK, True),
    ("GET", [(INM, b'W/"v1"')], WEAK, True),
    ("GET", [(INM, b'"v2"')], STRONG, False),
    ("GET", [(INM, b"v1")], STRONG, False),
    ("GET", [(INM, b'"a", "v1", "b"')], STRONG, True),
    ("GET", [(INM, b'"a"'), (INM, b'"v1"')], STRONG, True),
    ("GET", [(INM, b"*")], STRONG, True),
    ("GET", [(INM, b"*")], DATED, True),
    ("GET", [(INM, b'"v1"')], DATED, False),
    ("HEAD", [(INM, b'"v1"')], STRONG, True),
    ("POST", [(INM, b'"v1"')], STRONG, False),
    ("PUT", [(INM, b"*")], STRONG, False),
    ("GET", [(IMS, LAST_MODIFIED)], STRONG, True),
    ("GET", [(IMS, LATER)], STRONG, True),
    ("GET", [(IMS, EARLIER)], STRONG, False),
    ("GET", [(IMS, b"Wednesday, 21-Oct-15 07:28:00 GMT")], DATED, True),
    ("GET", [(IMS, b"Wed Oct 21 07:28:00 2015")], DATED, True),
    ("GET", [(IMS, b"not a date")], STRONG, False),
    ("GET", [(IMS, b"Wed, 21 Oct 2015 07:28:00 +0000")], STRONG, False),
    ("GET", [(IMS, LAST_MODIFIED), (IMS, LAST_MODIFIED)], DATED, False),
    ("GET", [(IMS, LAST_MODIFIED)], WEAK, False),
    ("POST", [(IMS, LAST_MODIFIED)], STRONG, False),
    # If-None-Match decides alone when present.
    ("GET", [(INM, b'"v2"'), (IMS, LAST_MODIFIED)], STRONG, False),
    ("GET", [(INM, b'"v1"'), (IMS, LONG_AGO)], STRONG, True),
]  # fmt: skip


@pytest.mark.parametrize(("method", "request_headers", "headers", "expected"), CONDITIONS)
def test_not_modified(
    method: str,
    request_headers: list[tuple[bytes, bytes]],
    headers: list[tuple[bytes, bytes]],
    expected: bool,
) -> None:
    assert not_modified(method, request_headers, headers) is expected


def test_a_304_keeps_the_caching_headers_and_the_cookies_only() -> None:
    headers = [
        (b"content-length", b"7"),
        (b"content-type", b"application/json"),
        (b"etag", b'"v1"'),
        (b"last-modified", LAST_MODIFIED),
        (b"cache-control", b"max-age=60"),
        (b"vary", b"Accept, Cookie"),
        (b"expires", LATER),
        (b"content-location", b"/items/1"),
        (b"date", b"Wed, 21 Oct 2015 07:28:00 GMT"),
        (b"set-cookie", b"a=1; Path=/"),
        (b"x-total-count", b"1"),
        (b"link", b'</next>; rel="next"'),
        (b"set-cookie", b"b=2; Path=/"),
    ]
    assert not_modified_headers(headers) == [
        (b"etag", b'"v1"'),
        (b"cache-control", b"max-age=60"),
        (b"vary", b"Accept, Cookie"),
        (b"expires", LATER),
        (b"content-location", b"/items/1"),
        (b"date", b"Wed, 21 Oct 2015 07:28:00 GMT"),
        (b"set-cookie", b"a=1; Path=/"),
        (b"set-cookie", b"b=2; Path=/"),
    ]


# --- The 412 -------------------------------------------------------------------------

CURRENT: EntityTag = (False, "v1")
CHANGED = datetime(2015, 10, 21, 7, 28, 0, 500000, tzinfo=UTC)

Precondition = tuple[
    str, list[tuple[bytes, bytes]], EntityTag | None, datetime | None, bool, str | None
]
PRECONDITIONS: list[Precondition] = [
    # (method, request headers, etag, last modified, exists, failing header)
    ("PUT", [], CURRENT, CHANGED, True, None),
    ("PUT", [(IM, b'"v1"')], CURRENT, None, True, None),
    ("PUT", [(IM, b'"v0", "v1"')], CURRENT, None, True, None),
    ("PUT", [(IM, b'"v0"'), (IM, b'"v1"')], CURRENT, None, True, None),
    ("PUT", [(IM, b'"v0"')], CURRENT, None, True, "If-Match"),
    ("PUT", [(IM, b'W/"v1"')], CURRENT, None, True, "If-Match"),
    ("PUT", [(IM, b'"v1"')], (True, "v1"), None, True, "If-Match"),
    ("PUT", [(IM, b'"v1"')], None, None, True, "If-Match"),
    ("PUT", [(IM, b"v1")], CURRENT, None, True, "If-Match"),
    ("PUT", [(IM, b"*")], CURRENT, None, True, None),
    ("PUT", [(IM, b"*")], None, None, True, None),
    ("PUT", [(IM, b"*")], None, None, False, "If-Match"),
    ("PUT", [(IM, b'"v1"')], CURRENT, None, False, "If-Match"),
    ("DELETE", [(IUS, LAST_MODIFIED)], CURRENT, CHANGED, True, None),
    ("DELETE", [(IUS, EARLIER)], CURRENT, CHANGED, True, "If-Unmodified-Since"),
    ("DELETE", [(IUS, LATER)], CURRENT, CHANGED, True, None),
    ("DELETE", [(IUS, b"yesterday")], CURRENT, CHANGED, True, None),
    ("DELETE", [(IUS, EARLIER)], CURRENT, None, True, None),
    # If-Match wins over If-Unmodified-Since.
    ("PATCH", [(IM, b'"v1"'), (IUS, LONG_AGO)], CURRENT, CHANGED, True, None),
    ("PUT", [(INM, b"*")], None, None, False, None),
    ("PUT", [(INM, b"*")], CURRENT, None, True, "If-None-Match"),
    ("PUT", [(INM, b'W/"v1"')], CURRENT, None, True, "If-None-Match"),
    ("PUT", [(INM, b'"v0"')], CURRENT, None, True, None),
    ("GET", [(INM, b'"v1"')], CURRENT, None, True, None),
    ("HEAD", [(INM, b"*")], CURRENT, None, True, None),
    ("GET", [(IM, b'"v0"')], CURRENT, None, True, "If-Match"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "request_headers", "etag", "last_modified", "exists", "failing"), PRECONDITIONS
)
def test_failed_precondition(
    method: str,
    request_headers: list[tuple[bytes, bytes]],
    etag: EntityTag | None,
    last_modified: datetime | None,
    exists: bool,
    failing: str | None,
) -> None:
    assert (
        failed_precondition(method, request_headers, etag, last_modified, exists=exists) == failing
    )


# --- Vary ----------------------------------------------------------------------------


def test_vary_names_are_tokens() -> None:
    assert check_vary_names(["Accept", "accept-encoding", "*"]) == [
        "Accept",
        "accept-encoding",
        "*",
    ]
    for bad in ["Accept, Origin", "", "X Y", "caf\u00e9"]:
        with pytest.raises(ValueError, match=r"is not one \(RFC 9110 section 12.5.5\)"):
            check_vary_names([bad])
