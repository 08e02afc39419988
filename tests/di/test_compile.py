"""The compiled plan runner: the same answers as the generic solver, on every path.

Each route's plan runs as one generated function; at the first invalid step it
hands over to the generic solver with the results so far. These tests pin what
a client sees around that handover: which steps ran (once), which errors are
reported, and that unusual names cannot break the generated code.
"""

from typing import Annotated, Any

from pydantic import BaseModel

from transom import (
    Body,
    Cookie,
    Depends,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
    Transom,
)
from transom.testclient import TestClient


def chain_app(calls: list[str]) -> Transom:
    """first -> second(n) -> needs_second; independent; handler(limit)."""

    async def first(response: Response) -> str:
        calls.append("first")
        response.headers["x-first"] = "ran"
        return "one"

    async def second(n: Annotated[int, Query()]) -> int:
        calls.append("second")
        return n

    async def needs_second(value: Annotated[int, Depends(second)]) -> int:
        calls.append("needs_second")
        return value * 10

    def independent(request: Request) -> str:  # sync: run in a worker thread
        calls.append("independent")
        return request.url.path

    async def handler(
        a: Annotated[str, Depends(first)],
        b: Annotated[int, Depends(needs_second)],
        c: Annotated[str, Depends(independent)],
        limit: Annotated[int, Query()],
    ) -> dict[str, Any]:
        calls.append("handler")
        return {"a": a, "b": b, "c": c, "limit": limit}

    app = Transom()
    app.get("/chain")(handler)
    return app


def test_valid_request_runs_every_step_once_in_order() -> None:
    calls: list[str] = []
    r = TestClient(chain_app(calls)).get("/chain", params={"n": "4", "limit": "2"})
    assert r.json() == {"a": "one", "b": 40, "c": "/chain", "limit": 2}
    assert r.headers["x-first"] == "ran"
    assert calls == ["first", "second", "needs_second", "independent", "handler"]


def test_invalid_step_skips_its_dependents_but_not_independent_steps() -> None:
    calls: list[str] = []
    r = TestClient(chain_app(calls)).get("/chain", params={"n": "x", "limit": "y"})
    assert r.status_code == 422
    assert [error["loc"] for error in r.json()["detail"]] == [["query", "n"], ["query", "limit"]]
    # `first` ran before the invalid step, exactly once; `independent` does not
    # need it and still ran; neither `needs_second` nor the handler did.
    assert calls == ["first", "independent"]


def test_invalid_handler_parameter_after_valid_dependencies() -> None:
    calls: list[str] = []
    r = TestClient(chain_app(calls)).get("/chain", params={"n": "1", "limit": "y"})
    assert r.status_code == 422
    assert [error["loc"] for error in r.json()["detail"]] == [["query", "limit"]]
    assert calls == ["first", "second", "needs_second", "independent"]


def test_dependency_error_wins_over_later_invalid_parameters() -> None:
    async def auth(token: Annotated[str | None, Header()] = None) -> str:
        if token != "secret":
            raise HTTPException(401, "Not authenticated")
        return token

    app = Transom()

    @app.get("/private")
    async def private(user: Annotated[str, Depends(auth)], page: int) -> int:
        return page

    client = TestClient(app)
    assert client.get("/private", params={"page": "x"}).status_code == 401
    r = client.get("/private", params={"page": "x"}, headers={"token": "secret"})
    assert r.status_code == 422
    assert client.get("/private", params={"page": "3"}, headers={"token": "secret"}).json() == 3


class Note(BaseModel):
    text: str


def test_body_step_handover_runs_earlier_dependencies_once() -> None:
    calls: list[str] = []

    async def tracked() -> str:
        calls.append("tracked")
        return "t"

    app = Transom()

    @app.post("/notes")
    async def create(t: Annotated[str, Depends(tracked)], note: Note, draft: bool = False) -> Any:
        calls.append("create")
        return {"t": t, "text": note.text, "draft": draft}

    client = TestClient(app)
    r = client.post("/notes", json={"text": 5}, params={"draft": "maybe"})
    assert r.status_code == 422
    locs = [error["loc"] for error in r.json()["detail"]]
    assert locs == [["query", "draft"], ["body", "text"]]
    assert calls == ["tracked"]
    r = client.post("/notes", json={"text": "hi"}, params={"draft": "true"})
    assert r.json() == {"t": "t", "text": "hi", "draft": True}
    assert calls == ["tracked", "tracked", "create"]


def test_embedded_body_invalid_json_is_reported_once() -> None:
    app = Transom()

    @app.post("/pair")
    async def pair(a: Annotated[int, Body()], b: Annotated[int, Body()]) -> int:
        return a + b

    client = TestClient(app)
    r = client.post("/pair", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert [error["type"] for error in r.json()["detail"]] == ["json_invalid"]
    assert client.post("/pair", json={"a": 1, "b": 2}).json() == 3


def test_names_with_quotes_and_backslashes_are_read_literally() -> None:
    app = Transom()

    @app.get("/odd/{item}")
    async def odd(
        item: str,
        q: Annotated[str, Query(alias='it\'s "q" \\')],
        tags: Annotated[list[str], Query(alias="t'ag")],
        h: Annotated[str, Header(alias="x-it's")],
        hs: Annotated[list[str], Header(alias="x-multi")],
        c: Annotated[str, Cookie(alias="c'k")],
    ) -> dict[str, Any]:
        return {"item": item, "q": q, "tags": tags, "h": h, "hs": hs, "c": c}

    client = TestClient(app)
    r = client.get(
        "/odd/7",
        params=[('it\'s "q" \\', "v"), ("t'ag", "a"), ("t'ag", "b")],
        headers=[("x-it's", "h"), ("x-multi", "1"), ("x-multi", "2"), ("cookie", "c'k=cv")],
    )
    assert r.json() == {
        "item": "7",
        "q": "v",
        "tags": ["a", "b"],
        "h": "h",
        "hs": ["1", "2"],
        "c": "cv",
    }
    r = client.get("/odd/7")
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [
        ["query", 'it\'s "q" \\'],
        ["query", "t'ag"],
        ["header", "x-it's"],
        ["header", "x-multi"],
        ["cookie", "c'k"],
    ]
