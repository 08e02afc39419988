"""The todo example (`examples/todo.py`), end to end: register, log in with the OAuth2
password form for a bearer token or a session cookie, use the todos, log out."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import examples.todo as todo
import jwt
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from transom.testclient import TestClient

PASSWORD = "correct horse battery"
LIFETIME = 30 * 60
SESSION_LINE = "session={}; Max-Age=1800; Path=/; Secure; HttpOnly; SameSite=Lax"
DELETED_LINE = (
    "session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; "
    "SameSite=Lax"
)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client (over https, so the Secure cookie is kept) of an app with no data.

    Passwords are hashed with Argon2 at its lowest cost, so the tests run fast.
    """
    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(todo, "password_hash", cheap)
    monkeypatch.setattr(todo, "DUMMY_HASH", cheap.hash("dummy"))
    monkeypatch.setattr(todo, "USERS", {})
    monkeypatch.setattr(todo, "TODOS", {})
    monkeypatch.setattr(todo, "REVOKED", set())
    with TestClient(todo.app, base_url="https://testserver") as test_client:
        yield test_client


def register(client: TestClient, username: str = "ada") -> None:
    response = client.post("/users", json={"username": username, "password": PASSWORD})
    assert (response.status_code, response.json()) == (201, {"username": username})


def token_for(client: TestClient, username: str = "ada", scope: str | None = None) -> str:
    form = {"username": username, "password": PASSWORD}
    if scope is not None:
        form["scope"] = scope
    response = client.post("/token", data=form)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_register_then_log_in_for_a_signed_token(client: TestClient) -> None:
    register(client)
    response = client.post("/token", data={"username": "ada", "password": PASSWORD})
    body = response.json()
    assert body.keys() == {"access_token", "token_type", "expires_in", "scope"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", LIFETIME)
    assert body["scope"] == "todos:read todos:write"
    claims = jwt.decode(body["access_token"], todo.SECRET_KEY, algorithms=["HS256"])
    assert (claims["sub"], claims["scope"]) == ("ada", "todos:read todos:write")
    assert claims["exp"] - claims["iat"] == LIFETIME
    me = client.get("/users/me", headers=bearer(body["access_token"]))
    assert me.json() == {"username": "ada"}


def test_registration_refuses_taken_names_and_short_passwords(client: TestClient) -> None:
    register(client)
    again = client.post("/users", json={"username": "ada", "password": PASSWORD})
    assert (again.status_code, again.json()) == (409, {"detail": "'ada' is taken."})
    short = client.post("/users", json={"username": "bob", "password": "short"})
    assert short.status_code == 422
    assert short.json()["detail"][0]["loc"] == ["body", "password"]
    assert "hashed_password" not in str(client.get("/openapi.json").json())


@pytest.mark.parametrize("username", ["ada", "nobody"])
def test_a_wrong_password_or_user_gets_no_token(client: TestClient, username: str) -> None:
    register(client)
    response = client.post("/token", data={"username": username, "password": "wrong password"})
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Incorrect username or password"},
    )


def test_the_login_form_is_required(client: TestClient) -> None:
    response = client.post("/token", json={"username": "ada", "password": PASSWORD})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [
        ["body", "username"],
        ["body", "password"],
    ]


def test_todos_with_a_bearer_token(client: TestClient) -> None:
    register(client)
    auth = bearer(token_for(client))
    created = client.post("/todos", json={"title": "Write the report"}, headers=auth)
    assert created.status_code == 201
    assert created.headers["location"] == "/todos/1"
    assert created.json() == {"id": 1, "title": "Write the report", "done": False}
    done = client.patch("/todos/1", json={"done": True}, headers=auth)
    assert done.json() == {"id": 1, "title": "Write the report", "done": True}
    assert client.get("/todos", headers=auth).json() == [done.json()]
    assert client.get("/todos/1", headers=auth).json() == done.json()
    deleted = client.delete("/todos/1", headers=auth)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert client.get("/todos", headers=auth).json() == []


def test_a_user_never_sees_another_users_todos(client: TestClient) -> None:
    register(client, "ada")
    register(client, "grace")
    ada, grace = bearer(token_for(client, "ada")), bearer(token_for(client, "grace"))
    client.post("/todos", json={"title": "Ada's"}, headers=ada)
    assert client.get("/todos", headers=grace).json() == []
    for method in ("GET", "PATCH", "DELETE"):
        response = client.request(method, "/todos/1", json={"done": True}, headers=grace)
        assert (response.status_code, response.json()) == (
            404,
            {"detail": "Todo 1 does not exist."},
        )
    assert client.get("/todos/1", headers=ada).json()["done"] is False


def test_every_todo_route_requires_authentication(client: TestClient) -> None:
    for method, path, scope in [
        ("GET", "/todos", "todos:read"),
        ("POST", "/todos", "todos:write"),
        ("GET", "/todos/1", "todos:read"),
        ("PATCH", "/todos/1", "todos:write"),
        ("DELETE", "/todos/1", "todos:write"),
    ]:
        response = client.request(method, path, json={"title": "x"})
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == f'Bearer scope="{scope}"'
        assert response.json() == {"detail": "Not authenticated"}
    me = client.get("/users/me")
    assert (me.status_code, me.headers["www-authenticate"]) == (401, "Bearer")


