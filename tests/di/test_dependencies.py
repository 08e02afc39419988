"""Dependency injection: call modes, generators, caching, overrides, threads, declaration errors."""

import functools
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any, cast

import pytest
from pydantic import BaseModel

from transom import APIRouter, DeclarationError, Depends, HTTPException, Path, Query, Transom
from transom.testclient import TestClient


def serve(handler: Any, path: str = "/", **options: Any) -> TestClient:
    app = Transom()
    app.add_api_route(path, handler, methods=["GET"], **options)
    return TestClient(app)


# Call modes ------------------------------------------------------------------------------


def test_sync_and_async_dependencies_with_their_own_params() -> None:
    def sync_dep(a: int) -> int:
        return a * 10

    async def async_dep(b: int = 2) -> int:
        return b * 100

    def handler(x: Annotated[int, Depends(sync_dep)], y: int = Depends(async_dep)) -> int:
        return x + y

    c = serve(handler)
    assert c.get("/", params={"a": 1}).json() == 210
    assert c.get("/", params={"a": 1, "b": 3}).json() == 310
    r = c.get("/")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "a"]


class Paging:
    def __init__(self, skip: int = 0, limit: int = 10) -> None:
        self.skip = skip
        self.limit = limit


def test_classes_as_dependencies() -> None:
    def handler(
        explicit: Annotated[Paging, Depends(Paging)], shortcut: Annotated[Paging, Depends()]
    ) -> list[int]:
        assert explicit is shortcut, "the same class is cached per request"
        return [explicit.skip, explicit.limit]

    assert serve(handler).get("/", params={"skip": 5}).json() == [5, 10]


def test_callable_instance_as_dependency() -> None:
    class Checker:
        def __init__(self, word: str) -> None:
            self.word = word

        def __call__(self, q: str = "") -> bool:
            return self.word in q

    def handler(found: Annotated[bool, Depends(Checker("bar"))]) -> bool:
        return found

    c = serve(handler)
    assert c.get("/", params={"q": "foobar"}).json() is True
    assert c.get("/", params={"q": "foo"}).json() is False


