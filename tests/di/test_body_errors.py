"""A body that is not JSON gets a bounded 422: its position and an excerpt, never itself."""

from typing import Any

import pytest
from pydantic import BaseModel

from transom import Body, Transom
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