def test_a_token_without_the_scope_is_forbidden(client: TestClient) -> None:
    register(client)
    reader = bearer(token_for(client, scope="todos:read"))
    assert client.get("/todos", headers=reader).json() == []
    response = client.post("/todos", json={"title": "x"}, headers=reader)
    assert response.status_code == 403
    assert response.headers["www-authenticate"] == (
        'Bearer scope="todos:write", error="insufficient_scope"'
    )
    assert response.json() == {"detail": "This token lacks the scope 'todos:write'."}
    unknown = client.post("/token", data={"username": "ada", "password": PASSWORD, "scope": "x"})
    assert (unknown.status_code, unknown.json()) == (400, {"detail": "Unknown scope 'x'."})


def forged(**claims: object) -> str:
    now = datetime.now(UTC)
    payload = {"sub": "ada", "scope": "todos:read", "jti": "j", "iat": now}
    payload.update({"exp": now + timedelta(minutes=5), **claims})
    return jwt.encode(payload, todo.SECRET_KEY, algorithm="HS256")


@pytest.mark.parametrize(
    "token",
    [
        "not.a.jwt",
        jwt.encode({"sub": "ada", "scope": "", "jti": "j"}, "x" * 32, algorithm="HS256"),
        forged(exp=datetime.now(UTC) - timedelta(seconds=1)),
        forged(sub="nobody"),
        forged(jti=None),
    ],
    ids=["garbage", "other key", "expired", "unknown user", "no jti"],
)
def test_tokens_that_cannot_be_trusted_are_refused(client: TestClient, token: str) -> None:
    register(client)
    response = client.get("/todos", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Bearer scope="todos:read", error="invalid_token"'
    )
    assert response.json() == {"detail": "Could not validate credentials"}


def test_a_session_cookie_login_for_browsers(client: TestClient) -> None:
    register(client)
    response = client.post("/session", data={"username": "ada", "password": PASSWORD})
    assert response.json() == {"username": "ada"}
    token = client.cookies["session"]
    assert response.headers.get_list("set-cookie") == [SESSION_LINE.format(token)]
    claims = jwt.decode(token, todo.SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == "ada"
    # The browser sends the cookie by itself: no Authorization header.
    created = client.post("/todos", json={"title": "From the browser"})
    assert created.status_code == 201
    assert client.get("/todos").json() == [{"id": 1, "title": "From the browser", "done": False}]


def test_a_failed_session_login_sets_no_cookie(client: TestClient) -> None:
    register(client)
    response = client.post("/session", data={"username": "ada", "password": "wrong password"})
    assert response.status_code == 400
    assert "set-cookie" not in response.headers
    assert "session" not in client.cookies


def test_logout_revokes_the_token_and_deletes_the_cookie(client: TestClient) -> None:
    register(client)
    client.post("/session", data={"username": "ada", "password": PASSWORD})
    cookie_token = client.cookies["session"]
    response = client.post("/logout")
    assert (response.status_code, response.content) == (204, b"")
    assert response.headers.get_list("set-cookie") == [DELETED_LINE]
    assert "session" not in client.cookies
    # The token is revoked, even if a copy of the cookie is sent again.
    again = client.get("/todos", headers={"cookie": f"session={cookie_token}"})
    assert again.status_code == 401
    assert client.get("/todos", headers=bearer(cookie_token)).status_code == 401


def test_logout_of_a_bearer_token_leaves_other_tokens_alone(client: TestClient) -> None:
    register(client)
    first, second = token_for(client), token_for(client)
    assert client.post("/logout", headers=bearer(first)).status_code == 204
    assert client.get("/users/me", headers=bearer(first)).status_code == 401
    assert client.get("/users/me", headers=bearer(second)).json() == {"username": "ada"}
    assert client.post("/logout").status_code == 401  # nothing to log out of


def test_the_bearer_header_wins_over_the_cookie(client: TestClient) -> None:
    register(client, "ada")
    register(client, "grace")
    client.post("/session", data={"username": "ada", "password": PASSWORD})
    grace = bearer(token_for(client, "grace"))
    assert client.get("/users/me", headers=grace).json() == {"username": "grace"}
    assert client.get("/users/me").json() == {"username": "ada"}


def test_the_document_offers_both_logins(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"] == {
        "OAuth2PasswordBearer": {
            "type": "oauth2",
            "flows": {"password": {"scopes": todo.SCOPES, "tokenUrl": "token"}},
        },
        "APIKeyCookie": {
            "type": "apiKey",
            "description": "Set by `POST /session`.",
            "in": "cookie",
            "name": "session",
        },
    }
    paths = document["paths"]
    assert paths["/todos"]["post"]["security"] == [
        {"OAuth2PasswordBearer": ["todos:write"]},
        {"APIKeyCookie": ["todos:write"]},
    ]
    assert paths["/users/me"]["get"]["security"] == [
        {"OAuth2PasswordBearer": []},
        {"APIKeyCookie": []},
    ]
    assert "security" not in paths["/token"]["post"]
    form = document["components"]["schemas"]["Body_login_for_token_token_post"]
    assert form["required"] == ["username", "password"]
    assert paths["/session"]["post"]["responses"]["200"]["headers"]["Set-Cookie"]


def test_passwords_are_hashed_with_argon2id_at_the_recommended_cost() -> None:
    assert todo.DUMMY_HASH.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
