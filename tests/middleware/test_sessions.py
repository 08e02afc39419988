"""Sessions: `request.session` on signed, encrypted and Redis backends."""

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._redis import redis_server
from tests._servers import free_port, wait_for_port
from transom import CookiePolicy, Keyring, Request, Response, Transom
from transom.exceptions import KeyringError
from transom.middleware.sessions import (
    CookieSessionBackend,
    EncryptedCookieSessionBackend,
    RedisSessionBackend,
    SessionBackend,
    SessionMiddleware,
)
from transom.sealing import open_value
from transom.testclient import TestClient

KEY = "s" * 32
OLD = "o" * 32
ROOT = Path(__file__).resolve().parents[2]
DELETED = "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"


def make_app(backend: SessionBackend | None = None, **options: Any) -> Transom:
    keyring = options.pop("keyring", Keyring([KEY]))
    policy = options.pop("cookie_policy", None)
    app = Transom(keyring=keyring, cookie_policy=policy)
    app.add_middleware(SessionMiddleware, backend=backend, **options)

    @app.post("/login/{user}")
    async def login(user: str, request: Request) -> None:
        request.session["user"] = user
        request.session.regenerate()

    @app.post("/add/{item}")
    async def add(item: str, request: Request) -> None:
        request.session["items"] = [*request.session.get("items", []), item]

    @app.get("/me")
    async def me(request: Request) -> dict[str, Any]:
        return dict(request.session)

    @app.post("/logout")
    async def logout(request: Request) -> None:
        request.session.clear()

    @app.get("/public")
    async def public() -> str:
        return "hello"

    return app


def session_line(response: httpx.Response) -> str:
    (line,) = [
        line for line in response.headers.get_list("set-cookie") if line.startswith("session")
    ]
    return line


BACKENDS = [CookieSessionBackend, EncryptedCookieSessionBackend]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_session_round_trips_in_a_cookie(backend: type[CookieSessionBackend]) -> None:
    with TestClient(make_app(backend())) as client:
        login = client.post("/login/ann")
        line = session_line(login)
        assert line.endswith("; Max-Age=1209600; Path=/; HttpOnly; SameSite=Lax")
        assert "Secure" not in line
        client.post("/add/book")
        assert client.get("/me").json() == {"user": "ann", "items": ["book"]}


def test_the_encrypted_backend_hides_the_data_and_the_signed_one_does_not() -> None:
    for backend, visible in [
        (CookieSessionBackend(), True),
        (EncryptedCookieSessionBackend(), False),
    ]:
        with TestClient(make_app(backend)) as client:
            value = session_line(client.post("/login/annabel")).split(";")[0].split("=", 1)[1]
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        assert (b"annabel" in raw) is visible


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_tampered_session_cookie_gives_an_empty_session(
    backend: type[CookieSessionBackend],
) -> None:
    app = make_app(backend())
    with TestClient(app) as client:
        value = session_line(client.post("/login/ann")).split(";")[0].split("=", 1)[1]
    tampered = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    with TestClient(app) as client:
        response = client.get("/me", headers={"cookie": f"session={tampered}"})
    assert (response.status_code, response.json()) == (200, {})
    assert "set-cookie" not in response.headers


def test_a_session_cookie_sealed_for_another_name_is_refused() -> None:
    signed_app = make_app()
    with TestClient(signed_app) as client:
        value = session_line(client.post("/login/ann")).split(";")[0].split("=", 1)[1]
    renamed = make_app(session_cookie="other")
    with TestClient(renamed) as client:
        assert client.get("/me", headers={"cookie": f"other={value}"}).json() == {}


def test_dict_of_the_session_holds_the_users_data_only() -> None:
    with TestClient(make_app()) as client:
        client.post("/login/ann")
        assert client.get("/me").json() == {"user": "ann"}


def test_clear_deletes_the_cookie() -> None:
    with TestClient(make_app()) as client:
        client.post("/login/ann")
        logout = client.post("/logout")
        assert session_line(logout) == f"session=; {DELETED}; Path=/; HttpOnly; SameSite=Lax"
        assert client.get("/me").json() == {}


