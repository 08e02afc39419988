"""Header values with parameters: `Content-Type`, `Content-Disposition`, `Accept`, by table."""

from __future__ import annotations

import pytest

from transom.http.media import (
    accepts_html,
    decode_extended_value,
    parse_accept,
    parse_header_options,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ("", {})),
        ("text/plain", ("text/plain", {})),
        ("  Multipart/Form-Data  ", ("multipart/form-data", {})),
        (
            "multipart/form-data; boundary=abc",
            ("multipart/form-data", {"boundary": "abc"}),
        ),
        (
            'multipart/form-data; boundary="a;b c"; charset=UTF-8',
            ("multipart/form-data", {"boundary": "a;b c", "charset": "UTF-8"}),
        ),
        (
            'form-data; name="f"; filename="a b.txt"',
            ("form-data", {"name": "f", "filename": "a b.txt"}),
        ),
        ('form-data; NAME="f"', ("form-data", {"name": "f"})),
        ("form-data;name=f;filename=x.txt", ("form-data", {"name": "f", "filename": "x.txt"})),
        ("form-data; name = f ", ("form-data", {"name": "f"})),
        # Only \\ and \" are escapes: a raw Windows path keeps its backslashes.
        (r'form-data; filename="a\"b"', ("form-data", {"filename": 'a"b'})),
        (r'form-data; filename="C:\x\y.txt"', ("form-data", {"filename": r"C:\x\y.txt"})),
        (r'form-data; filename="a\\b"', ("form-data", {"filename": "a\\b"})),
        ('form-data; filename="../../etc/passwd"', ("form-data", {"filename": "../../etc/passwd"})),
        ('form-data; name="a"; name="b"', ("form-data", {"name": "b"})),
        ("form-data; name", ("form-data", {"name": ""})),
        ('form-data; filename="unterminated', ("form-data", {"filename": '"unterminated'})),
        ("form-data; =junk; name=f", ("form-data", {"name": "f"})),
        ("form-data; =junk", ("form-data", {})),
        (
            "form-data; filename*=UTF-8''%C3%A9.txt",
            ("form-data", {"filename*": "UTF-8''%C3%A9.txt"}),
        ),
        (";;; ;", ("", {})),
    ],
)
def test_parse_header_options(value: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_header_options(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("UTF-8''%C3%A9t%C3%A9.txt", "été.txt"),
        ("utf-8'en'%E2%82%AC%20rates", "€ rates"),
        ("ISO-8859-1''caf%E9", "café"),
        ("UTF-8''plain.txt", "plain.txt"),
        ("UTF-8''%FF", None),  # not UTF-8
        ("no-such-charset''x", None),
        ("UTF-8'x", None),  # no second quote
        ("''x", None),  # no charset
    ],
)
def test_decode_extended_value(value: str, expected: str | None) -> None:
    assert decode_extended_value(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("*/*", [("*/*", 1.0)]),
        ("Text/HTML, application/json;q=0.5", [("text/html", 1.0), ("application/json", 0.5)]),
        ("text/html; charset=utf-8; q=0.8", [("text/html", 0.8)]),
        ("text/html;q=0", [("text/html", 0.0)]),
        # A q that is no number from 0 to 1 is ignored, not the range.
        ("text/html; q=wat", [("text/html", 1.0)]),
        ("text/html; q=nan, a/b; q=-1, c/d; q=2", [("text/html", 1.0), ("a/b", 1.0), ("c/d", 1.0)]),
        (" , text/html,,", [("text/html", 1.0)]),
    ],
)
def test_parse_accept(value: str, expected: list[tuple[str, float]]) -> None:
    assert parse_accept(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html", True),
        ("application/xhtml+xml", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),  # a browser
        ("text/html; q=0.001", True),
        ("text/html; q=0, */*; q=1", False),
        ("application/xhtml+xml; q=0.0, */*", False),
        ("*/*", False),
        ("text/*", False),
        ("application/json", False),
        ("", False),
    ],
)
def test_accepts_html(value: str, expected: bool) -> None:
    assert accepts_html(value) is expected
