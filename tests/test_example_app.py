"""The README's example app behaves as its docstrings say."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from examples.app import app

from transom.testclient import TestClient


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def test_list_sends_total_count_and_filters_secret(client: TestClient) -> None:
    response = client.get("/notes", params={"limit": 2})
    assert response.status_code == 200
    assert response.headers["x-total-count"] == str(len(response.json()) + 1)
    assert all(set(note) == {"id", "owner", "text"} for note in response.json())
    assert response.headers.get_list("set-cookie") == [
        "visits=1; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"
    ]


def test_login_sets_session_and_visits_cookies_from_dependency(client: TestClient) -> None:
    response = client.post("/login", json={"user": "ada"})
    assert response.status_code == 201
    assert response.json() == {"user": "ada", "visits": 1}
    cookies = response.headers.get_list("set-cookie")
    assert cookies[0] == "visits=1; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"
    assert cookies[1].startswith("session=")
    assert cookies[1].endswith("; Path=/; HttpOnly; SameSite=Lax")


def test_returned_json_response_keeps_temporal_cookie(client: TestClient) -> None:
    client.post("/login", json={"user": "grace"})
    response = client.get("/me")
    assert response.json() == {"user": "grace", "visits": 2}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-served-by"] == "transom-example"
    assert response.headers.get_list("set-cookie") == [
        "visits=2; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"
    ]


def test_missing_note_404_keeps_the_visits_cookie(client: TestClient) -> None:
    response = client.get("/notes/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Note 999 does not exist."}
    assert response.headers.get_list("set-cookie") == [
        "visits=1; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"
    ]


def test_logout_is_204_and_deletes_the_session_cookie(client: TestClient) -> None:
    client.post("/login", json={"user": "ada"})
    response = client.post("/logout")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert response.headers.get_list("set-cookie") == [
        "session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax"
    ]
    assert client.get("/me").status_code == 401


def test_create_note_needs_login_and_sets_location(client: TestClient) -> None:
    denied = client.post("/notes", json={"text": "x"})
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"] == "Cookie"
    client.post("/login", json={"user": "ada"})
    created = client.post("/notes", json={"text": "hello"})
    assert created.status_code == 201
    assert created.headers["location"] == f"/notes/{created.json()['id']}"


def test_bad_page_size_is_422_naming_the_parameter(client: TestClient) -> None:
    response = client.get("/notes", params={"limit": 0})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "limit"]
    assert error["type"] == "greater_than_equal"
