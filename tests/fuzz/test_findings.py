"""What the fuzz properties found, each on its smallest input, until it is fixed.

Every test states the behaviour the contract asks for and is marked
`xfail(strict=True)` with what happens instead: once the framework is fixed the
test passes, the strict mark fails the run, and the mark goes (with the
finding's entry in `findings.KNOWN` or the property's exclusion it names).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, cast

import pytest

from tests.fuzz.app import ALLOWED_ORIGIN, app
from tests.fuzz.client import RawRequest, exchange, response_problems
from tests.fuzz.conftest import Run
from tests.fuzz.rfc9110 import FIELD_VALUE
from transom import Response, Transom
from transom.http.cookies import CookieError, build_set_cookie, cookie_identity
from transom.http.headers import HeaderError, Headers, encode_name, encode_value
from transom.http.merge import set_cookie_identity
from transom.http.urls import URL
from transom.testclient import TestClient


def test_a_slash_redirect_with_a_bracket_in_the_host_is_not_a_500(run: Run[Any]) -> None:
    result = run(exchange(app, RawRequest("GET", "/shared/", headers=[(b"host", b"[")])))
    assert response_problems(result) == []


def test_a_preflight_asking_for_a_control_character_gets_an_answer(run: Run[Any]) -> None:
    headers = [
        (b"origin", ALLOWED_ORIGIN.encode()),
        (b"access-control-request-method", b"GET"),
        (b"access-control-request-headers", b"x-a\x01"),
    ]
    result = run(exchange(app, RawRequest("OPTIONS", "/items/1", headers=headers)))
    assert response_problems(result) == []


def test_url_components_of_any_text_can_be_read() -> None:
    assert URL("http://[/items").path == "/items"


def test_request_url_path_keeps_a_decoded_question_mark() -> None:
    scope = {"type": "http", "path": "/a?b", "query_string": b"", "headers": [(b"host", b"h")]}
    assert URL(scope=scope).path == "/a?b"


def test_request_url_path_is_the_requested_path_whatever_the_host() -> None:
    headers = [(b"host", b"evil.example/x?")]
    scope = {"type": "http", "path": "/shared", "query_string": b"", "headers": headers}
    assert URL(scope=scope).path == "/shared"


@pytest.mark.parametrize("value", ["v ", " v", "\t"])
def test_a_header_value_with_outer_whitespace_is_refused_or_trimmed(value: str) -> None:
    try:
        encoded = encode_value("x-a", value)
    except HeaderError:
        return
    assert FIELD_VALUE.fullmatch(encoded.decode("latin-1"))


def test_two_temporal_lines_of_one_cookie_send_the_later_for_data() -> None:
    app = Transom()

    @app.get("/")
    def handler(response: Response) -> int:
        response.set_cookie("s", "1")
        response.headers.append("set-cookie", "s=2; Path=/; SameSite=Lax")
        return 1

    lines = TestClient(app).get("/").headers.get_list("set-cookie")
    assert lines == ["s=2; Path=/; SameSite=Lax"]


def test_a_key_that_is_no_header_name_finds_no_header() -> None:
    headers = Headers(raw=[(b"x-k", b"1")])
    assert headers.get("X-\u212a") is None
    assert "X-\u212a" not in headers


def test_encode_name_refuses_an_unhashable_name_with_header_error() -> None:
    with pytest.raises(HeaderError):
        encode_name(cast(Any, ["x-a"]))


def test_an_expiry_out_of_range_in_utc_is_a_cookie_error() -> None:
    expires = datetime.max.replace(tzinfo=timezone(-timedelta(hours=1)))
    with pytest.raises(CookieError):
        build_set_cookie("a", "b", expires=expires)


@pytest.mark.parametrize("attributes", [{"path": "/x "}, {"domain": " example.com"}])
def test_a_cookie_path_or_domain_with_outer_whitespace_is_refused_or_trimmed(
    attributes: dict[str, str],
) -> None:
    try:
        line, cookie = build_set_cookie("a", "b", samesite=None, **attributes)  # type: ignore[arg-type]
    except CookieError:
        return
    assert FIELD_VALUE.fullmatch(line)
    assert set_cookie_identity(line.encode()) == cookie_identity("a", cookie.domain, cookie.path)