def test_a_request_without_a_session_sets_no_cookie_and_varies_on_cookie() -> None:
    with TestClient(make_app()) as client:
        response = client.get("/public")
        assert "set-cookie" not in response.headers
        assert response.headers["vary"] == "Cookie"
        assert "set-cookie" not in client.post("/logout").headers


def test_regenerate_gives_a_new_cookie_for_the_same_data() -> None:
    app = make_app(EncryptedCookieSessionBackend())
    with TestClient(app) as client:
        first = session_line(client.post("/login/ann"))
        second = session_line(client.post("/login/ann"))
        assert first != second
        assert client.get("/me").json() == {"user": "ann"}


def test_starlettes_options_set_the_cookie() -> None:
    app = make_app(
        session_cookie="sid",
        max_age=None,
        path="/",
        same_site="strict",
        https_only=True,
        domain="example.com",
    )
    with TestClient(app, base_url="https://example.com") as client:
        line = client.post("/login/ann").headers["set-cookie"]
        assert line.startswith("sid=")
        assert line.endswith("; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Strict")
        assert client.get("/me").json() == {"user": "ann"}


def test_the_apps_cookie_policy_fills_in_what_the_middleware_leaves_out() -> None:
    app = make_app(cookie_policy=CookiePolicy(samesite="strict"))
    with TestClient(app, base_url="https://testserver") as client:
        assert session_line(client.post("/login/ann")).endswith(
            "; Max-Age=1209600; Path=/; Secure; HttpOnly; SameSite=Strict"
        )
    explicit = make_app(cookie_policy=CookiePolicy(), https_only=False, same_site="lax")
    with TestClient(explicit) as client:
        assert session_line(client.post("/login/ann")).endswith("; Path=/; HttpOnly; SameSite=Lax")


def test_a_long_session_is_chunked_and_shrinks_back() -> None:
    app = make_app()
    with TestClient(app) as client:
        for index in range(400):
            client.post(f"/add/item-{index:04d}")
        big = client.post("/add/last")
        names = [line.split("=")[0] for line in big.headers.get_list("set-cookie")]
        assert names[:2] == ["session.0", "session.1"]
        assert "session" not in names
        assert all(len(line) < 4096 for line in big.headers.get_list("set-cookie"))
        assert len(client.get("/me").json()["items"]) == 401
        logout = client.post("/logout")
        deleted = sorted(line.split("=")[0] for line in logout.headers.get_list("set-cookie"))
        assert deleted[0] == "session"
        assert set(deleted) >= {"session", "session.0", "session.1"}
        assert client.get("/me").json() == {}


def test_a_chunked_session_that_shrinks_to_one_cookie_deletes_its_chunks() -> None:
    app = make_app()

    @app.post("/empty")
    async def empty(request: Request) -> None:
        request.session["items"] = []

    with TestClient(app) as client:
        for index in range(400):
            client.post(f"/add/item-{index:04d}")
        lines = client.post("/empty").headers.get_list("set-cookie")
        names = sorted(line.split("=")[0] for line in lines)
        assert names[:3] == ["session", "session.0", "session.1"]
        assert all(DELETED in line for line in lines if line.startswith("session."))
        assert client.get("/me").json() == {"items": []}
        assert sorted(client.cookies) == ["session"]


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
@pytest.mark.parametrize(
    "policy", [None, CookiePolicy(samesite="strict"), CookiePolicy(domain="testserver.local")]
)
def test_the_session_cookie_is_what_set_cookie_sends_for_it(
    encrypted: bool, policy: CookiePolicy | None
) -> None:
    backend = EncryptedCookieSessionBackend() if encrypted else CookieSessionBackend()
    sessions = make_app(backend, cookie_policy=policy)
    plain = Transom(keyring=Keyring([KEY]), cookie_policy=policy)

    @plain.post("/set")
    async def set_session(data: dict[str, Any], response: Response) -> None:
        response.set_cookie(
            "session",
            data,
            max_age=1209600,
            httponly=True,
            signed=not encrypted,
            encrypted=encrypted,
            purpose="session",
        )

    def opened(line: str) -> Any:
        value = line.split(";")[0].partition("=")[2]
        found = open_value(Keyring([KEY]), "session", "session", value, encrypted=encrypted)
        assert found is not None
        return found

    with TestClient(sessions, base_url="https://testserver.local") as client:
        line = session_line(client.post("/login/ann"))
    session = opened(line)
    with TestClient(plain, base_url="https://testserver.local") as client:
        reference = session_line(client.post("/set", json=json.loads(session.payload)))
    assert line.partition(";")[2] == reference.partition(";")[2]
    same = opened(reference)
    assert (session.payload, session.attributes) == (same.payload, same.attributes)
    assert abs(session.expiry - same.expiry) <= 2


