"""The compiled plan runner: what a client sees on every path, valid or not.

Each route's plan runs as one generated function; at the first invalid step it
hands over to `collect_errors` with the results so far. These tests pin what
a client sees around that handover: which steps ran (once), which errors are
reported, and that unusual names cannot break the generated code. They also
pin the generated source of a few plan shapes, so that a change to code
generation shows as a diff here, and that tracebacks through it stay readable.
"""

import inspect
import linecache
import traceback
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from pydantic import AfterValidator, BaseModel

from transom import (
    BackgroundTasks,
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
from transom.di.compile import Runner, compile_plan
from transom.di.plan import build_plan
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


# The generated source ---------------------------------------------------------------------


def compiled(handler: Callable[..., Any], label: str, path: frozenset[str] = frozenset()) -> Runner:
    plan = build_plan(handler, label=label, path_params=path, dependencies=[], overrides={})
    return compile_plan(plan)


async def read_item(item_id: int) -> int:
    return item_id


async def session(sid: Annotated[str, Cookie()]) -> str:
    return sid


async def current_user(
    sid: Annotated[str, Depends(session)], x_token: Annotated[str, Header()], response: Response
) -> str:
    return sid


async def search(
    user: Annotated[str, Depends(current_user)],
    tags: Annotated[list[str], Query()],
    limit: int = 10,
) -> Any:
    return user


async def create_note(note: Note, tasks: BackgroundTasks) -> Any:
    return note


PATH_ONLY = """\
async def run(request, temporal, ctx):
    scope = request.scope
    data = scope['path_params']
    try:
        kwargs = validate_0(data)
    except ValidationError:
        await collect_errors(plan, Context(request, temporal, None), [None], 0)
    result = await call_0(**kwargs)
    if result.__class__ is CoroutineType:
        missing_await(step_0, result, handler=True)
    return result
"""

DEPENDENCY_CHAIN = """\
async def run(request, temporal, ctx):
    scope = request.scope
    query = request.query_params
    cookies = request.cookies
    data = {}
    value = cookies.get('sid')
    if value is not None:
        data['sid'] = value
    try:
        kwargs = validate_0(data)
    except ValidationError:
        await collect_errors(plan, Context(request, temporal, None), [None, None, None], 0)
    r0 = await call_0(**kwargs)
    if r0.__class__ is CoroutineType:
        missing_await(step_0, r0, handler=False)
    data = {}
    value = None
    for k, v in scope['headers']:
        if k == b'x-token':
            value = v.decode('latin-1')
            break
    if value is not None:
        data['x_token'] = value
    try:
        kwargs = validate_1(data)
    except ValidationError:
        await collect_errors(plan, Context(request, temporal, None), [r0, None, None], 1)
    kwargs['sid'] = r0
    kwargs['response'] = temporal
    r1 = await call_1(**kwargs)
    if r1.__class__ is CoroutineType:
        missing_await(step_1, r1, handler=False)
    data = {}
    value = query.getlist('tags')
    if value:
        data['tags'] = value
    value = query.get('limit')
    if value is not None:
        data['limit'] = value
    try:
        kwargs = validate_2(data)
    except ValidationError:
        await collect_errors(plan, Context(request, temporal, None), [r0, r1, None], 2)
    kwargs['user'] = r1
    result = await call_2(**kwargs)
    if result.__class__ is CoroutineType:
        missing_await(step_2, result, handler=True)
    return result
"""

JSON_BODY = """\
async def run(request, temporal, ctx):
    await read_body(ctx)
    kwargs, body_errors = body_values(step_0, plan, ctx)
    if body_errors:
        await collect_errors(plan, ctx, [None], 0)
    kwargs['tasks'] = ctx.background
    result = await call_0(**kwargs)
    if result.__class__ is CoroutineType:
        missing_await(step_0, result, handler=True)
    return result
"""


@pytest.mark.parametrize(
    ("handler", "label", "path", "source"),
    [
        (read_item, "route GET /golden/{item_id}", frozenset({"item_id"}), PATH_ONLY),
        (search, "route GET /golden/search", frozenset(), DEPENDENCY_CHAIN),
        (create_note, "route POST /golden/notes", frozenset(), JSON_BODY),
    ],
    ids=["path-only", "cookie-header-query-chain-with-temporal", "json-body-with-background"],
)
def test_generated_source_of_each_plan_shape(
    handler: Callable[..., Any], label: str, path: frozenset[str], source: str
) -> None:
    runner = compiled(handler, label, path)
    assert inspect.getsource(runner) == source
    # The source `linecache` holds is what a traceback shows, and it survives a
    # cache check (there is no file on disk to compare with).
    linecache.checkcache()
    filename = runner.__code__.co_filename
    assert filename == f"<transom plan: {label}>"
    assert "".join(linecache.getlines(filename)) == source


def test_runner_is_named_for_its_route_and_the_handler_module() -> None:
    runner = compiled(read_item, "route GET /named/{item_id}", frozenset({"item_id"}))
    assert runner.__qualname__ == "run of route GET /named/{item_id}"
    assert runner.__name__ == "run"
    assert runner.__module__ == __name__


def test_routes_of_one_label_get_their_own_filename_when_their_source_differs() -> None:
    async def other(item_id: str, q: int) -> str:
        return item_id

    label = "route GET /shared/{item_id}"
    first = compiled(read_item, label, frozenset({"item_id"}))
    again = compiled(read_item, label, frozenset({"item_id"}))
    second = compiled(other, label, frozenset({"item_id"}))
    assert first.__code__.co_filename == again.__code__.co_filename == f"<transom plan: {label}>"
    assert second.__code__.co_filename == f"<transom plan: {label} #2>"
    assert "q" in inspect.getsource(second)
    assert inspect.getsource(first) == PATH_ONLY


def test_traceback_through_a_dependency_shows_the_route_and_the_line() -> None:
    async def broken() -> int:
        raise RuntimeError("the database is down")

    app = Transom()

    @app.get("/broken/{item_id}")
    async def read(item_id: int, value: Annotated[int, Depends(broken)]) -> int:
        return value

    with pytest.raises(RuntimeError) as caught:
        TestClient(app).get("/broken/1")
    text = "".join(traceback.format_exception(caught.value))
    assert 'File "<transom plan: route GET /broken/{item_id}>", line 3, in run\n' in text
    assert "\n    r0 = await call_0()\n" in text


def test_traceback_from_the_runner_itself_shows_the_line() -> None:
    def explode(value: int) -> int:
        raise LookupError(f"no such page {value}")  # not a ValueError: pydantic lets it through

    app = Transom()

    @app.get("/pages")
    async def pages(page: Annotated[int, AfterValidator(explode)]) -> int:
        return page

    with pytest.raises(LookupError) as caught:
        TestClient(app).get("/pages", params={"page": "2"})
    text = "".join(traceback.format_exception(caught.value))
    assert 'File "<transom plan: route GET /pages>", line 8, in run\n' in text
    assert "\n    kwargs = validate_0(data)\n" in text


def test_independent_dependency_still_runs_after_an_invalid_step_and_its_error_wins() -> None:
    calls: list[str] = []

    async def paging(page: Annotated[int, Query()]) -> int:
        calls.append("paging")
        return page

    async def auth(token: Annotated[str | None, Header()] = None) -> str:
        calls.append("auth")
        if token != "secret":
            raise HTTPException(401, "Not authenticated")
        return token

    app = Transom()

    @app.get("/listing")
    async def listing(
        page: Annotated[int, Depends(paging)], user: Annotated[str, Depends(auth)]
    ) -> int:
        calls.append("listing")
        return page

    client = TestClient(app)
    # `paging` is invalid; `auth` does not need it, runs, and its 401 wins over the 422.
    assert client.get("/listing", params={"page": "x"}).status_code == 401
    assert calls == ["auth"]
    r = client.get("/listing", params={"page": "x"}, headers={"token": "secret"})
    assert r.status_code == 422
    assert [error["loc"] for error in r.json()["detail"]] == [["query", "page"]]
    assert calls == ["auth", "auth"]
