"""The README's example app (a small notes API), driven through TestClient."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import examples.app as example
import httpx
import pytest

from tests._servers import free_port, wait_for_port
from transom import Keyring, Response, Transom
from transom.testclient import TestClient

DELETED = "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
#: Taken at collection, before any test can have added a note to the module's store.
PRISTINE_NOTES = copy.deepcopy(example.NOTES)


def visits_cookie(count: int) -> str:
    return f"visits={count}; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client of the example app with fresh in-memory data for each test."""
    monkeypatch.setattr(example, "NOTES", copy.deepcopy(PRISTINE_NOTES))
    with TestClient(example.app) as test_client:
        yield test_client


def log_in(client: TestClient, user: str = "ada") -> None:
    assert client.post("/login", json={"user": user}).status_code == 201


def test_list_notes_filters_secrets_and_counts(client: TestClient) -> None:
    response = client.get("/notes")
    assert response.status_code == 200
    assert response.json() == [
        {"id": 1, "owner": "ada", "text": "Analytical engine notes"},
        {"id": 2, "owner": "ada", "text": "Bernoulli numbers"},
        {"id": 3, "owner": "grace", "text": "COBOL draft"},
    ]
    assert b"secret" not in response.content
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["x-total-count"] == "3"
    assert response.headers["x-served-by"] == "transom-example"
    assert response.headers.get_list("set-cookie") == [visits_cookie(1)]


def test_list_notes_paginates(client: TestClient) -> None:
    response = client.get("/notes", params={"offset": 1, "limit": 1})
    assert response.json() == [{"id": 2, "owner": "ada", "text": "Bernoulli numbers"}]
    assert response.headers["x-total-count"] == "3"


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("limit=0", ["query", "limit"]),
        ("limit=101", ["query", "limit"]),
        ("offset=-1", ["query", "offset"]),
    ],
)
def test_bad_paging_is_a_422(client: TestClient, query: str, loc: list[str]) -> None:
    response = client.get(f"/notes?{query}")
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]


def test_visits_cookie_counts_requests(client: TestClient) -> None:
    client.get("/notes")
    response = client.get("/notes/1")
    assert response.headers.get_list("set-cookie") == [visits_cookie(2)]
    assert client.cookies["visits"] == "2"


def test_get_note(client: TestClient) -> None:
    response = client.get("/notes/3")
    assert response.status_code == 200
    assert response.json() == {"id": 3, "owner": "grace", "text": "COBOL draft"}


def test_missing_note_is_a_404_that_keeps_the_visits_cookie(client: TestClient) -> None:
    response = client.get("/notes/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "Note 99 does not exist."}
    assert response.headers.get_list("set-cookie") == [visits_cookie(1)]
    assert response.headers["x-served-by"] == "transom-example"


def test_me_requires_a_session(client: TestClient) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Log in first."}
    assert response.headers["www-authenticate"] == "Cookie"


def test_login_sets_a_session_cookie(client: TestClient) -> None:
    response = client.post("/login", json={"user": "ada"})
    assert response.status_code == 201
    assert response.json() == {"user": "ada", "visits": 1}
    session, visits = sorted(response.headers.get_list("set-cookie"))
    assert re.fullmatch(
        r"session=[A-Za-z0-9_-]{40,}; Max-Age=28800; Path=/; HttpOnly; SameSite=Lax", session
    )
    assert visits == visits_cookie(1)


def test_the_session_cookie_is_signed(client: TestClient) -> None:
    log_in(client, "grace")
    sealed = client.cookies["session"]
    tampered = sealed[:-2] + ("AA" if sealed[-2:] != "AA" else "BB")
    # Signed by another key ring (another deployment's key): not a session here.
    foreign = other_seal(Keyring(["another-deployment-key-0123456789abcdefghijkl"]), "grace")
    fresh = TestClient(example.app)  # an empty cookie jar: only the header below is sent
    for forged in (tampered, "grace", "", foreign):
        assert fresh.get("/me", headers={"cookie": f"session={forged}"}).status_code == 401
    me = fresh.get("/me", headers={"cookie": f"session={sealed}"})
    assert me.json() == {"user": "grace", "visits": 1}


def other_seal(keyring: Keyring, user: str) -> str:
    """The session cookie another app, with `keyring`, would set for `user`."""
    app = Transom(keyring=keyring)

    @app.get("/")
    def seal(response: Response) -> None:
        response.set_cookie("session", user, max_age=60, signed=True)

    with TestClient(app) as other:
        return other.get("/").cookies["session"]


@pytest.mark.parametrize("body", [{"user": "Ada!"}, {"user": ""}, {}, {"user": "a" * 41}])
def test_login_validates_the_body(client: TestClient, body: dict[str, str]) -> None:
    response = client.post("/login", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "user"]
    assert "session" not in client.cookies


def test_json_response_from_a_handler_still_gets_the_temporal_cookie(client: TestClient) -> None:
    log_in(client)
    response = client.get("/me")
    assert response.status_code == 200
    assert response.json() == {"user": "ada", "visits": 2}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-served-by"] == "transom-example"
    assert response.headers.get_list("set-cookie") == [visits_cookie(2)]


def test_create_note_points_at_it(client: TestClient) -> None:
    log_in(client, "grace")
    response = client.post("/notes", json={"text": "Nanoseconds"})
    assert response.status_code == 201
    assert response.headers["location"] == "/notes/4"
    assert response.json() == {"id": 4, "owner": "grace", "text": "Nanoseconds"}
    assert client.get("/notes/4").json() == response.json()
    assert client.get("/notes").headers["x-total-count"] == "4"


def test_create_note_requires_a_session(client: TestClient) -> None:
    response = client.post("/notes", json={"text": "x"})
    assert response.status_code == 401
    assert client.get("/notes").headers["x-total-count"] == "3"


def test_logout_deletes_the_session_cookie(client: TestClient) -> None:
    log_in(client)
    response = client.post("/logout")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-length" not in response.headers
    assert "content-type" not in response.headers
    assert response.headers.get_list("set-cookie") == [
        f"session=; {DELETED}; Path=/; HttpOnly; SameSite=Lax"
    ]
    assert client.get("/me").status_code == 401


def test_unknown_path_is_a_404(client: TestClient) -> None:
    assert client.get("/nope").status_code == 404


def test_example_works_without_lifespan() -> None:
    assert TestClient(example.app).get("/notes/1").status_code == 200


ROOT = Path(__file__).resolve().parents[1]


def test_a_session_works_on_every_worker_of_two() -> None:
    """Under `--workers 2` each request may reach either process: both accept the session."""
    port = free_port()
    command = [sys.executable, "-m", "transom", "run", "examples/app.py", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, server, "transom run --workers 2")
        answers = []
        for _ in range(20):
            # A new connection each time, so that both workers take requests.
            with httpx.Client(base_url=base, timeout=5) as browser:
                browser.post("/login", json={"user": "ada"})
                answers.append(browser.get("/me").status_code)
        assert answers == [200] * 20
    finally:
        server.terminate()
        _, err = server.communicate(timeout=15)
    assert err.count("Started server process") == 2, err
