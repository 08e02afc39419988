"""The tutorial's examples (`examples/tutorial/`, included verbatim by `docs/tutorial/`)
answer as their pages say: status, body and the headers a client sees."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests._redis import redis_server
from tests._servers import free_port, wait_for_port
from transom.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "tutorial"
DOCS = ROOT / "docs"
SNIPPET = re.compile(r'^--8<-- "([^"]+)"$', re.MULTILINE)
JSON = ("content-type", "application/json")


def fresh(name: str) -> ModuleType:
    """The example imported anew, with its in-memory data as the page starts from."""
    sys.modules.pop(f"examples.tutorial.{name}", None)
    return importlib.import_module(f"examples.tutorial.{name}")


def client_of(name: str) -> TestClient:
    return TestClient(fresh(name).app)


def included_snippets() -> set[str]:
    """Every file a page of the site includes with `--8<--`."""
    found: set[str] = set()
    for page in DOCS.rglob("*.md"):
        found.update(SNIPPET.findall(page.read_text(encoding="utf-8")))
    return found


def test_every_example_is_on_a_page_and_every_included_file_exists() -> None:
    examples = {f"tutorial/{p.name}" for p in EXAMPLES.glob("*.py") if p.name != "__init__.py"}
    included = included_snippets()
    assert examples <= included, f"examples no page includes: {sorted(examples - included)}"
    # mkdocs.yml's snippet base paths: examples/, then docs/
    bases = (ROOT / "examples", DOCS)
    assert [name for name in included if not any((b / name).is_file() for b in bases)] == []


def test_every_example_has_a_test_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    stems = [p.stem for p in EXAMPLES.glob("*.py") if p.name != "__init__.py"]
    assert [stem for stem in stems if f'"{stem}"' not in source] == []


# Home -------------------------------------------------------------------------------------


def test_the_home_page_app() -> None:
    response = client_of("home").get("/notes", params={"limit": 1})
    assert response.status_code == 200
    assert response.content == b'[{"id":1,"text":"Buy milk"}]'
    assert response.headers["x-total-count"] == "2"
    assert response.headers["set-cookie"] == "seen=1; Path=/; HttpOnly; SameSite=Lax"


# First steps ------------------------------------------------------------------------------


def test_first_steps() -> None:
    client = client_of("first_steps")
    response = client.get("/")
    assert response.status_code == 200
    assert list(response.headers.multi_items()) == [("content-length", "26"), JSON]
    assert response.content == b'{"message":"Hello, world"}'
    assert client.get("/items/3").json() == {"item_id": 3}
    invalid = client.get("/items/three")
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["path", "item_id"]
    assert client.get("/openapi.json").json()["info"]["title"] == "My first API"


# Parameters -------------------------------------------------------------------------------


def test_path_and_query_parameters() -> None:
    client = client_of("parameters")
    assert client.get("/items/3", params={"q": "saw"}).json() == {
        "item_id": 3,
        "q": "saw",
        "limit": 10,
    }
    response = client.get("/items/0", params={"limit": 101})
    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["path", "item_id"], "greater_than_equal"),
        (["query", "limit"], "less_than_equal"),
    ]


def test_body_parameters() -> None:
    client = client_of("parameters")
    body = {"item": {"name": "saw", "price": 3}, "note": "sharp"}
    assert client.put("/items/3", json=body).json() == {
        "item_id": 3,
        "name": "saw",
        "price": 3.0,
        "note": "sharp",
    }
    response = client.put("/items/3", json={"item": {"name": "", "price": 0}})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["body", "item", "name"],
        ["body", "item", "price"],
    ]


# Response model ---------------------------------------------------------------------------


def test_the_response_model_filters_the_password() -> None:
    client = client_of("response_model")
    response = client.post("/users", json={"username": "ada", "password": "engine"})
    assert response.status_code == 201
    assert response.content == b'{"username":"ada"}'
    assert client.get("/users").json() == [{"username": "ada"}]


# The temporal response --------------------------------------------------------------------


def test_the_temporal_response_sets_headers_and_a_cookie() -> None:
    response = client_of("temporal_response").get("/items")
    assert response.status_code == 200
    assert list(response.headers.multi_items()) == [
        ("content-length", "16"),
        ("x-served-by", "api-1"),
        ("x-total-count", "3"),
        ("set-cookie", "last-list=2; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"),
        JSON,
    ]
    assert response.json() == ["hammer", "saw"]


def test_the_temporal_response_sets_the_status() -> None:
    client = client_of("temporal_response")
    created = client.put("/items/4", params={"name": "plane"})
    assert (created.status_code, created.headers["location"]) == (201, "/items/4")
    assert created.json() == {"id": 4, "name": "plane"}
    replaced = client.put("/items/4", params={"name": "block plane"})
    assert replaced.status_code == 200
    assert "location" not in replaced.headers


# Cookies and headers ----------------------------------------------------------------------


def test_reading_a_header_and_a_cookie() -> None:
    client = client_of("cookies_headers")
    response = client.get("/whoami", headers={"User-Agent": "curl/8.5"})
    assert response.json() == {"user_agent": "curl/8.5", "theme": "light"}
    assert response.headers["vary"] == "Cookie"


def test_setting_and_deleting_a_cookie() -> None:
    client = client_of("cookies_headers")
    response = client.post("/theme/dark")
    assert response.headers["set-cookie"] == (
        "theme=dark; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax"
    )
    assert client.get("/whoami").json()["theme"] == "dark"
    deleted = client.delete("/theme")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert deleted.headers["set-cookie"] == (
        "theme=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; SameSite=Lax"
    )
    assert client.get("/whoami").json()["theme"] == "light"


def test_a_returned_response_keeps_the_temporal_cookie() -> None:
    response = client_of("cookies_headers").get("/legacy")
    assert response.json() == {"legacy": True}
    assert response.headers["x-legacy"] == "yes"
    assert response.headers["set-cookie"] == "seen=1; Path=/; SameSite=Lax"


# Dependencies -----------------------------------------------------------------------------


def test_class_and_yield_dependencies() -> None:
    module = fresh("dependencies")
    response = TestClient(module.app).get("/items", params={"offset": 1, "limit": 1})
    assert response.json() == ["saw"]
    assert response.headers["x-handled"] == "yes"
    assert module.LOG == ["open", "close"]


def test_a_dependency_raises_a_404() -> None:
    module = fresh("dependencies")
    client = TestClient(module.app)
    assert client.get("/items/2").json() == {"name": "saw"}
    missing = client.get("/items/9")
    assert (missing.status_code, missing.json()) == (404, {"detail": "No item 9."})
    assert module.LOG == ["open", "close", "open", "close"]


# Security ---------------------------------------------------------------------------------


def test_oauth2_password_flow() -> None:
    client = client_of("security")
    anonymous = client.get("/users/me")
    assert (anonymous.status_code, anonymous.headers["www-authenticate"]) == (401, "Bearer")
    assert anonymous.json() == {"detail": "Not authenticated"}

    wrong = client.post("/token", data={"username": "ada", "password": "wrong"})
    assert (wrong.status_code, wrong.json()) == (400, {"detail": "Incorrect username or password"})

    token = client.post("/token", data={"username": "ada", "password": "engine"}).json()
    assert token["token_type"] == "bearer"
    me = client.get("/users/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json() == {"username": "ada", "full_name": "Ada Lovelace"}

    forged = client.get("/users/me", headers={"Authorization": "Bearer forged"})
    assert (forged.status_code, forged.headers["www-authenticate"]) == (401, "Bearer")


def test_the_login_form_is_documented_for_authorize() -> None:
    document = client_of("security").get("/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme == {"type": "oauth2", "flows": {"password": {"scopes": {}, "tokenUrl": "token"}}}


# Forms and files --------------------------------------------------------------------------


def test_form_fields() -> None:
    client = client_of("forms_files")
    assert client.post("/login", data={"username": "ada", "password": "x"}).json() == {
        "username": "ada"
    }
    missing = client.post("/login", data={"username": "ada"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "password"]


def test_files_and_uploads() -> None:
    client = client_of("forms_files")
    assert client.post("/files", files={"file": ("a.txt", b"hello")}).json() == {"size": 5}
    photos = [("photos", ("a.jpg", b"12345")), ("photos", ("b.jpg", b"12"))]
    response = client.post("/photos", data={"album": "Holiday"}, files=photos)
    assert response.json() == {"album": "Holiday", "sizes": {"a.jpg": 5, "b.jpg": 2}}


# Errors -----------------------------------------------------------------------------------


def test_http_exception_keeps_the_temporal_headers() -> None:
    client = client_of("errors")
    found = client.get("/items/hammer")
    assert (found.json(), found.headers["x-checked"]) == ({"name": "hammer", "stock": 12}, "yes")
    missing = client.get("/items/saw")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No item 'saw'."}
    assert (missing.headers["x-error"], missing.headers["x-checked"]) == ("not-found", "yes")


def test_an_exception_handler_and_the_422_handler() -> None:
    client = client_of("errors")
    assert client.post("/orders/hammer", params={"quantity": 2}).json() == {
        "name": "hammer",
        "left": 10,
    }
    conflict = client.post("/orders/hammer", params={"quantity": 20})
    assert (conflict.status_code, conflict.json()) == (409, {"detail": "hammer is out of stock."})
    invalid = client.post("/orders/hammer", params={"quantity": "many"})
    assert invalid.status_code == 422
    assert invalid.json()["count"] == 1
    assert invalid.json()["detail"][0]["loc"] == ["query", "quantity"]


# Testing ----------------------------------------------------------------------------------


def test_the_testing_page_tests_pass() -> None:
    module = fresh("testing")
    module.test_greet()
    module.test_an_unknown_path_is_a_404()
    assert module.app.dependency_overrides == {}
    assert module.STATE == {}  # the lifespan's shutdown ran


# Deployment -------------------------------------------------------------------------------

OLD_KEY, NEW_KEY = "o" * 43, "n" * 43


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


def instance(monkeypatch: pytest.MonkeyPatch, redis_url: str, keys: str) -> TestClient:
    """One instance of the deployed app, as another process would start it."""
    monkeypatch.setenv("APP_KEYS", keys)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("ROOT_PATH", "/api")
    return TestClient(fresh("deployment").app, base_url="https://shop.example")


def test_instances_share_sessions_through_redis(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    with instance(monkeypatch, redis_url, OLD_KEY) as first:
        login = first.post("/login")
        assert login.json() == {"user": "ada"}
        line = login.headers["set-cookie"]
        assert line.startswith("session=")
        assert line.endswith("; Max-Age=1209600; Path=/; Secure; HttpOnly; SameSite=Lax")
        cookie = line.split(";")[0].split("=", 1)[1]
    with instance(monkeypatch, redis_url, OLD_KEY) as second:
        me = second.get("/me", headers={"Cookie": f"session={cookie}"})
        assert me.json() == {
            "user": "ada",
            "url": "https://shop.example/api/me",
            "client": "testclient",
        }


def test_a_rotated_key_ring_keeps_users_logged_in(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    with instance(monkeypatch, redis_url, OLD_KEY) as before:
        old_cookie = before.post("/login").cookies["session"]
    with instance(monkeypatch, redis_url, f"{NEW_KEY},{OLD_KEY}") as updated:
        sealed_new = updated.post("/login").cookies["session"]
    with instance(monkeypatch, redis_url, f"{OLD_KEY},{NEW_KEY}") as step_one:
        # a rolling deploy: an instance not yet updated opens what an updated one sealed
        assert (
            step_one.get("/me", headers={"Cookie": f"session={sealed_new}"}).json()["user"] == "ada"
        )
    with instance(monkeypatch, redis_url, f"{NEW_KEY},{OLD_KEY}") as rotating:
        me = rotating.get("/me", headers={"Cookie": f"session={old_cookie}"})
        assert me.json()["user"] == "ada"
        new_cookie = me.cookies["session"]  # re-issued under the new key
        assert new_cookie != old_cookie
    with instance(monkeypatch, redis_url, NEW_KEY) as after:
        assert after.get("/me", headers={"Cookie": f"session={new_cookie}"}).json()["user"] == "ada"
        assert after.get("/me", headers={"Cookie": f"session={old_cookie}"}).json()["user"] is None


PROXIED = {"Host": "shop.example", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
APP = "examples.tutorial.deployment:app"
SERVERS = {
    # the deployment page's commands; `{port}` is filled in
    "transom run": ([sys.executable, "-m", "transom", "run", APP, "--workers", "2"], {}),
    "transom run --root-path": (
        [
            *(sys.executable, "-m", "transom", "run", APP, "--workers", "2"),
            *("--forwarded-allow-ips", "127.0.0.1", "--root-path", "/api"),
        ],
        {"ROOT_PATH": ""},
    ),
    "uvicorn": (
        [
            *(sys.executable, "-m", "uvicorn", APP, "--workers", "2", "--proxy-headers"),
            *("--forwarded-allow-ips", "127.0.0.1", "--root-path", "/api"),
        ],
        {"ROOT_PATH": ""},
    ),
    "an untrusted proxy": (
        [sys.executable, "-m", "transom", "run", APP, "--forwarded-allow-ips", "192.0.2.1"],
        {},
    ),
}


@pytest.mark.parametrize("server", SERVERS)
def test_served_behind_a_proxy(redis_url: str, server: str) -> None:
    """Two workers, one Redis, the proxy's headers trusted (or not) as the page says."""
    command, extra = SERVERS[server]
    port = free_port()
    env = {**os.environ, "APP_KEYS": NEW_KEY, "REDIS_URL": redis_url, "ROOT_PATH": "/api"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")])
    env.update(extra)
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    trusted = server != "an untrusted proxy"
    expected = {
        "user": "ada",
        "url": "https://shop.example/api/me" if trusted else "http://shop.example/api/me",
        "client": "203.0.113.7" if trusted else "127.0.0.1",
    }
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=PROXIED) as client:
            wait_for_port(port, process, server)
            cookie = client.post("/login").cookies["session"]
            for _ in range(6):  # answered by either worker: the session is in Redis
                assert client.get("/me", headers={"Cookie": f"session={cookie}"}).json() == expected
    finally:
        process.terminate()
        process.wait(timeout=20)
