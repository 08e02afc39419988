"""CSRF protection: a signed double-submit token, required on unsafe methods."""

from typing import Annotated

import httpx
import pytest

from transom import Form, Keyring, Request, Transom
from transom.middleware.csrf import CSRFMiddleware, csrf_token
from transom.testclient import TestClient

KEY = "c" * 32


def make_app(**options: object) -> Transom:
    app = Transom(keyring=Keyring([KEY]))
    app.add_middleware(CSRFMiddleware, **options)

    @app.get("/form")
    async def form(request: Request) -> str:
        return csrf_token(request)

    @app.post("/comment")
    async def comment(text: Annotated[str, Form()]) -> str:
        return text

    @app.post("/api")
    async def api() -> str:
        return "done"

    @app.post("/hook")
    async def hook() -> str:
        return "hooked"

    return app


def token_and_client(app: Transom) -> tuple[str, TestClient]:
    client = TestClient(app)
    response = client.get("/form")
    return response.json(), client


def test_a_safe_request_gets_a_signed_token_cookie_scripts_can_read() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/form")
        line = response.headers["set-cookie"]
        assert line.startswith("csrftoken=")
        assert line.endswith("; Path=/; SameSite=Lax")
        assert "HttpOnly" not in line
        token = response.json()
        assert len(token) == 43
        assert token not in line  # the cookie holds it signed, not as it is
        assert response.headers["vary"] == "Cookie"
        again = client.get("/form")
        assert again.json() == token
        assert "set-cookie" not in again.headers


FORBIDDEN = {
    "detail": "CSRF token missing or incorrect: send the token of the 'csrftoken' cookie "
    "in the 'x-csrf-token' header or the 'csrf_token' form field."
}


def test_an_unsafe_request_without_the_token_is_a_403() -> None:
    token, client = token_and_client(make_app())
    with client:
        response = client.post("/api")
        assert (response.status_code, response.json()) == (403, FORBIDDEN)
        assert client.post("/api", headers={"x-csrf-token": token + "x"}).status_code == 403
        assert client.post("/api", headers={"x-csrf-token": token}).json() == "done"


def test_the_token_may_come_in_a_form_field_and_the_app_still_reads_the_form() -> None:
    token, client = token_and_client(make_app())
    with client:
        response = client.post("/comment", data={"text": "hello", "csrf_token": token})
        assert response.json() == "hello"
        multipart = client.post(
            "/comment",
            data={"text": "hi", "csrf_token": token},
            files={"f": ("a.txt", b"x", "text/plain")},
        )
        assert multipart.json() == "hi"
        assert client.post("/comment", data={"text": "hello"}).status_code == 403
        assert client.post("/comment", data={"text": "x", "csrf_token": "no"}).status_code == 403


def test_a_token_without_its_signed_cookie_is_refused() -> None:
    token, _ = token_and_client(make_app())
    with TestClient(make_app()) as stranger:
        forged = stranger.post(
            "/api", headers={"x-csrf-token": token, "cookie": f"csrftoken={token}"}
        )
        assert forged.status_code == 403


def test_a_token_signed_by_another_key_is_refused() -> None:
    other = Transom(keyring=Keyring(["o" * 32]))
    other.add_middleware(CSRFMiddleware)

    @other.get("/form")
    async def form(request: Request) -> str:
        return csrf_token(request)

    with TestClient(other) as client:
        response = client.get("/form")
        cookie, token = response.headers["set-cookie"].split(";")[0], response.json()
    with TestClient(make_app()) as client:
        refused = client.post("/api", headers={"x-csrf-token": token, "cookie": cookie})
        assert refused.status_code == 403


def test_exempt_paths_and_safe_methods_need_no_token() -> None:
    with TestClient(make_app(exempt_paths=["/hook"])) as client:
        assert client.post("/hook").json() == "hooked"
        assert client.get("/form").status_code == 200
        assert client.options("/api").status_code == 405


def test_a_form_body_past_the_limit_is_refused() -> None:
    token, client = token_and_client(make_app(max_body_size=100))
    with client:
        response = client.post("/comment", data={"text": "x" * 200, "csrf_token": token})
        assert response.status_code == 403


def test_the_cookie_follows_the_options_and_needs_a_key() -> None:
    with TestClient(make_app(cookie_name="xsrf", same_site="strict", https_only=True)) as client:
        line = client.get("/form").headers["set-cookie"]
        assert line.startswith("xsrf=")
        assert line.endswith("; Path=/; Secure; SameSite=Strict")
    keyless = Transom()
    keyless.add_middleware(CSRFMiddleware)
    with TestClient(keyless) as client, pytest.raises(RuntimeError, match="needs a key"):
        client.get("/")


def test_csrf_token_without_the_middleware_names_it() -> None:
    app = Transom()

    @app.get("/")
    async def read(request: Request) -> str:
        return csrf_token(request)

    with TestClient(app) as client, pytest.raises(RuntimeError, match="needs CSRFMiddleware"):
        client.get("/")


def test_responses_of_other_kinds_pass_through() -> None:
    app = make_app()
    with TestClient(app) as client:
        response: httpx.Response = client.get("/openapi.json")
        assert response.status_code == 200
