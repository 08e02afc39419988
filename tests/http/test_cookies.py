"""Cookie rules (RFC 6265bis): the strict Set-Cookie builder and the lenient parser."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie
from typing import Any

import pytest

import transom
from transom.http.cookies import (
    MAX_AGE_LIMIT,
    CookieAttributes,
    CookieError,
    CookieWarning,
    dump_delete_cookie,
    dump_set_cookie,
    format_http_date,
    parse_cookie_header,
)

OCT_21_2015 = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
OCT_21_2015_TEXT = "Wed, 21 Oct 2015 07:28:00 GMT"
EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"


def test_cookie_error_and_warning_types() -> None:
    assert issubclass(CookieError, ValueError)
    assert issubclass(CookieWarning, UserWarning)
    assert transom.CookieError is CookieError


def test_max_age_limit_is_400_days() -> None:
    assert MAX_AGE_LIMIT == 34560000


# --- exact Set-Cookie output -----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "kwargs", "expected"),
    [
        ("a", "b", {}, "a=b; Path=/; SameSite=Lax"),
        ("a", "", {}, "a=; Path=/; SameSite=Lax"),
        ("a", "b", {"path": None, "samesite": None}, "a=b"),
        ("a", "b", {"max_age": 60}, "a=b; Max-Age=60; Path=/; SameSite=Lax"),
        ("a", "b", {"max_age": 0}, "a=b; Max-Age=0; Path=/; SameSite=Lax"),
        ("a", "b", {"max_age": -1}, "a=b; Max-Age=-1; Path=/; SameSite=Lax"),
        ("a", "b", {"max_age": MAX_AGE_LIMIT}, "a=b; Max-Age=34560000; Path=/; SameSite=Lax"),
        (
            "a",
            "b",
            {"expires": OCT_21_2015},
            f"a=b; Expires={OCT_21_2015_TEXT}; Path=/; SameSite=Lax",
        ),
        (
            "a",
            "b",
            {"max_age": 60, "expires": OCT_21_2015},
            f"a=b; Max-Age=60; Expires={OCT_21_2015_TEXT}; Path=/; SameSite=Lax",
        ),
        (
            "a",
            "b",
            {"domain": "example.com", "path": "/app"},
            "a=b; Domain=example.com; Path=/app; SameSite=Lax",
        ),
        (
            "a",
            "b",
            {"domain": "example.com", "path": None},
            "a=b; Domain=example.com; SameSite=Lax",
        ),
        ("a", "b", {"secure": True}, "a=b; Path=/; Secure; SameSite=Lax"),
        ("a", "b", {"httponly": True}, "a=b; Path=/; HttpOnly; SameSite=Lax"),
        (
            "a",
            "b",
            {"secure": True, "httponly": True},
            "a=b; Path=/; Secure; HttpOnly; SameSite=Lax",
        ),
        ("a", "b", {"samesite": "strict"}, "a=b; Path=/; SameSite=Strict"),
        ("a", "b", {"samesite": "none", "secure": True}, "a=b; Path=/; Secure; SameSite=None"),
        ("a", "b", {"samesite": None}, "a=b; Path=/"),
        (
            "a",
            "b",
            {"partitioned": True, "secure": True},
            "a=b; Path=/; Secure; SameSite=Lax; Partitioned",
        ),
        (
            "a",
            "b",
            {"partitioned": True, "secure": True, "samesite": None},
            "a=b; Path=/; Secure; Partitioned",
        ),
        (
            "sid",
            "xyz",
            {
                "max_age": 1,
                "expires": OCT_21_2015,
                "domain": "example.com",
                "path": "/p",
                "secure": True,
                "httponly": True,
                "samesite": "none",
                "partitioned": True,
            },
            f"sid=xyz; Max-Age=1; Expires={OCT_21_2015_TEXT}; Domain=example.com; Path=/p; "
            "Secure; HttpOnly; SameSite=None; Partitioned",
        ),
        ("__Secure-id", "1", {"secure": True}, "__Secure-id=1; Path=/; Secure; SameSite=Lax"),
        ("__Host-id", "1", {"secure": True}, "__Host-id=1; Path=/; Secure; SameSite=Lax"),
        ("a", '"abc"', {}, 'a="abc"; Path=/; SameSite=Lax'),
        ("a", '""', {}, 'a=""; Path=/; SameSite=Lax'),
        ("!#$%&'*+-.^_`|~", "v", {}, "!#$%&'*+-.^_`|~=v; Path=/; SameSite=Lax"),
        (
            "a",
            "!#$%&'()*+-./:<=>?@[]^_`{|}~",
            {"path": None, "samesite": None},
            "a=!#$%&'()*+-./:<=>?@[]^_`{|}~",
        ),
    ],
)
def test_dump_set_cookie_exact_output(
    key: str, value: str, kwargs: dict[str, Any], expected: str
) -> None:
    assert dump_set_cookie(key, value, **kwargs) == expected


@pytest.mark.parametrize(
    ("samesite", "attribute"),
    [
        ("lax", "SameSite=Lax"),
        ("LAX", "SameSite=Lax"),
        ("Lax", "SameSite=Lax"),
        ("STRICT", "SameSite=Strict"),
        ("Strict", "SameSite=Strict"),
        ("NONE", "SameSite=None"),
        ("None", "SameSite=None"),
    ],
)
def test_samesite_is_case_insensitive(samesite: Any, attribute: str) -> None:
    assert dump_set_cookie("a", "b", secure=True, samesite=samesite) == (
        f"a=b; Path=/; Secure; {attribute}"
    )


@pytest.mark.parametrize("key", ["__Host-id", "__host-id", "__HOST-ID"])
def test_host_prefix_with_secure_root_path_and_no_domain_is_accepted(key: str) -> None:
    assert dump_set_cookie(key, "1", secure=True) == f"{key}=1; Path=/; Secure; SameSite=Lax"


def test_name_plus_value_of_exactly_4096_bytes_is_accepted() -> None:
    value = "x" * 4095
    assert dump_set_cookie("a", value, path=None, samesite=None) == f"a={value}"


# --- every rule raises CookieError naming it --------------------------------------------

NAMES_NOT_TOKENS = ["", "a b", "a=b", "a;b", "a,b", "é", "a\n", "a\x00", '"a"', "a(b)"]
VALUES_NOT_OCTETS = [
    "a b",
    'a"b',
    "a,b",
    "a;b",
    "a\\b",
    "é",
    "a\tb",
    "a\x00",
    "a\x7f",
    '"a b"',
    '"',
]


@pytest.mark.parametrize("key", NAMES_NOT_TOKENS)
def test_name_must_be_a_token(key: str) -> None:
    with pytest.raises(CookieError, match=r"is not a valid token \(RFC 6265bis section 4.1.1\)"):
        dump_set_cookie(key, "v")


@pytest.mark.parametrize("value", VALUES_NOT_OCTETS)
def test_value_must_be_cookie_octets_in_strict_mode(value: str) -> None:
    with pytest.raises(CookieError, match="contains characters outside cookie-octets"):
        dump_set_cookie("a", value)


RULES: list[tuple[str, dict[str, Any], str]] = [
    ("__Secure-id", {}, "__Secure- prefix, which requires secure=True"),
    ("__secure-id", {}, "__Secure- prefix, which requires secure=True"),
    ("__SECURE-ID", {"httponly": True}, "__Secure- prefix, which requires secure=True"),
    ("__Host-id", {}, "__Host- prefix, which requires secure=True, path='/' and no domain"),
    ("__host-id", {}, "__Host- prefix"),
    ("__Host-id", {"secure": True, "path": "/app"}, "__Host- prefix"),
    ("__Host-id", {"secure": True, "path": None}, "__Host- prefix"),
    ("__Host-id", {"secure": True, "domain": "example.com"}, "__Host- prefix"),
    ("__HOST-id", {"secure": True, "domain": "example.com"}, "__Host- prefix"),
    ("a", {"samesite": "none"}, "samesite='none' requires secure=True"),
    ("a", {"samesite": "NONE"}, "samesite='none' requires secure=True"),
    ("a", {"partitioned": True}, "partitioned=True requires secure=True"),
    ("a", {"samesite": "sideways"}, "samesite must be 'lax', 'strict', 'none' or None"),
    ("a", {"samesite": ""}, "samesite must be 'lax', 'strict', 'none' or None"),
    ("a", {"samesite": 1}, "samesite must be 'lax', 'strict', 'none' or None"),
    ("a", {"domain": "example.com;x"}, "domain 'example.com;x' must be non-empty printable ASCII"),
    ("a", {"domain": "exa\nmple.com"}, "domain .* must be non-empty printable ASCII"),
    ("a", {"domain": "exa\x00mple.com"}, "domain .* must be non-empty printable ASCII"),
    ("a", {"domain": "exämple.com"}, "domain .* must be non-empty printable ASCII"),
    ("a", {"domain": ""}, "domain .* must be non-empty printable ASCII"),
    ("a", {"domain": 1}, "domain must be a str"),
    ("a", {"path": "/a;b"}, "path .* must be non-empty printable ASCII without ';'"),
    ("a", {"path": "/a\r\nb"}, "path .* must be non-empty printable ASCII"),
    ("a", {"path": "/a\tb"}, "path .* must be non-empty printable ASCII"),
    ("a", {"path": ""}, "path .* must be non-empty printable ASCII"),
    ("a", {"path": "app"}, r"path 'app' must start with '/' \(RFC 6265bis section 5.6.4\)"),
    ("a", {"expires": datetime(2015, 10, 21, 7, 28)}, "is a naive datetime"),
    ("a", {"expires": "garbage"}, "is not an HTTP date"),
    ("a", {"expires": ""}, "is not an HTTP date"),
    ("a", {"expires": f"{OCT_21_2015_TEXT}; Domain=evil"}, "is not an HTTP date"),
    ("a", {"expires": "Mon, 31 Feb 2015 00:00:00 GMT"}, "is not an HTTP date"),
    ("a", {"expires": "Wed, 21 Oct 2015 25:28:00 GMT"}, "is not an HTTP date"),
    ("a", {"expires": 10**20}, "out of range"),
    ("a", {"expires": True}, "expires must be an aware datetime, a number of seconds"),
    ("a", {"expires": [1]}, "expires must be an aware datetime, a number of seconds"),
    ("a", {"max_age": True}, "max_age must be an int number of seconds"),
    ("a", {"max_age": 1.5}, "max_age must be an int number of seconds"),
    ("a", {"max_age": "60"}, "max_age must be an int number of seconds"),
    (1, {}, "is not a valid token"),  # type: ignore[list-item]
    ("a", {"value": b"v"}, "value must be a str"),
]


@pytest.mark.parametrize(("key", "kwargs", "rule"), RULES)
def test_cookie_rules(key: str, kwargs: dict[str, Any], rule: str) -> None:
    with pytest.raises(CookieError, match=rule):
        dump_set_cookie(key, **kwargs)


@pytest.mark.parametrize(
    ("key", "value"), [("a", "x" * 4096), ("ab", "x" * 4095), ("k" * 4097, "")]
)
def test_name_plus_value_over_4096_bytes_is_rejected(key: str, value: str) -> None:
    with pytest.raises(CookieError, match=r"browsers ignore cookies over 4096 bytes"):
        dump_set_cookie(key, value)


def test_quoted_value_counts_towards_the_size_limit() -> None:
    with pytest.raises(CookieError, match="over 4096 bytes"):
        # 1 + 4094 raw bytes fit, but quoting adds 2: 1 + 4096 > 4096.
        dump_set_cookie("a", " " * 4094, compat=True)


def test_max_age_over_400_days_is_clamped_with_a_warning() -> None:
    with pytest.warns(CookieWarning, match="more than 400 days"):
        header = dump_set_cookie("a", "b", max_age=MAX_AGE_LIMIT + 1)
    assert header == "a=b; Max-Age=34560000; Path=/; SameSite=Lax"


# --- expires -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expires",
    [
        OCT_21_2015,
        datetime(2015, 10, 21, 9, 28, tzinfo=timezone(timedelta(hours=2))),
        datetime(2015, 10, 20, 23, 28, tzinfo=timezone(timedelta(hours=-8))),
        OCT_21_2015_TEXT,
        "Wednesday, 21-Oct-15 07:28:00 GMT",
        "Wed Oct 21 07:28:00 2015",
        "Wed, 21 Oct 2015 09:28:00 +0200",
        "wed, 21 oct 2015 07:28:00 gmt",
    ],
)
def test_expires_is_normalised_to_an_imf_fixdate(expires: datetime | str) -> None:
    assert dump_set_cookie("a", "b", expires=expires, path=None, samesite=None) == (
        f"a=b; Expires={OCT_21_2015_TEXT}"
    )


@pytest.mark.parametrize("seconds", [0, 60, 86400, -3600])
def test_expires_as_seconds_is_that_far_from_now(seconds: int) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    header = dump_set_cookie("a", "b", expires=seconds, path=None, samesite=None)
    after = datetime.now(UTC)
    prefix = "a=b; Expires="
    assert header.startswith(prefix)
    assert header.endswith(" GMT")
    moment = parsedate_to_datetime(header[len(prefix) :])
    assert before + timedelta(seconds=seconds) <= moment <= after + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (OCT_21_2015, OCT_21_2015_TEXT),
        (datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC), "Sun, 06 Nov 1994 08:49:37 GMT"),
        (datetime(2024, 2, 29, 0, 0, 5, 999999, tzinfo=UTC), "Thu, 29 Feb 2024 00:00:05 GMT"),
        (datetime(1970, 1, 1, tzinfo=UTC), EPOCH),
    ],
)
def test_format_http_date(moment: datetime, text: str) -> None:
    assert format_http_date(moment) == text


# --- compat quoting ----------------------------------------------------------------------

COMPAT_VALUES = [
    "a b",
    "a;b",
    'a"b',
    "a,b",
    "x\\y",
    "café",
    "tab\there",
    'a b;c,d"e\\f',
    " ",
    # Valid cookie-octets that http.cookies still quotes: compat mode follows it.
    "a=b",
    "a/b",
    "(x)",
    "u@h",
    "[1]",
    '"abc"',
]


def _simple_cookie_value(value: str) -> str:
    jar: SimpleCookie = SimpleCookie()
    jar["k"] = value
    return jar["k"].coded_value


@pytest.mark.parametrize("value", COMPAT_VALUES)
def test_compat_quotes_values_byte_for_byte_like_http_cookies(value: str) -> None:
    coded = _simple_cookie_value(value)
    assert coded.startswith('"')
    assert dump_set_cookie("k", value, path=None, samesite=None, compat=True) == f"k={coded}"
    assert dump_set_cookie("k", value, compat=True) == f"k={coded}; Path=/; SameSite=Lax"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a b", '"a b"'),
        ("a;b", '"a\\073b"'),
        ('a"b', '"a\\"b"'),
        ("a,b", '"a\\054b"'),
        ("x\\y", '"x\\\\y"'),
        ("café", '"caf\\351"'),
    ],
)
def test_compat_quoted_values_exactly(value: str, expected: str) -> None:
    assert dump_set_cookie("k", value, path=None, samesite=None, compat=True) == f"k={expected}"


@pytest.mark.parametrize("value", COMPAT_VALUES)
def test_parser_reads_back_what_compat_quoting_wrote(value: str) -> None:
    header = dump_set_cookie("k", value, path=None, samesite=None, compat=True)
    assert parse_cookie_header(header) == {"k": value}


@pytest.mark.parametrize("value", ["abc", "a-b_c.d", "a:b"])
def test_compat_leaves_legal_values_unquoted(value: str) -> None:
    assert dump_set_cookie("k", value, compat=True) == f"k={value}; Path=/; SameSite=Lax"


def test_compat_rejects_characters_beyond_latin1() -> None:
    with pytest.raises(CookieError, match="cannot be sent in a header even when quoted"):
        dump_set_cookie("k", "€", compat=True)


def test_compat_still_checks_the_name_and_attributes() -> None:
    with pytest.raises(CookieError, match="not a valid token"):
        dump_set_cookie("a b", "v", compat=True)
    with pytest.raises(CookieError, match="requires secure=True"):
        dump_set_cookie("a", "a b", samesite="none", compat=True)


# --- deleting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        (CookieAttributes(), f"a=; Max-Age=0; Expires={EPOCH}; Path=/; SameSite=Lax"),
        (CookieAttributes(path=None, samesite=None), f"a=; Max-Age=0; Expires={EPOCH}"),
        (
            CookieAttributes(
                path="/app",
                domain="example.com",
                secure=True,
                httponly=True,
                samesite="none",
                partitioned=True,
            ),
            f"a=; Max-Age=0; Expires={EPOCH}; Domain=example.com; Path=/app; Secure; HttpOnly; "
            "SameSite=None; Partitioned",
        ),
    ],
)
def test_dump_delete_cookie(attributes: CookieAttributes, expected: str) -> None:
    assert dump_delete_cookie("a", attributes) == expected


def test_dump_delete_cookie_checks_the_rules() -> None:
    with pytest.raises(CookieError, match="__Host- prefix"):
        dump_delete_cookie("__Host-id", CookieAttributes())
    with pytest.raises(CookieError, match="samesite='none' requires secure=True"):
        dump_delete_cookie("a", CookieAttributes(samesite="none"))


# --- parsing the Cookie request header -----------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", {}),
        ("a=1", {"a": "1"}),
        ("a=1; b=2", {"a": "1", "b": "2"}),
        ("a=1;b=2", {"a": "1", "b": "2"}),
        ("a=1;;b=2", {"a": "1", "b": "2"}),
        ("  a = 1 ", {"a": "1"}),
        ("a=", {"a": ""}),
        ("novalue; a=1", {"a": "1"}),
        ("=x; a=1", {"a": "1"}),
        (" = x; a=1", {"a": "1"}),
        ('a="quoted"', {"a": "quoted"}),
        ('a="a\\073b"', {"a": "a;b"}),
        ('a="x\\"y"', {"a": 'x"y'}),
        ('a="x\\\\y"', {"a": "x\\y"}),
        ('a="caf\\351"', {"a": "café"}),
        ('a=""', {"a": ""}),
        ('a="', {"a": '"'}),
        ('a="unterminated', {"a": '"unterminated'}),
        ("a=1; a=2", {"a": "1"}),
        ("a=b=c", {"a": "b=c"}),
        ("a=1,b=2", {"a": "1,b=2"}),
        ("a=x y", {"a": "x y"}),
        ("é=€", {"é": "€"}),
    ],
)
def test_parse_cookie_header(header: str, expected: dict[str, str]) -> None:
    assert parse_cookie_header(header) == expected


NASTY_HEADERS = [
    ";",
    ";;;",
    "=",
    "==",
    "=;=;=",
    '"',
    '""',
    '"\\',
    'a="\\"',
    'a="\\',
    'a="\\777"',
    'a="\\400"',
    'a="\\0"',
    "\\",
    "\x00\x01\x02",
    "a=\x00; \x00=b",
    "\xff\xfe\xfd",
    "\r\n",
    "a\r\n=b",
    "\U0010ffff=\ud800",
    "a=b; " * 1000,
    "=" * 1000,
    '"' * 999,
    "; ".join(f"k{i}=v{i}" for i in range(500)),
]


@pytest.mark.parametrize("header", NASTY_HEADERS)
def test_parse_cookie_header_never_raises(header: str) -> None:
    cookies = parse_cookie_header(header)
    assert isinstance(cookies, dict)
    assert all(name and name == name.strip() for name in cookies)


RAW_BAD = [
    ("__Host-x=1; Domain=evil.example; Path=/; Secure", "__Host- prefix"),
    ("__Host-x=1; Path=/", "__Host- prefix"),
    ("__Secure-x=1", "__Secure- prefix"),
    ("s=1; SameSite=None", "samesite='none' requires secure=True"),
    ("s=1; Partitioned", "Partitioned without Secure"),
    ("s=a b", "outside cookie-octets"),
    ("no-equals-sign", "valid name=value"),
    ("bad name=1", "valid name=value"),
    ("s=" + "x" * 4096, "over 4096 bytes"),
    ("s=1; SameSite=Sometimes", "samesite must be"),
]


@pytest.mark.parametrize(("line", "rule"), RAW_BAD)
def test_a_raw_set_cookie_header_is_held_to_the_cookie_rules(line: str, rule: str) -> None:
    from transom import HTTPException, Response
    from transom.http.headers import MutableHeaders

    setters: list[Callable[[], object]] = [
        lambda: MutableHeaders().__setitem__("Set-Cookie", line),
        lambda: MutableHeaders().append("set-cookie", line),
        lambda: Response(headers={"Set-Cookie": line}),
        lambda: HTTPException(401, headers={"Set-Cookie": line}),
    ]
    for setter in setters:
        with pytest.raises(CookieError, match=re.escape(rule)) as raised:
            setter()
        assert "response.set_cookie()" in str(raised.value)


@pytest.mark.parametrize(
    "line",
    [
        "s=1",
        's="quoted"',
        "__Host-s=1; Path=/; Secure; HttpOnly; SameSite=Strict",
        "__Secure-s=1; Secure; Domain=example.com",
        "s=1; SameSite=None; Secure; Partitioned",
    ],
)
def test_a_valid_raw_set_cookie_header_is_sent_as_it_is(line: str) -> None:
    from transom import Response

    assert Response(headers={"Set-Cookie": line}).headers["set-cookie"] == line


def test_expiry_moment_is_when_a_cookie_set_now_expires() -> None:
    import time as _time
    from datetime import UTC as _UTC
    from datetime import datetime as _datetime

    from transom.http.cookies import MAX_AGE_LIMIT, expiry_moment

    now = _time.time()
    assert expiry_moment("c", None, None) is None
    assert now + 59 <= (expiry_moment("c", 60, None) or 0) <= _time.time() + 60
    assert now + 9 <= (expiry_moment("c", None, 10) or 0) <= _time.time() + 10
    moment = _datetime.fromtimestamp(int(now) + 86400, _UTC)
    assert expiry_moment("c", None, moment) == moment.timestamp()
    far = _datetime.fromtimestamp(now + 2 * MAX_AGE_LIMIT, _UTC)
    assert (expiry_moment("c", None, far) or 0) <= _time.time() + MAX_AGE_LIMIT
    text = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert expiry_moment("c", None, text) == _datetime(2015, 10, 21, 7, 28, tzinfo=_UTC).timestamp()
    assert (expiry_moment("c", 10**9, None) or 0) <= _time.time() + MAX_AGE_LIMIT
    assert (expiry_moment("c", 5, moment) or 0) <= _time.time() + 5
    with pytest.raises(CookieError, match="max_age must be an int"):
        expiry_moment("c", "60", None)  # type: ignore[arg-type]
    with pytest.raises(CookieError, match="is not an HTTP date"):
        expiry_moment("c", None, "tomorrow")
