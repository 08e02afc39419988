"""A body that is not JSON gets a bounded 422: its position and an excerpt, never itself."""

from typing import Any

import pytest
from pydantic import BaseModel

from transom import Body, Depends, HTTPException, Response, Transom
from transom.testclient import TestClient


class Item(BaseModel):
    name: str


def app() -> Transom:
    app = Transom(max_body_size=None)

    @app.post("/single")
    def single(items: list[Any]) -> int:
        return len(items)

    @app.post("/embedded")
    def embedded(item: Item, count: int = Body()) -> int:
        return count

    return app


@pytest.mark.parametrize("path", ["/single", "/embedded"])
def test_a_huge_broken_body_is_answered_in_a_few_hundred_bytes(path: str) -> None:
    body = b"\x01" * (1024 * 1024)
    r = TestClient(app()).post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert len(r.content) < 400
    [error] = r.json()["detail"]
    assert error["type"] == "json_invalid"
    assert error["loc"] == ["body", 0]
    assert error["input"] == {}
    assert error["ctx"]["excerpt"] == "\x01" * 20


@pytest.mark.parametrize("path", ["/single", "/embedded"])
def test_the_error_points_at_the_byte_where_decoding_failed(path: str) -> None:
    body = b'{"item": {"name": "a"},\n "count": nope}'
    r = TestClient(app()).post(path, content=body, headers={"content-type": "application/json"})
    [error] = r.json()["detail"]
    offset = body.index(b"ope")  # "n" may still start `null`: decoding fails at "o"
    assert error["loc"] == ["body", offset]
    assert error["msg"] == "JSON decode error"
    assert error["ctx"]["excerpt"] == body[offset - 20 : offset + 20].decode()
    assert "line 2 column" in error["ctx"]["error"]


def unreadable_body_app(calls: list[str]) -> Transom:
    """A handler whose body is an `Item`, behind a dependency that shapes the response."""
    app = Transom()

    def shaping(response: Response) -> None:
        calls.append("shaping")
        response.set_cookie("seen", "1")
        response.headers["x-shaped"] = "1"

    def guard() -> None:
        calls.append("guard")
        raise HTTPException(401, "no credentials")

    @app.post("/items", dependencies=[Depends(shaping)])
    def create(item: Item) -> Item:
        return item

    @app.post("/guarded", dependencies=[Depends(guard)])
    def guarded(item: Item) -> Item:
        return item

    return app


UNREADABLE = {
    "wrong content type": ({"content-type": "text/plain"}, b'{"name": "a"}', "content_type"),
    "no content type": ({}, b'{"name": "a"}', "content_type"),
    "not JSON": ({"content-type": "application/json"}, b'{"name": ', "json_invalid"),
}


@pytest.mark.parametrize(
    ("headers", "body", "kind"), list(UNREADABLE.values()), ids=list(UNREADABLE)
)
def test_both_kinds_of_unreadable_body_are_refused_before_any_dependency(
    headers: dict[str, str], body: bytes, kind: str
) -> None:
    calls: list[str] = []
    client = TestClient(unreadable_body_app(calls))
    r = client.post("/items", content=body, headers=headers)
    assert r.status_code == 422
    assert [error["type"] for error in r.json()["detail"]] == [kind]
    assert calls == []
    assert "set-cookie" not in r.headers
    assert "x-shaped" not in r.headers
    # Not even a dependency that would refuse the request runs: the body is read first.
    r = client.post("/guarded", content=body, headers=headers)
    assert (r.status_code, calls) == (422, [])


def test_a_readable_but_invalid_body_runs_the_dependencies_as_fastapi_does() -> None:
    calls: list[str] = []
    client = TestClient(unreadable_body_app(calls))
    r = client.post("/items", json={"name": 1})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "string_type"
    assert calls == ["shaping"]
    r = client.post("/guarded", json={"name": 1})
    assert r.status_code == 401