def logged(func: Callable[..., Any]) -> Callable[..., Any]:
    """A plain sync decorator: it hands on whatever `func` returns (a coroutine, a generator)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def test_a_wrapped_async_dependency_and_handler_are_awaited() -> None:
    @logged
    async def user(name: str = "ann") -> str:
        return name.upper()

    @logged
    async def handler(who: Annotated[str, Depends(user)]) -> dict[str, str]:
        return {"user": who}

    r = serve(handler).get("/", params={"name": "bob"})
    assert (r.status_code, r.content) == (200, b'{"user":"BOB"}')


def test_wrapped_generator_dependencies_are_entered_and_torn_down() -> None:
    events: list[str] = []

    @logged
    def session() -> Iterator[str]:
        events.append("open sync")
        yield "sync"
        events.append("close sync")

    @logged
    async def connection() -> AsyncIterator[str]:
        events.append("open async")
        yield "async"
        events.append("close async")

    class Pool:
        @logged
        def __call__(self, size: int = 1) -> Iterator[int]:
            yield size
            events.append("close pool")

    def handler(
        a: Annotated[str, Depends(session)],
        b: Annotated[str, Depends(connection)],
        c: Annotated[int, Depends(functools.partial(Pool(), size=3))],
    ) -> list[Any]:
        return [a, b, c]

    r = serve(handler).get("/")
    assert (r.status_code, r.content) == (200, b'["sync","async",3]')
    assert events == ["open sync", "open async", "close pool", "close async", "close sync"]


def test_dependency_raising_http_exception() -> None:
    def auth(token: str | None = None) -> str:
        if token != "secret":
            raise HTTPException(401, "bad token", headers={"WWW-Authenticate": "Bearer"})
        return "user"

    def handler(user: Annotated[str, Depends(auth)]) -> str:
        return user

    c = serve(handler)
    assert c.get("/", params={"token": "secret"}).json() == "user"
    r = c.get("/")
    assert (r.status_code, r.json()) == (401, {"detail": "bad token"})
    assert r.headers["www-authenticate"] == "Bearer"


# Generators ------------------------------------------------------------------------------


def test_generator_teardown_order_sync_and_async() -> None:
    log: list[str] = []

    def outer() -> Iterator[str]:
        log.append("outer setup")
        yield "outer"
        log.append("outer teardown")

    async def inner(o: Annotated[str, Depends(outer)]) -> AsyncIterator[str]:
        log.append("inner setup")
        yield o + "+inner"
        log.append("inner teardown")

    def handler(value: Annotated[str, Depends(inner)]) -> str:
        log.append("handler")
        return value

    assert serve(handler).get("/").json() == "outer+inner"
    assert log == ["outer setup", "inner setup", "handler", "inner teardown", "outer teardown"]


@pytest.mark.parametrize("scope", ["request", "function"])
def test_generator_sees_the_handler_exception(scope: Any) -> None:
    seen: list[str] = []

    async def session() -> AsyncIterator[str]:
        try:
            yield "db"
        except HTTPException as exc:
            seen.append(f"rollback {exc.status_code}")
            raise
        else:
            seen.append("commit")

    def handler(db: Annotated[str, Depends(session, scope=scope)], fail: bool = False) -> str:
        if fail:
            raise HTTPException(409, "conflict")
        return db

    c = serve(handler)
    assert c.get("/").json() == "db"
    r = c.get("/", params={"fail": "true"})
    assert (r.status_code, r.json()) == (409, {"detail": "conflict"})
    assert seen == ["commit", "rollback 409"]


# Graphs and caching ----------------------------------------------------------------------


def test_diamond_graph_calls_shared_dependency_once() -> None:
    calls: list[str] = []

    def base() -> int:
        calls.append("base")
        return 1

    def left(b: Annotated[int, Depends(base)]) -> int:
        calls.append("left")
        return b + 10

    def right(b: Annotated[int, Depends(base)]) -> int:
        calls.append("right")
        return b + 100

    def handler(
        lhs: Annotated[int, Depends(left)],
        rhs: Annotated[int, Depends(right)],
        b: int = Depends(base),
    ) -> int:
        return lhs + rhs + b

    c = serve(handler)
    assert c.get("/").json() == 113
    assert calls == ["base", "left", "right"]
    c.get("/")
    assert calls.count("base") == 2, "cached per request, not across requests"


def test_use_cache_false_calls_again() -> None:
    counter: list[int] = []

    def count() -> int:
        counter.append(1)
        return len(counter)

    def handler(
        a: Annotated[int, Depends(count)],
        b: Annotated[int, Depends(count)],
        c: Annotated[int, Depends(count, use_cache=False)],
    ) -> list[int]:
        return [a, b, c]

    assert serve(handler).get("/").json() == [1, 1, 2]


def test_route_router_and_app_dependencies_run_in_order() -> None:
    calls: list[str] = []

    def named(name: str) -> Any:
        def dependency() -> None:
            calls.append(name)

        return Depends(dependency)

    def check(x_key: Annotated[str | None, Query()] = None) -> None:
        if x_key != "ok":
            raise HTTPException(403)

    app = Transom(dependencies=[named("app")])
    router = APIRouter(dependencies=[named("router"), Depends(check)])

    @router.get("/", dependencies=[named("route")])
    def handler() -> str:
        calls.append("handler")
        return "done"

    app.include_router(router)
    c = TestClient(app)
    assert c.get("/", params={"x_key": "ok"}).json() == "done"
    assert calls == ["app", "router", "route", "handler"]
    assert c.get("/").status_code == 403


class Note(BaseModel):
    text: str


def test_body_schema_lists_the_handler_first_and_errors_come_in_call_order() -> None:
    def route_note(first: Note) -> None:
        return None

    def param_note(second: Note) -> Note:
        return second

    app = Transom()

    @app.post("/notes", dependencies=[Depends(route_note)])
    def notes(own: Note, second: Annotated[Note, Depends(param_note)]) -> int:
        return 1

    client = TestClient(app)
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Body_notes_notes_post"]
    assert schema["required"] == ["own", "first", "second"]
    r = client.post("/notes", json={})
    assert r.status_code == 422
    assert [error["loc"] for error in r.json()["detail"]] == [
        ["body", "first"],
        ["body", "second"],
        ["body", "own"],
    ]


# Overrides -------------------------------------------------------------------------------


def real_db() -> str:
    return "real"


def test_dependency_overrides_take_effect_and_removal_restores() -> None:
    def repo(db: Annotated[str, Depends(real_db)]) -> str:
        return f"repo({db})"

    app = Transom()

    @app.get("/")
    def handler(value: Annotated[str, Depends(repo)]) -> str:
        return value

    c = TestClient(app)
    assert c.get("/").json() == "repo(real)"

    def fake_db(name: str = "fake") -> str:
        return name

    app.dependency_overrides[real_db] = fake_db
    assert c.get("/").json() == "repo(fake)"
    assert c.get("/", params={"name": "other"}).json() == "repo(other)"
    del app.dependency_overrides[real_db]
    assert c.get("/").json() == "repo(real)"
    app.dependency_overrides[real_db] = fake_db
    app.dependency_overrides.clear()
    assert c.get("/").json() == "repo(real)"


def test_dependency_overrides_apply_to_included_routers() -> None:
    router = APIRouter(prefix="/r")

    @router.get("/")
    def handler(db: Annotated[str, Depends(real_db)]) -> str:
        return db

    app = Transom()
    app.include_router(router)
    app.dependency_overrides[real_db] = lambda: "override"
    assert TestClient(app).get("/r/").json() == "override"


def test_dependency_overrides_reassigned_as_in_fastapi_docs() -> None:
    app = Transom()

    @app.get("/")
    def handler(db: Annotated[str, Depends(real_db)]) -> str:
        return db

    c = TestClient(app)
    app.dependency_overrides = {real_db: lambda: "override"}
    assert c.get("/").json() == "override"
    app.dependency_overrides = {}
    assert c.get("/").json() == "real"


# Threads ---------------------------------------------------------------------------------


def test_sync_handler_and_dependencies_run_in_worker_threads() -> None:
    idents: dict[str, int] = {}

    async def on_loop() -> None:
        idents["loop"] = threading.get_ident()

    def sync_dep() -> None:
        idents["sync dep"] = threading.get_ident()

    def handler(_: None = Depends(on_loop), __: None = Depends(sync_dep)) -> None:
        idents["handler"] = threading.get_ident()

    serve(handler).get("/")
    assert idents["handler"] != idents["loop"]
    assert idents["sync dep"] != idents["loop"]
    assert idents["loop"] != threading.get_ident()


def test_async_handler_runs_on_the_event_loop_thread() -> None:
    seen: list[int] = []

    async def on_loop() -> None:
        seen.append(threading.get_ident())

    async def handler(_: None = Depends(on_loop)) -> bool:
        return threading.get_ident() == seen[0]

    assert serve(handler).get("/").json() is True


# Declaration errors ----------------------------------------------------------------------


class Model(BaseModel):
    x: int


def test_query_param_of_unreadable_type_names_route_and_chain() -> None:
    # A model is a parameter model (its fields are the parameters); a dict is unreadable.
    def inner(q: Annotated[dict[str, int], Query()]) -> int:
        return len(q)

    def outer(v: Annotated[int, Depends(inner)]) -> int:
        return v

    app = Transom()
    with pytest.raises(DeclarationError) as info:

        @app.get("/things")
        def handler(v: Annotated[int, Depends(outer)]) -> int:
            return v

    message = str(info.value)
    assert "route GET /things" in message
    assert "outer -> " in message
    assert "inner" in message
    assert "'q'" in message
    assert "Query" in message


def test_path_marker_not_in_path_is_a_declaration_error() -> None:
    def handler(item_id: int = Path()) -> int:
        return item_id

    with pytest.raises(DeclarationError, match=r"route GET /items: .*'item_id'.*Path\(\)"):
        serve(handler, "/items")


def test_path_without_leading_slash_is_a_value_error() -> None:
    app = Transom()
    with pytest.raises(ValueError, match="must start with '/'"):

        @app.get("items")
        def handler() -> None: ...


@pytest.mark.parametrize(
    "handler",
    [
        pytest.param(lambda *args: None, id="varargs"),
        pytest.param(lambda x=Depends(cast(Any, "text")): x, id="not-callable"),  # noqa: B008
        pytest.param(lambda x=Depends(): x, id="depends-without-callable"),  # noqa: B008
    ],
)
def test_other_declaration_errors(handler: Any) -> None:
    with pytest.raises(DeclarationError, match="route GET /"):
        serve(handler)


def test_marker_twice_is_a_declaration_error() -> None:
    def handler(q: Annotated[str, Query()] = Query("x")) -> str:
        return q

    with pytest.raises(DeclarationError) as excinfo:
        serve(handler)
    assert str(excinfo.value).endswith(
        "Cannot specify `Query` in `Annotated` and default value together for 'q'; use one of them."
    )

    def handler_with_depends(q: Annotated[str, Query()] = Depends(lambda: "x")) -> str:
        return q  # pragma: no cover

    with pytest.raises(DeclarationError) as excinfo:
        serve(handler_with_depends)
    assert str(excinfo.value).endswith(
        "Cannot specify `Query` in `Annotated` and `Depends` as a default value together "
        "for 'q'; use one of them."
    )


def cycle_a(x: "Annotated[None, Depends(cycle_b)]") -> None: ...


def cycle_b(y: Annotated[None, Depends(cycle_a)]) -> None: ...


def test_dependency_cycle_is_a_declaration_error() -> None:
    with pytest.raises(
        DeclarationError, match="route GET /: dependency cycle cycle_a -> cycle_b -> cycle_a"
    ):
        serve(cycle_b)
