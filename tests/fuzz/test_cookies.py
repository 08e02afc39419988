"""Properties of `transom.http.cookies`: the lenient parser and the strict builder."""

from __future__ import annotations

import string
import warnings
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz.rfc9110 import FIELD_VALUE
from tests.fuzz.strategies import cookie_headers, tokens
from transom.http.cookies import (
    MAX_AGE_LIMIT,
    CookieAttributes,
    CookieError,
    CookieWarning,
    build_set_cookie,
    cookie_identity,
    dump_delete_cookie,
    format_http_date,
    parse_cookie_header,
)
from transom.http.headers import encode_value
from transom.http.merge import set_cookie_identity

_octets = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\')


@given(st.one_of(st.text(max_size=60), cookie_headers))
def test_parse_cookie_header_never_raises_and_gives_clean_names(header: str) -> None:
    for name, value in parse_cookie_header(header).items():
        assert isinstance(value, str)
        assert name
        assert name == name.strip()
        assert not set(name) & set(";=")


@given(
    st.dictionaries(
        tokens,
        st.one_of(st.text(_octets, max_size=10), st.text(_octets, max_size=10).map('"{}"'.format)),
        max_size=5,
    ),
    st.sampled_from(["; ", ";", " ; "]),
)
def test_parse_cookie_header_gives_back_the_pairs_a_browser_sent(
    cookies: dict[str, str], separator: str
) -> None:
    header = separator.join(f"{name}={value}" for name, value in cookies.items())
    assert parse_cookie_header(header) == {name: _unquoted(v) for name, v in cookies.items()}


def _unquoted(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


_odd = st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=4), st.lists(st.none()))
_offsets = st.timedeltas(min_value=-timedelta(hours=23), max_value=timedelta(hours=23))
_aware = st.builds(
    lambda moment, offset: moment.replace(tzinfo=timezone(offset)), st.datetimes(), _offsets
)
_expires = st.one_of(
    st.none(),
    _aware,
    st.datetimes(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(),
    _aware.filter(lambda moment: 1 < moment.year < 9999).map(format_http_date),
    st.text(max_size=30),
    st.booleans(),
)
_any_args = st.fixed_dictionaries(
    {
        "key": st.one_of(tokens, st.text(), _odd),
        "value": st.one_of(st.text(max_size=12), st.text(st.characters(), max_size=4), _odd),
        "max_age": st.one_of(st.none(), st.integers(), st.booleans(), st.floats(), st.text()),
        "expires": _expires,
        "path": st.one_of(st.none(), st.text(string.printable, max_size=8), st.text(), _odd),
        "domain": st.one_of(st.none(), st.text(string.printable, max_size=8), st.text(), _odd),
        "secure": st.one_of(st.booleans(), _odd),
        "httponly": st.one_of(st.booleans(), _odd),
        "samesite": st.one_of(st.none(), st.text(max_size=6), _odd),
        "partitioned": st.one_of(st.booleans(), _odd),
        "compat": st.booleans(),
    }
)
_path_chars = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != ";")
#: Arguments that are each valid on their own (combinations may still break a rule).
_valid_args = st.fixed_dictionaries(
    {
        "key": st.one_of(tokens, st.sampled_from(["__Secure-s", "__Host-s"])),
        "value": st.one_of(
            st.text(_octets, max_size=12),
            st.text(_octets, max_size=12).map('"{}"'.format),
            st.text(st.characters(max_codepoint=0xFF), max_size=12),
        ),
        "max_age": st.one_of(st.none(), st.integers(-10, 2 * MAX_AGE_LIMIT)),
        "expires": st.one_of(
            st.none(),
            _aware.filter(lambda moment: 1 < moment.year < 9999),
            st.integers(min_value=-(10**9), max_value=10**9),
            _aware.filter(lambda moment: 1 < moment.year < 9999).map(format_http_date),
        ),
        "path": st.one_of(
            st.none(),
            st.sampled_from(["/", "/items"]),
            st.text(_path_chars, max_size=8).map("/".__add__),
        ),
        "domain": st.one_of(
            st.none(), st.sampled_from(["example.com", ".Example.COM", "a-b.example.org"])
        ),
        "secure": st.sampled_from([True, True, False]),
        "httponly": st.booleans(),
        "samesite": st.sampled_from([None, "lax", "Strict", "NONE"]),
        "partitioned": st.booleans(),
        "compat": st.booleans(),
    }
)


def _known_finding(args: dict[str, Any]) -> bool:
    """Arguments of a known finding (tests/fuzz/test_findings.py), not checked here.

    An aware `expires` with no UTC equivalent (past `datetime.max` or before
    `datetime.min`) raises OverflowError, not CookieError; a `path` or `domain`
    with outer whitespace is accepted and breaks the cookie's identity.
    """
    padded = [v for v in (args["path"], args["domain"]) if isinstance(v, str) and v != v.strip()]
    expires = args["expires"]
    if padded or not isinstance(expires, datetime) or expires.utcoffset() is None:
        return bool(padded)
    try:
        expires.astimezone(UTC)
    except OverflowError:
        return True
    return False


@given(_any_args)
def test_build_set_cookie_with_any_arguments_raises_nothing_but_cookie_error(
    args: dict[str, Any],
) -> None:
    check_set_cookie(args)


@given(_valid_args)
def test_build_set_cookie_gives_a_line_that_parses_back(args: dict[str, Any]) -> None:
    check_set_cookie(args)


def check_set_cookie(args: dict[str, Any]) -> None:
    """`build_set_cookie(**args)` raises CookieError, or its line parses back to `args`."""
    if _known_finding(args):
        event("known finding")
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CookieWarning)  # Max-Age capped at 400 days
            line, attributes = build_set_cookie(**args)
    except CookieError:
        event("refused")
        return
    event("built")
    key, value, path, domain = args["key"], args["value"], args["path"], args["domain"]
    assert line.isascii(), line
    assert FIELD_VALUE.fullmatch(line), line
    encode_value("set-cookie", line)
    expected = value if args["compat"] else _unquoted(value)
    assert parse_cookie_header(line.partition(";")[0]) == {key: expected}
    assert set_cookie_identity(line.encode()) == cookie_identity(key, domain, path)
    assert (attributes.path, attributes.domain) == (path, domain)
    assert attributes.secure is bool(args["secure"])
    assert attributes.partitioned is bool(args["partitioned"])


@given(
    tokens,
    st.sampled_from([None, "/", "/items"]),
    st.sampled_from([None, "example.com"]),
    st.booleans(),
    st.sampled_from([None, "lax", "strict", "none"]),
)
def test_a_deletion_line_names_the_same_cookie_and_expires_it(
    key: str, path: str | None, domain: str | None, secure: bool, samesite: Any
) -> None:
    secure = secure or samesite == "none" or key.lower().startswith(("__secure-", "__host-"))
    if key.lower().startswith("__host-"):
        path, domain = "/", None
    line = dump_delete_cookie(key, CookieAttributes(path, domain, secure, False, samesite, False))
    assert parse_cookie_header(line.partition(";")[0]) == {key: ""}
    assert set_cookie_identity(line.encode()) == cookie_identity(key, domain, path)
    assert "; Max-Age=0; " in line
