"""The app-wide cookie policy: defaults for what a call leaves out, then `rewrite`."""

from typing import Annotated, Any

import httpx
import pytest

from transom import (
    Cookie,
    CookieError,
    CookiePolicy,
    HTTPException,
    JSONResponse,
    Keyring,
    Request,
    Response,
    Transom,
)
from transom.http.policy import resolve_attributes
from transom.metadata import ResponseCookie
from transom.testclient import TestClient

DELETED = "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
KEY = "k" * 32


def lines(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def get(app: Transom, path: str = "/", **kwargs: Any) -> httpx.Response:
    with TestClient(app) as client:
        return client.get(path, **kwargs)


def app_setting(policy: CookiePolicy | None, **arguments: Any) -> Transom:
    app = Transom(cookie_policy=policy)

    @app.get("/")
    async def set_it(response: Response) -> None:
        response.set_cookie("c", "v", **arguments)

    return app


def test_the_default_policy_is_secure_httponly_lax_root_host_only_unpartitioned() -> None:
    policy = CookiePolicy()
    assert (policy.secure, policy.httponly, policy.samesite, policy.path) == (
        True,
        True,
        "lax",
        "/",
    )
    assert (policy.domain, policy.partitioned, policy.rewrite) == (None, False, None)
    assert lines(get(app_setting(policy))) == ["c=v; Path=/; Secure; HttpOnly; SameSite=Lax"]


def test_without_a_policy_the_defaults_are_set_cookies_own() -> None:
    assert lines(get(app_setting(None))) == ["c=v; Path=/; SameSite=Lax"]


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        ({"samesite": None}, "c=v; Path=/; Secure; HttpOnly"),
        ({"secure": False, "samesite": "strict"}, "c=v; Path=/; HttpOnly; SameSite=Strict"),
        ({"httponly": False}, "c=v; Path=/; Secure; SameSite=Lax"),
        ({"path": None}, "c=v; Secure; HttpOnly; SameSite=Lax"),
        (
            {"path": "/a", "domain": "example.com"},
            "c=v; Domain=example.com; Path=/a; Secure; HttpOnly; SameSite=Lax",
        ),
        (
            {"partitioned": True, "samesite": "none"},
            "c=v; Path=/; Secure; HttpOnly; SameSite=None; Partitioned",
        ),
        ({"max_age": 60}, "c=v; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax"),
    ],
)
def test_an_argument_the_call_gives_wins_over_the_policy(
    arguments: dict[str, Any], line: str
) -> None:
    assert lines(get(app_setting(CookiePolicy(), **arguments))) == [line]


def test_a_policy_fills_in_every_attribute() -> None:
    policy = CookiePolicy(
        secure=True,
        httponly=False,
        samesite="strict",
        path="/api",
        domain="example.com",
        partitioned=True,
    )
    assert lines(get(app_setting(policy))) == [
        "c=v; Domain=example.com; Path=/api; Secure; SameSite=Strict; Partitioned"
    ]


def test_the_cookie_rules_are_checked_after_the_policy() -> None:
    relaxed = app_setting(CookiePolicy(secure=False), samesite="none")
    with pytest.raises(CookieError, match="samesite='none' requires secure=True"):
        get(relaxed)
    host = Transom(cookie_policy=CookiePolicy())

    @host.get("/")
    async def set_host(response: Response) -> None:
        response.set_cookie("__Host-id", "1")

    assert lines(get(host)) == ["__Host-id=1; Path=/; Secure; HttpOnly; SameSite=Lax"]
    insecure = Transom(cookie_policy=CookiePolicy(secure=False))

    @insecure.get("/")
    async def set_insecure(response: Response) -> None:
        response.set_cookie("__Host-id", "1")

    with pytest.raises(CookieError, match="__Host- prefix"):
        get(insecure)


def test_a_policy_that_breaks_a_rule_is_refused_when_made() -> None:
    with pytest.raises(CookieError, match=r"^CookiePolicy: Cookie with samesite='none' requires"):
        CookiePolicy(secure=False, samesite="none")
    with pytest.raises(CookieError, match=r"^CookiePolicy: Cookie path 'api' must start with '/'"):
        CookiePolicy(path="api")
    with pytest.raises(CookieError, match="must be a callable"):
        CookiePolicy(rewrite="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a CookiePolicy, got dict"):
        Transom(cookie_policy={"secure": True})  # type: ignore[arg-type]


def test_the_policy_applies_to_delete_cookie() -> None:
    app = Transom(cookie_policy=CookiePolicy(path="/app"))

    @app.get("/")
    async def delete(response: Response) -> None:
        response.delete_cookie("gone")
        response.delete_cookie("explicit", samesite=None, httponly=False)

    assert lines(get(app)) == [
        f"gone=; {DELETED}; Path=/app; Secure; HttpOnly; SameSite=Lax",
        f"explicit=; {DELETED}; Path=/app; Secure",
    ]