def test_the_policys_rewrite_applies_to_every_session_cookie() -> None:
    calls: list[str] = []

    def rewrite(name: str, attributes: dict[str, Any]) -> dict[str, Any]:
        calls.append(name)
        return {**attributes, "samesite": "strict", "max_age": 60 * len(calls)}

    app = make_app(cookie_policy=CookiePolicy(rewrite=rewrite))
    with TestClient(app, base_url="https://testserver") as client:
        first = session_line(client.post("/add/a"))
        second = session_line(client.post("/add/b"))
    assert first.endswith("; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Strict")
    assert second.endswith("; Max-Age=120; Path=/; Secure; HttpOnly; SameSite=Strict")
    assert calls == ["session", "session"]


def test_a_session_cookie_the_handler_sets_itself_wins() -> None:
    app = make_app()

    @app.post("/own")
    async def own(request: Request, response: Response) -> None:
        request.session["user"] = "ann"
        response.set_cookie("session", "mine")

    with TestClient(app) as client:
        assert client.post("/own").headers.get_list("set-cookie") == [
            "session=mine; Path=/; SameSite=Lax"
        ]


def test_the_middlewares_secret_key_or_the_apps_key_ring_seals_the_session() -> None:
    own = Transom()
    own.add_middleware(SessionMiddleware, secret_key=KEY)

    @own.get("/")
    async def count(request: Request) -> int:
        request.session["n"] = request.session.get("n", 0) + 1
        return int(request.session["n"])

    with TestClient(own) as client:
        assert [client.get("/").json() for _ in range(3)] == [1, 2, 3]
    with pytest.raises(KeyringError, match=r"^SessionMiddleware secret_key: Keyring key 1 of 1"):
        SessionMiddleware(own, secret_key="secret")
    keyless = Transom()
    keyless.add_middleware(SessionMiddleware)
    with TestClient(keyless) as client, pytest.raises(RuntimeError, match="needs a key"):
        client.get("/")


def test_a_session_sealed_with_an_older_key_is_read_and_resealed() -> None:
    with TestClient(make_app(keyring=Keyring([OLD]))) as client:
        old = session_line(client.post("/login/ann")).split(";")[0]
    rotated = make_app(keyring=Keyring([KEY, OLD]))
    with TestClient(rotated) as client:
        response = client.get("/me", headers={"cookie": old})
        assert response.json() == {"user": "ann"}
        fresh = session_line(response).split(";")[0]
    with TestClient(make_app(keyring=Keyring([KEY]))) as client:
        assert client.get("/me", headers={"cookie": fresh}).json() == {"user": "ann"}
        assert client.get("/me", headers={"cookie": old}).json() == {}


def test_request_session_without_the_middleware_names_it() -> None:
    app = Transom()

    @app.get("/")
    async def read(request: Request) -> Any:
        return dict(request.session)

    with TestClient(app) as client, pytest.raises(RuntimeError, match="needs SessionMiddleware"):
        client.get("/")


# Redis


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


def redis_app(url: str, **options: Any) -> Transom:
    return make_app(RedisSessionBackend(url=url, **options))


