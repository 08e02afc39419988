"""Header values with parameters: `Content-Type` and `Content-Disposition`, by table."""

from __future__ import annotations

import pytest

from transom.http.media import decode_extended_value, parse_header_options


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
