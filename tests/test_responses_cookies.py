"""Cookies on a response: one Set-Cookie line per identity, and real deletion."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest

from tests._asgi import fetch
from transom import Transom
from transom.http.cookies import CookieAttributes, CookieError, CookieWarning
from transom.responses import JSONResponse, PlainTextResponse, Response
from transom.testclient import TestClient

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


# --- lifetimes at the edge of the calendar ------------------------------------------------


class _DayAhead(tzinfo):
    """A broken tzinfo: an offset of a whole day, which `datetime` refuses."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=24)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "day-ahead"


def remember_me(lifetime: dict[str, object]) -> TestClient:
    """A client of an app whose handler sets a cookie with `lifetime` and reports a refusal."""
    app = Transom()

    @app.get("/")
    def remember(response: Response) -> str:
        try:
            response.set_cookie("remember", "1", **lifetime)  # type: ignore[arg-type]
        except CookieError as exc:
            return f"refused: {exc}"
        return "set"

    return TestClient(app, raise_server_exceptions=False)


OUT_OF_RANGE = r"refused: Cookie 'remember' expires .+ is out of range: Expires is an IMF-fixdate"
NOT_AN_INT = r"refused: Cookie 'remember' max_age must be an int number of seconds, got "


@pytest.mark.parametrize(
    ("lifetime", "rule"),
    [
        (
            {"expires": datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-23)))},
            OUT_OF_RANGE,
        ),
        ({"expires": datetime.max.replace(tzinfo=timezone(timedelta(hours=-1)))}, OUT_OF_RANGE),
        ({"expires": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23)))}, OUT_OF_RANGE),
        ({"expires": datetime.min.replace(tzinfo=timezone(timedelta(minutes=1)))}, OUT_OF_RANGE),
        ({"expires": "Fri, 31 Dec 9999 23:59:59 -2300"}, OUT_OF_RANGE),
        ({"expires": "Fri, 31 Dec 99999 23:59:59 GMT"}, OUT_OF_RANGE),
        ({"expires": 10**20}, OUT_OF_RANGE),
        ({"expires": -(10**20)}, OUT_OF_RANGE),
        ({"expires": 1e300}, OUT_OF_RANGE),
        ({"expires": 8000 * 366 * 86400}, OUT_OF_RANGE),
        ({"expires": float("inf")}, OUT_OF_RANGE),
        ({"expires": float("-inf")}, OUT_OF_RANGE),
        ({"expires": float("nan")}, OUT_OF_RANGE),
        (
            {"expires": datetime(2030, 1, 1, tzinfo=_DayAhead())},
            r"refused: Cookie 'remember' expires .+ has no valid UTC offset",
        ),
        ({"max_age": float("inf")}, NOT_AN_INT + "inf"),
        ({"max_age": float("nan")}, NOT_AN_INT + "nan"),
        ({"max_age": 1e20}, NOT_AN_INT + re.escape("1e+20")),
    ],
)
def test_an_impossible_lifetime_is_a_cookie_error_the_handler_can_catch(
    lifetime: dict[str, object], rule: str
) -> None:
    r = remember_me(lifetime).get("/")
    assert r.status_code == 200
    assert re.match(rule, r.json())
    assert r.headers.get_list("set-cookie") == []


@pytest.mark.parametrize(
    ("lifetime", "attributes"),
    [
        ({"expires": datetime.max.replace(tzinfo=UTC)}, "Expires=Fri, 31 Dec 9999 23:59:59 GMT"),
        (
            {"expires": datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=23)))},
            "Expires=Fri, 31 Dec 9999 00:59:00 GMT",
        ),
        ({"expires": datetime.min.replace(tzinfo=UTC)}, "Expires=Mon, 01 Jan 0001 00:00:00 GMT"),
        (
            {"expires": datetime(1, 1, 1, 23, tzinfo=timezone(timedelta(hours=-0.5)))},
            "Expires=Mon, 01 Jan 0001 23:30:00 GMT",
        ),
        ({"expires": "Fri, 31 Dec 9999 23:59:59 +2300"}, "Expires=Fri, 31 Dec 9999 00:59:59 GMT"),
        # Expires is sent as given, however far: browsers cap it at 400 days themselves.
        (
            {"expires": datetime(3000, 1, 1, tzinfo=UTC), "max_age": 60},
            "Max-Age=60; Expires=Wed, 01 Jan 3000 00:00:00 GMT",
        ),
    ],
)
def test_a_far_but_real_expires_date_is_sent(lifetime: dict[str, object], attributes: str) -> None:
    r = remember_me(lifetime).get("/")
    assert (r.status_code, r.json()) == (200, "set")
    assert r.headers.get_list("set-cookie") == [f"remember=1; {attributes}; Path=/; SameSite=Lax"]
