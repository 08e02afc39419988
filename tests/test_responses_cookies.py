"""Cookies on a response: one Set-Cookie line per identity, and real deletion."""

from __future__ import annotations

import pytest

from tests._asgi import fetch
from transom.http.cookies import CookieAttributes, CookieError, CookieWarning
from transom.responses import JSONResponse, PlainTextResponse, Response

EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"
DELETED = f"Max-Age=0; Expires={EPOCH}"


def set_cookie_lines(response: Response) -> list[str]:
    return fetch(response).headers.get_list("set-cookie")


def test_set_cookie_reaches_the_client() -> None:
    response = PlainTextResponse("ok")
    response.set_cookie("sid", "abc", max_age=60, httponly=True, secure=True, samesite="strict")
    assert set_cookie_lines(response) == [
        "sid=abc; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Strict"
    ]


def test_same_identity_twice_sends_one_line_with_the_later_value() -> None:
    response = Response()
    response.set_cookie("a", "1")
    response.set_cookie("a", "2", httponly=True)
    assert set_cookie_lines(response) == ["a=2; Path=/; HttpOnly; SameSite=Lax"]


def test_replacing_a_cookie_keeps_its_place() -> None:
    response = Response()
    response.set_cookie("a", "1")
    response.set_cookie("b", "1")
    response.set_cookie("a", "2")
    assert set_cookie_lines(response) == [
        "a=2; Path=/; SameSite=Lax",
        "b=1; Path=/; SameSite=Lax",
    ]


@pytest.mark.parametrize(
    ("first", "second", "lines"),
    [
        (
            CookieAttributes(path="/"),
            CookieAttributes(path="/app"),
            ["a=1; Path=/; SameSite=Lax", "a=2; Path=/app; SameSite=Lax"],
        ),
        (
            CookieAttributes(domain=None),
            CookieAttributes(domain="example.com"),
            ["a=1; Path=/; SameSite=Lax", "a=2; Domain=example.com; Path=/; SameSite=Lax"],
        ),
        (
            CookieAttributes(path=None),
            CookieAttributes(path="/"),
            ["a=1; SameSite=Lax", "a=2; Path=/; SameSite=Lax"],
        ),
    ],
)
def test_different_domain_or_path_is_a_different_cookie(
    first: CookieAttributes, second: CookieAttributes, lines: list[str]
) -> None:
    response = Response()
    response.set_cookie("a", "1", path=first.path, domain=first.domain)
    response.set_cookie("a", "2", path=second.path, domain=second.domain)
    assert set_cookie_lines(response) == lines


def test_same_identity_with_other_attributes_still_replaces() -> None:
    response = Response()
    response.set_cookie("a", "1", secure=True, samesite="none")
    response.set_cookie("a", "2", samesite="strict")
    assert set_cookie_lines(response) == ["a=2; Path=/; SameSite=Strict"]


def test_delete_cookie_repeats_the_attributes_of_the_cookie_set_earlier() -> None:
    response = Response()
    response.set_cookie(
        "sid",
        "abc",
        max_age=60,
        path="/app",
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="none",
        partitioned=True,
    )
    response.delete_cookie("sid")
    assert set_cookie_lines(response) == [
        f"sid=; {DELETED}; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=None; "
        "Partitioned"
    ]


def test_delete_cookie_without_an_earlier_cookie_uses_defaults() -> None:
    response = Response()
    response.delete_cookie("sid")
    assert set_cookie_lines(response) == [f"sid=; {DELETED}; Path=/; SameSite=Lax"]


def test_delete_cookie_explicit_attributes_win() -> None:
    response = Response()
    response.set_cookie("sid", "abc", path="/app", secure=True)
    response.delete_cookie("sid", path="/", samesite="strict")
    assert set_cookie_lines(response) == [
        "sid=abc; Path=/app; Secure; SameSite=Lax",
        f"sid=; {DELETED}; Path=/; Secure; SameSite=Strict",
    ]


def test_delete_cookie_with_explicit_attributes_and_no_earlier_cookie() -> None:
    response = Response()
    response.delete_cookie("__Host-sid", secure=True, samesite=None, httponly=True)
    assert set_cookie_lines(response) == [f"__Host-sid=; {DELETED}; Path=/; Secure; HttpOnly"]


def test_set_after_delete_replaces_the_deletion() -> None:
    response = Response()
    response.delete_cookie("a")
    response.set_cookie("a", "back")
    assert set_cookie_lines(response) == ["a=back; Path=/; SameSite=Lax"]


def test_cookie_attributes_of_a_set_cookie() -> None:
    response = Response()
    assert response.cookie_attributes("a") is None
    response.set_cookie("a", "1", path="/p", secure=True, samesite="none")
    assert response.cookie_attributes("a") == CookieAttributes(
        path="/p", domain=None, secure=True, httponly=False, samesite="none", partitioned=False
    )


def test_samesite_is_case_insensitive_on_responses() -> None:
    response = Response()
    response.set_cookie("a", "1", samesite="LAX")  # type: ignore[arg-type]
    response.delete_cookie("b", samesite="STRICT")  # type: ignore[arg-type]
    assert set_cookie_lines(response) == [
        "a=1; Path=/; SameSite=Lax",
        f"b=; {DELETED}; Path=/; SameSite=Strict",
    ]


@pytest.mark.parametrize(
    ("key", "value", "kwargs", "rule"),
    [
        ("a b", "1", {}, "not a valid token"),
        ("a", "a b", {}, "outside cookie-octets"),
        ("a", "1", {"samesite": "none"}, "requires secure=True"),
        ("__Host-a", "1", {"secure": True, "path": "/app"}, "__Host- prefix"),
        ("a", "1", {"samesite": "sideways"}, "samesite must be"),
    ],
)
def test_set_cookie_raises_at_once_and_leaves_the_response_alone(
    key: str, value: str, kwargs: dict[str, object], rule: str
) -> None:
    response = Response(b"x")
    before = list(response.raw_headers)
    with pytest.raises(CookieError, match=rule):
        response.set_cookie(key, value, **kwargs)  # type: ignore[arg-type]
    assert response.raw_headers == before


def test_delete_cookie_checks_the_rules() -> None:
    response = Response()
    with pytest.raises(CookieError, match="__Secure- prefix"):
        response.delete_cookie("__Secure-sid")


def test_clamped_max_age_warning_points_at_the_caller() -> None:
    response = Response()
    with pytest.warns(CookieWarning, match="more than 400 days") as record:
        response.set_cookie("a", "1", max_age=10**9)
    assert record[0].filename == __file__
    assert set_cookie_lines(response) == ["a=1; Max-Age=34560000; Path=/; SameSite=Lax"]


def test_cookies_and_headers_together() -> None:
    response = JSONResponse({"ok": True}, headers={"X-A": "1"})
    response.set_cookie("a", "1")
    response.headers["X-B"] = "2"
    sent = fetch(response)
    assert sent.headers["x-a"] == "1"
    assert sent.headers["x-b"] == "2"
    assert sent.headers.get_list("set-cookie") == ["a=1; Path=/; SameSite=Lax"]
    assert sent.json() == {"ok": True}


def test_set_cookie_compat_quotes_instead_of_raising() -> None:
    response = Response()
    with pytest.raises(CookieError, match="cookie-octets"):
        response.set_cookie("c", "a b")
    response.set_cookie("c", "a b", compat=True)
    assert fetch(response).headers.get_list("set-cookie") == ['c="a b"; Path=/; SameSite=Lax']