def stored_keys(url: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys: list[bytes] = client.keys("transom:session:*")  # type: ignore[assignment]
        return sorted(keys)
    finally:
        client.close()


def test_redis_keeps_the_data_server_side_with_an_opaque_id(redis_url: str) -> None:
    with TestClient(redis_app(redis_url)) as client:
        line = session_line(client.post("/login/annabel"))
        value = line.split(";")[0].split("=", 1)[1]
        assert b"annabel" not in base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        client.post("/add/book")
        assert client.get("/me").json() == {"user": "annabel", "items": ["book"]}
        assert all(key.startswith(b"transom:session:") for key in stored_keys(redis_url))
        client.post("/logout")


def test_redis_sets_the_ttl_to_the_idle_timeout(redis_url: str) -> None:
    import redis

    with TestClient(redis_app(redis_url), cookies={}) as client:
        before = set(stored_keys(redis_url))
        client.post("/login/ann")
        (key,) = set(stored_keys(redis_url)) - before
        direct = redis.Redis.from_url(redis_url)
        try:
            assert 1209590 < direct.ttl(key) <= 1209600
        finally:
            direct.close()
        client.post("/logout")


def test_redis_clear_deletes_the_data_server_side(redis_url: str) -> None:
    with TestClient(redis_app(redis_url)) as client:
        before = set(stored_keys(redis_url))
        client.post("/login/ann")
        cookie = client.cookies["session"]
        assert len(set(stored_keys(redis_url)) - before) == 1
        client.post("/logout")
        assert set(stored_keys(redis_url)) == before
    with TestClient(redis_app(redis_url)) as client:
        assert client.get("/me", headers={"cookie": f"session={cookie}"}).json() == {}


def test_redis_regenerate_makes_the_old_cookie_load_nothing(redis_url: str) -> None:
    with TestClient(redis_app(redis_url)) as client:
        client.post("/login/ann")
        old = client.cookies["session"]
        client.post("/login/ann")
        new = client.cookies["session"]
        assert new != old
        assert client.get("/me").json() == {"user": "ann"}
    with TestClient(redis_app(redis_url)) as stranger:
        assert stranger.get("/me", headers={"cookie": f"session={old}"}).json() == {}


def test_redis_writes_only_when_the_session_changed(redis_url: str) -> None:
    calls: list[str] = []
    backend = RedisSessionBackend(url=redis_url)
    original = backend._call

    async def counting(method: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(method)
        return await original(method, *args, **kwargs)

    backend._call = counting  # type: ignore[method-assign]
    with TestClient(make_app(backend)) as client:
        client.post("/login/ann")
        calls.clear()
        client.get("/me")
        client.get("/me")
        assert calls == ["getex", "getex"]
        client.post("/add/x")
        assert calls[-1] == "set"


def test_redis_absolute_timeout_ends_a_session(redis_url: str) -> None:
    with TestClient(redis_app(redis_url, absolute_timeout=0)) as client:
        client.post("/login/ann")
        assert client.get("/me").json() == {}


def test_redis_down_gives_a_503_when_loading_or_saving() -> None:
    port = free_port()  # nothing listens there
    app = redis_app(f"redis://127.0.0.1:{port}/0", timeout=1.0)
    with TestClient(app) as client:
        response = client.post("/login/ann")
        assert response.status_code == 503
        assert response.json() == {"detail": "The session store is unavailable; try again shortly."}
        assert response.headers["retry-after"] == "5"
        assert "set-cookie" not in response.headers
    with redis_server() as url:
        backend = RedisSessionBackend(url=url, timeout=1.0)
        with TestClient(make_app(backend)) as client:
            client.post("/login/ann")
            cookie = client.cookies["session"]
    # That server has stopped: loading the session with its cookie now fails.
    with TestClient(make_app(backend)) as client:
        response = client.get("/me", headers={"cookie": f"session={cookie}"})
        assert response.status_code == 503
        assert "Traceback" not in response.text


def test_redis_down_while_saving_gives_a_503_instead_of_the_response(redis_url: str) -> None:
    backend = RedisSessionBackend(url=redis_url, timeout=1.0)
    app = make_app(backend)

    async def failing(method: str, *args: Any, **kwargs: Any) -> Any:
        from transom.middleware.sessions import SessionUnavailable

        raise SessionUnavailable("down")

    with TestClient(app) as client:
        backend._call = failing  # type: ignore[method-assign]
        response = client.post("/login/ann")
        assert response.status_code == 503
        assert "set-cookie" not in response.headers


def test_two_app_instances_share_sessions_through_one_redis(redis_url: str) -> None:
    servers = []
    env = {
        **os.environ,
        "SESSION_REDIS_URL": redis_url,
        "APP_KEYS": KEY,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    try:
        for instance in ("one", "two"):
            port = free_port()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "tests.middleware.sessions_app:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**env, "INSTANCE": instance},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            servers.append((process, port))
            wait_for_port(port, process, f"uvicorn instance {instance}")
        (_, one), (_, two) = servers
        with httpx.Client(timeout=5) as client:
            assert client.post(f"http://127.0.0.1:{one}/login/ann").json() == {"instance": "one"}
            cookie = client.cookies["session"]
            me = client.get(f"http://127.0.0.1:{two}/me")
            assert me.json() == {"user": "ann", "instance": "two"}
            assert client.post(f"http://127.0.0.1:{two}/logout").json() == {"instance": "two"}
            assert client.get(f"http://127.0.0.1:{one}/me").json() == {
                "user": None,
                "instance": "one",
            }
        with httpx.Client(timeout=5) as replay:
            stale = replay.get(
                f"http://127.0.0.1:{one}/me", headers={"cookie": f"session={cookie}"}
            )
            assert stale.json() == {"user": None, "instance": "one"}
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)


def test_every_change_to_the_session_marks_it_modified() -> None:
    from transom.middleware.sessions import Session

    changes: list[Any] = [
        lambda s: s.__setitem__("a", 1),
        lambda s: s.__delitem__("k"),
        lambda s: s.pop("k"),
        lambda s: s.popitem(),
        lambda s: s.setdefault("new", 1),
        lambda s: s.update(b=2),
        lambda s: s.clear(),
        lambda s: s.regenerate(),
    ]
    for change in changes:
        session = Session({"k": "v"}, id="i")
        assert not session.modified
        change(session)
        assert session.modified, change
    unchanged = Session({"k": "v"})
    unchanged.setdefault("k", "other")
    assert not unchanged.modified
    assert unchanged.created > 0


def test_a_session_past_the_absolute_timeout_is_empty() -> None:
    with TestClient(make_app(absolute_timeout=0)) as client:
        client.post("/login/ann")
        assert client.get("/me").json() == {}


def test_a_session_cookie_with_a_payload_of_another_shape_is_empty() -> None:
    from transom.http.cookies import CookieAttributes
    from transom.sealing import seal_value

    app = make_app()
    for payload in [b'"just text"', b'{"i": "x", "d": [], "c": 1}', b"not json"]:
        value = seal_value(
            Keyring([KEY]), "session", "session", payload, None, CookieAttributes(), encrypted=False
        )
        with TestClient(app) as client:
            assert client.get("/me", headers={"cookie": f"session={value}"}).json() == {}, payload


def test_redis_needs_a_url_or_a_client() -> None:
    with pytest.raises(ValueError, match=r"needs url="):
        RedisSessionBackend()


def test_redis_without_an_idle_timeout_keeps_sessions_without_ttl(redis_url: str) -> None:
    import redis

    with TestClient(make_app(RedisSessionBackend(url=redis_url), max_age=None)) as client:
        before = set(stored_keys(redis_url))
        line = session_line(client.post("/login/ann"))
        assert "Max-Age" not in line
        assert client.get("/me").json() == {"user": "ann"}
        (key,) = set(stored_keys(redis_url)) - before
        direct = redis.Redis.from_url(redis_url)
        try:
            assert direct.ttl(key) == -1
            direct.set(key, b"not json")
            assert client.get("/me").json() == {}
            direct.set(key, b'{"d": 1}')
            assert client.get("/me").json() == {}
        finally:
            direct.close()