def test_delete_cookie_repeats_a_set_or_declared_cookie_before_the_policy() -> None:
    app = Transom(
        cookie_policy=CookiePolicy(),
        response_cookies=[ResponseCookie("declared", path="/d", secure=False, httponly=False)],
    )

    @app.get("/")
    async def delete(response: Response) -> None:
        response.set_cookie("set", "1", samesite="strict")
        response.delete_cookie("set")
        response.delete_cookie("declared")

    assert lines(get(app)) == [
        f"set=; {DELETED}; Path=/; Secure; HttpOnly; SameSite=Strict",
        f"declared=; {DELETED}; Path=/d; SameSite=Lax",
    ]


def test_the_policy_applies_to_returned_and_error_responses() -> None:
    app = Transom(cookie_policy=CookiePolicy())

    @app.get("/returned")
    async def returned() -> JSONResponse:
        response = JSONResponse({})
        response.set_cookie("r", "1")
        return response

    @app.exception_handler(HTTPException)
    async def handler(request: Request, exc: HTTPException) -> JSONResponse:
        response = JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        response.set_cookie("e", "1")
        return response

    @app.get("/error")
    async def error() -> None:
        raise HTTPException(400, "no")

    expected = "; Path=/; Secure; HttpOnly; SameSite=Lax"
    assert lines(get(app, "/returned")) == ["r=1" + expected]
    assert lines(get(app, "/error")) == ["e=1" + expected]


def test_the_policy_applies_to_signed_and_encrypted_cookies() -> None:
    app = Transom(keyring=Keyring([KEY]), cookie_policy=CookiePolicy(path="/p"))

    @app.get("/p")
    async def set_sealed(response: Response) -> None:
        response.set_cookie("s", "1", signed=True)
        response.set_cookie("e", "1", encrypted=True, httponly=False)

    @app.get("/p/read")
    async def read(
        s: Annotated[str, Cookie(signed=True)], e: Annotated[str, Cookie(encrypted=True)]
    ) -> list[str]:
        return [s, e]

    response = get(app, "/p")
    s_line, e_line = lines(response)
    assert s_line.endswith("; Path=/p; Secure; HttpOnly; SameSite=Lax")
    assert e_line.endswith("; Path=/p; Secure; SameSite=Lax")
    cookies = "; ".join(line.split(";")[0] for line in lines(response))
    assert get(app, "/p/read", headers={"cookie": cookies}).json() == ["1", "1"]


def test_rewrite_receives_the_name_and_the_attributes_and_adjusts_any_cookie() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def rewrite(name: str, attributes: dict[str, Any]) -> dict[str, Any]:
        seen.append((name, dict(attributes)))
        if name.startswith("tracking"):
            return {**attributes, "samesite": "strict", "max_age": 30}
        return attributes

    app = Transom(cookie_policy=CookiePolicy(rewrite=rewrite))

    @app.get("/")
    async def set_them(response: Response) -> None:
        response.set_cookie("tracking_id", "1", max_age=99999)
        response.set_cookie("plain", "2", httponly=False)
        response.delete_cookie("tracking_old")

    assert lines(get(app)) == [
        "tracking_id=1; Max-Age=30; Path=/; Secure; HttpOnly; SameSite=Strict",
        "plain=2; Path=/; Secure; SameSite=Lax",
        f"tracking_old=; {DELETED}; Path=/; Secure; HttpOnly; SameSite=Strict",
    ]
    assert seen[0] == (
        "tracking_id",
        {
            "max_age": 99999,
            "expires": None,
            "path": "/",
            "domain": None,
            "secure": True,
            "httponly": True,
            "samesite": "lax",
            "partitioned": False,
        },
    )
    assert seen[1][1]["httponly"] is False


def test_rewrite_may_return_part_of_the_attributes_but_only_known_ones() -> None:
    policy = CookiePolicy(rewrite=lambda name, attributes: {"path": "/x"})
    resolved = resolve_attributes(policy, "c", None, None, *_unset(6))
    assert resolved == (None, None, "/x", None, True, True, "lax", False)
    bad = CookiePolicy(rewrite=lambda name, attributes: {"colour": "red"})
    with pytest.raises(CookieError, match=r"returned 'colour' for cookie 'c'; it may return only"):
        resolve_attributes(bad, "c", None, None, *_unset(6))
    not_mapping = CookiePolicy(rewrite=lambda name, attributes: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(CookieError, match="must return a mapping"):
        resolve_attributes(not_mapping, "c", None, None, *_unset(6))


def _unset(count: int) -> list[Any]:
    from transom.http.cookies import UNSET

    return [UNSET] * count


def test_a_response_made_outside_a_request_has_no_policy() -> None:
    Transom(cookie_policy=CookiePolicy())
    response = Response()
    response.set_cookie("c", "v")
    assert response.headers.getlist("set-cookie") == ["c=v; Path=/; SameSite=Lax"]


def test_one_apps_policy_never_reaches_another_app() -> None:
    strict = app_setting(CookiePolicy(samesite="strict"))
    plain = app_setting(None)
    assert lines(get(strict)) == ["c=v; Path=/; Secure; HttpOnly; SameSite=Strict"]
    assert lines(get(plain)) == ["c=v; Path=/; SameSite=Lax"]
