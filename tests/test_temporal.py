"""The temporal response contract (DESIGN.md section 1, rules T1-T10), seen from a client."""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any, Unpack

import httpx
import pytest
from pydantic import BaseModel

from transom import (
    APIRouter,
    BackgroundTask,
    BackgroundTasks,
    Depends,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Request,
    Response,
    StreamingResponse,
    Transom,
)
from transom._types import Message, Receive, Scope, Send
from transom.exceptions import ResponseStartedError
from transom.metadata import ResponseCookie, ResponseHeader
from transom.routing import RouteOptions
from transom.temporal import TemporalResponse
from transom.testclient import TestClient


def call(
    handler: Callable[..., Any],
    *,
    app: Transom | None = None,
    raise_errors: bool = True,
    **options: Unpack[RouteOptions],
) -> httpx.Response:
    """Serve `handler` at `GET /` and return what a client sees."""
    app = app or Transom()
    app.add_api_route("/", handler, methods=["GET"], **options)
    return TestClient(app, raise_server_exceptions=raise_errors).get("/")


def cookie(name: str, value: str, extra: str = "Path=/") -> str:
    return f"{name}={value}; {extra}; SameSite=Lax"


def set_session(response: Response) -> None:
    response.set_cookie("session", "s1")
    response.headers["x-shared"] = "temporal"


class Foreign:
    """An ASGI response object that is not a transom `Response` (like Starlette's)."""

    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = 202
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-length", b"7"), *self.headers]
        await send({"type": "http.response.start", "status": 202, "headers": headers})
        await send({"type": "http.response.body", "body": b"foreign"})


# T1 ---------------------------------------------------------------------------------------


def test_t1_same_object_in_handler_and_dependencies_at_any_depth() -> None:
    seen: list[Response] = []

    def deep(response: Response) -> None:
        seen.append(response)
        response.set_cookie("deep", "1")

    def middle(response: Response, _: None = Depends(deep)) -> None:
        seen.append(response)
        response.headers["x-middle"] = "1"

    def marker(name: str) -> Callable[[Response], None]:
        def dependency(response: Response) -> None:
            seen.append(response)
            response.headers[name] = "1"

        return dependency

    app = Transom(dependencies=[Depends(marker("x-app"))])
    router = APIRouter(dependencies=[Depends(marker("x-router"))])

    @router.get("/", dependencies=[Depends(marker("x-route"))])
    def handler(response: Response, _: None = Depends(middle)) -> dict[str, str]:
        seen.append(response)
        return {"ok": "yes"}

    app.include_router(router)
    c = TestClient(app)
    r = c.get("/")
    assert r.status_code == 200
    assert len(seen) == 6
    assert all(item is seen[0] for item in seen)
    assert r.headers.get_list("set-cookie") == [cookie("deep", "1")]
    for name in ("x-middle", "x-route", "x-router", "x-app"):
        assert r.headers[name] == "1"
    c.get("/")
    assert seen[6] is not seen[0], "a new temporal response for each request"


def test_t1_annotated_response_depends_receives_the_dependency_value() -> None:
    made: list[Response] = []

    def make() -> Response:
        made.append(PlainTextResponse("from the dependency", status_code=203))
        return made[-1]

    def handler(response: Annotated[Response, Depends(make)]) -> Response:
        assert response is made[0]
        return response

    r = call(handler)
    assert (r.status_code, r.text) == (203, "from the dependency")


# T2 ---------------------------------------------------------------------------------------


def test_t2_set_cookie_headers_and_status_code() -> None:
    def handler(response: Response) -> dict[str, int]:
        response.set_cookie("sid", "abc", max_age=60, httponly=True)
        response.status_code = 201
        response.headers["x-one"] = "1"
        response.headers.append("vary", "Accept")
        response.headers.append("vary", "Cookie")
        return {"a": 1}

    r = call(handler)
    assert (r.status_code, r.json()) == (201, {"a": 1})
    assert r.headers.get_list("set-cookie") == [
        "sid=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax"
    ]
    assert r.headers["x-one"] == "1"
    # Vary is a list header: appended values are united into one line.
    assert r.headers.get_list("vary") == ["Accept, Cookie"]


def test_t2_delete_cookie_repeats_the_attributes_of_the_earlier_set() -> None:
    def login(response: Response) -> None:
        response.set_cookie("sid", "abc", path="/app", secure=True)

    def handler(response: Response, _: None = Depends(login)) -> None:
        response.delete_cookie("sid")

    assert call(handler).headers.get_list("set-cookie") == [
        "sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app; Secure; SameSite=Lax"
    ]


def test_t2_background_on_the_temporal_response_runs() -> None:
    ran: list[str] = []

    def handler(response: Response, tasks: BackgroundTasks) -> str:
        response.background = BackgroundTask(ran.append, "temporal")
        tasks.add_task(ran.append, "tasks")
        return "ok"

    assert call(handler).json() == "ok"
    assert sorted(ran) == ["tasks", "temporal"]


# T3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route_status", "temporal_status", "expected"),
    [(201, 202, 202), (201, None, 201), (None, None, 200), (None, 203, 203)],
)
def test_t3_status_temporal_then_route_then_default(
    route_status: int | None, temporal_status: int | None, expected: int
) -> None:
    def handler(response: Response) -> dict[str, bool]:
        if temporal_status is not None:
            response.status_code = temporal_status
        return {"ok": True}

    r = call(handler, status_code=route_status)
    assert (r.status_code, r.json()) == (expected, {"ok": True})


# T4 ---------------------------------------------------------------------------------------


class Public(BaseModel):
    name: str


def test_t4_body_is_filtered_by_response_model_with_temporal_in_use() -> None:
    def handler(response: Response) -> Any:
        response.set_cookie("seen", "1")
        return {"name": "ann", "password": "hunter2"}

    r = call(handler, response_model=Public)
    assert r.json() == {"name": "ann"}
    assert "hunter2" not in r.text
    assert r.headers.get_list("set-cookie") == [cookie("seen", "1")]
    assert r.headers["content-length"] == str(len(r.content))


# T5 ---------------------------------------------------------------------------------------


def test_t5_same_cookie_identity_replaces() -> None:
    def dep(response: Response) -> None:
        response.set_cookie("theme", "dark")

    def handler(response: Response, _: None = Depends(dep)) -> None:
        response.set_cookie("theme", "light")

    assert call(handler).headers.get_list("set-cookie") == [cookie("theme", "light")]


def test_t5_different_path_is_a_different_cookie() -> None:
    def dep(response: Response) -> None:
        response.set_cookie("theme", "dark")

    def handler(response: Response, _: None = Depends(dep)) -> None:
        response.set_cookie("theme", "light", path="/docs")

    assert call(handler).headers.get_list("set-cookie") == [
        cookie("theme", "dark"),
        cookie("theme", "light", "Path=/docs"),
    ]


def test_t5_cookie_identity_folds_domain_case_and_leading_dot() -> None:
    def dep(response: Response) -> None:
        response.set_cookie("a", "1", domain="Example.com")

    def handler(response: Response, _: None = Depends(dep)) -> None:
        response.set_cookie("a", "2", domain=".example.com")

    lines = call(handler).headers.get_list("set-cookie")
    assert len(lines) == 1
    assert lines[0].startswith("a=2;")


def test_t5_single_header_set_later_replaces() -> None:
    def dep(response: Response) -> None:
        response.headers["cache-control"] = "no-store"

    def handler(response: Response, _: None = Depends(dep)) -> str:
        response.headers["cache-control"] = "max-age=60"
        return "ok"

    assert call(handler).headers.get_list("cache-control") == ["max-age=60"]


def test_t5_merge_by_kind_for_data_responses() -> None:
    def dep(response: Response) -> None:
        response.headers.append("x-version", "1")
        response.headers.append("vary", "Accept")

    def handler(response: Response, _: None = Depends(dep)) -> str:
        response.headers.append("x-version", "2")
        response.headers.append("vary", "Accept, Origin")
        return "ok"

    r = call(handler)
    assert r.headers.get_list("x-version") == ["2"]
    vary = [item.strip() for line in r.headers.get_list("vary") for item in line.split(",")]
    assert vary == ["Accept", "Origin"]


def test_t5_vary_and_link_united_with_returned_response() -> None:
    def handler(response: Response) -> Response:
        response.headers["vary"] = "Accept, Cookie"
        response.headers["link"] = "</a.css>; rel=preload"
        headers = {"vary": "Origin, accept", "link": "</b.js>; rel=preload"}
        return JSONResponse({"a": 1}, headers=headers)

    r = call(handler)
    assert r.headers.get_list("vary") == ["Origin, accept, Cookie"]
    assert r.headers.get_list("link") == ["</b.js>; rel=preload, </a.css>; rel=preload"]


@pytest.mark.parametrize("returned", [False, True])
def test_t5_content_length_is_always_computed(returned: bool) -> None:
    def handler(response: Response) -> Any:
        response.headers["content-length"] = "999"
        return PlainTextResponse("hello") if returned else "hello"

    r = call(handler)
    assert r.headers.get_list("content-length") == [str(len(r.content))]


def test_t5_explicit_content_type_on_temporal_wins_over_default() -> None:
    def handler(response: Response) -> dict[str, int]:
        response.headers["content-type"] = "application/vnd.api+json"
        return {"a": 1}

    r = call(handler)
    assert r.headers.get_list("content-type") == ["application/vnd.api+json"]
    assert r.json() == {"a": 1}


# T6 ---------------------------------------------------------------------------------------


def test_t6_returned_response_gets_temporal_cookies_headers_and_background() -> None:
    ran: list[str] = []

    def dep(response: Response) -> None:
        set_session(response)
        response.headers["x-temporal"] = "1"
        response.background = BackgroundTask(ran.append, "temporal")

    def handler(tasks: BackgroundTasks, _: None = Depends(dep)) -> Response:
        tasks.add_task(ran.append, "tasks")
        task = BackgroundTask(ran.append, "returned")
        headers = {"x-shared": "returned"}
        return JSONResponse({"a": 1}, status_code=201, headers=headers, background=task)

    r = call(handler)
    assert (r.status_code, r.json()) == (201, {"a": 1})
    assert r.headers.get_list("set-cookie") == [cookie("session", "s1")]
    assert r.headers.get_list("x-shared") == ["returned"]
    assert r.headers["x-temporal"] == "1"
    assert sorted(ran) == ["returned", "tasks", "temporal"]


def test_t6_returned_response_cookie_wins_over_temporal_cookie() -> None:
    def handler(response: Response) -> Response:
        response.set_cookie("a", "temporal")
        response.set_cookie("b", "temporal")
        returned = PlainTextResponse("x")
        returned.set_cookie("a", "returned")
        return returned

    lines = call(handler).headers.get_list("set-cookie")
    assert sorted(lines) == [cookie("a", "returned"), cookie("b", "temporal")]


def test_t6_foreign_asgi_response_gets_temporal_headers_and_background() -> None:
    ran: list[str] = []

    def handler(response: Response) -> Any:
        set_session(response)
        response.headers["x-temporal"] = "1"
        response.background = BackgroundTask(ran.append, "temporal")
        return Foreign([(b"x-shared", b"foreign")])

    r = call(handler)
    assert (r.status_code, r.text) == (202, "foreign")
    assert r.headers.get_list("set-cookie") == [cookie("session", "s1")]
    assert r.headers["x-temporal"] == "1"
    assert r.headers.get_list("x-shared") == ["foreign"]
    assert ran == ["temporal"]


SHARED_RESPONSES: list[Callable[[], Response]] = [
    lambda: Response(status_code=204),
    lambda: JSONResponse({"ok": True}),
    lambda: RedirectResponse("/elsewhere", status_code=303),
    lambda: StreamingResponse(iter([b"chunk"])),
]


@pytest.mark.parametrize("make", SHARED_RESPONSES, ids=["empty", "json", "redirect", "stream"])
def test_t6_a_shared_returned_response_never_carries_one_request_to_the_next(
    make: Callable[[], Response],
) -> None:
    """A module-level or cached response is sent many times; the merge must not stick to it."""
    shared = make()
    before = list(shared.raw_headers)
    version = ResponseHeader("X-API-Version", value="2")

    def handler(user: str, response: Response) -> Response:
        response.set_cookie("session", f"token-for-{user}")
        response.set_cookie(f"seen-{user}", "1")
        response.headers["x-user"] = user
        return shared

    app = Transom()
    app.add_api_route("/", handler, methods=["GET"], response_headers=[version])
    client = TestClient(app, follow_redirects=False)
    for user in ("alice", "bob", "carol"):
        r = client.get("/", params={"user": user})
        assert r.status_code == shared.status_code
        assert sorted(r.headers.get_list("set-cookie")) == [
            cookie("seen-" + user, "1"),
            cookie("session", f"token-for-{user}"),
        ]
        assert r.headers.get_list("x-user") == [user]
        assert r.headers.get_list("x-api-version") == ["2"]
    assert shared.raw_headers == before


def test_t6_a_shared_response_from_an_exception_handler_stays_as_it_was() -> None:
    shared = JSONResponse({"detail": "nope"}, status_code=403)
    before = list(shared.raw_headers)

    class Denied(Exception):
        pass

    def handler(user: str, response: Response) -> None:
        response.delete_cookie(f"session-{user}")
        raise Denied

    app = Transom(exception_handlers={Denied: lambda request, exc: shared})
    app.add_api_route("/", handler, methods=["GET"])
    client = TestClient(app)
    for user in ("alice", "bob"):
        r = client.get("/", params={"user": user})
        assert r.status_code == 403
        lines = r.headers.get_list("set-cookie")
        assert len(lines) == 1
        assert lines[0].startswith(f"session-{user}=;")
    assert shared.raw_headers == before


# T7 ---------------------------------------------------------------------------------------


def shape_for_error(response: Response) -> None:
    """Sets a session (dropped on errors), a kept cookie, a deletion and a header."""
    response.set_cookie("session", "token-for-alice")
    response.set_cookie("lang", "en", keep_on_error=True)
    response.delete_cookie("old")
    response.headers["x-shared"] = "temporal"


def deleted(name: str) -> str:
    return f"{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; SameSite=Lax"


ERROR_COOKIES = [cookie("lang", "en"), deleted("old")]


def test_t7_http_exception_drops_set_cookies_keeps_deletions_and_its_own_headers_win() -> None:
    def handler(_: None = Depends(shape_for_error)) -> None:
        raise HTTPException(401, "Wrong password.", headers={"x-shared": "exception"})

    r = call(handler)
    assert (r.status_code, r.json()) == (401, {"detail": "Wrong password."})
    assert r.headers.get_list("set-cookie") == ERROR_COOKIES
    assert r.headers.get_list("x-shared") == ["exception"]


def test_t7_validation_error_keeps_headers_and_deletions_of_dependencies_that_ran() -> None:
    app = Transom()

    @app.get("/")
    def handler(limit: int, _: None = Depends(shape_for_error)) -> None:
        raise AssertionError("not reached")

    r = TestClient(app).get("/", params={"limit": "many"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "limit"]
    assert r.headers.get_list("set-cookie") == ERROR_COOKIES
    assert r.headers["x-shared"] == "temporal"


class Teapot(Exception):
    pass


def test_t7_custom_exception_handler_response_keeps_only_kept_cookies() -> None:
    async def on_teapot(request: Request, exc: Teapot) -> Response:
        return JSONResponse({"teapot": True}, status_code=418, headers={"x-shared": "handler"})

    async def handler(_: None = Depends(shape_for_error)) -> None:
        raise Teapot

    r = call(handler, app=Transom(exception_handlers={Teapot: on_teapot}))
    assert (r.status_code, r.json()) == (418, {"teapot": True})
    assert r.headers.get_list("set-cookie") == ERROR_COOKIES
    assert r.headers.get_list("x-shared") == ["handler"]


def test_t7_a_cookie_declared_keep_on_error_is_kept_and_a_set_then_deleted_one_too() -> None:
    def handler(response: Response) -> None:
        response.set_cookie("visits", "3")
        response.set_cookie("session", "s1")
        response.delete_cookie("session")  # the deletion replaces the set: kept
        raise HTTPException(404)

    visits = ResponseCookie("visits", keep_on_error=True)
    r = call(handler, response_cookies=[visits])
    assert r.status_code == 404
    assert r.headers.get_list("set-cookie") == [cookie("visits", "3"), deleted("session")]


def test_t7_success_still_sends_every_cookie() -> None:
    def handler(_: None = Depends(shape_for_error)) -> dict[str, bool]:
        return {"ok": True}

    lines = call(handler).headers.get_list("set-cookie")
    assert lines == [cookie("session", "token-for-alice"), *ERROR_COOKIES]


def test_t7_unhandled_exception_500_sends_no_temporal_headers() -> None:
    def handler(_: None = Depends(set_session)) -> None:
        raise RuntimeError("boom")

    r = call(handler, raise_errors=False)
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert "set-cookie" not in r.headers
    assert "x-shared" not in r.headers


# T8 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route_status", "temporal_status"), [(204, None), (None, 204), (None, 304), (200, 304)]
)
def test_t8_no_body_statuses_send_no_body_or_content_headers(
    route_status: int | None, temporal_status: int | None
) -> None:
    def handler(response: Response) -> dict[str, int] | None:
        response.set_cookie("kept", "1")
        if temporal_status is not None:
            response.status_code = temporal_status
            return {"ignored": 1}
        return None

    r = call(handler, status_code=route_status)
    assert r.status_code == (temporal_status or route_status)
    assert r.content == b""
    assert "content-length" not in r.headers
    assert "content-type" not in r.headers
    assert r.headers.get_list("set-cookie") == [cookie("kept", "1")]


@pytest.mark.parametrize("is_async", [True, False])
def test_t8_temporal_status_with_a_body_overrides_a_no_body_route_status(is_async: bool) -> None:
    def handler(response: Response) -> dict[str, int]:
        response.status_code = 200
        return {"sent": 1}

    async def async_handler(response: Response) -> dict[str, int]:
        return handler(response)

    r = call(async_handler if is_async else handler, status_code=204)
    assert (r.status_code, r.json()) == (200, {"sent": 1})
    assert r.headers["content-length"] == "10"


# T9 ---------------------------------------------------------------------------------------


class SendLog:
    """Pure ASGI middleware that logs when the response starts and ends."""

    def __init__(self, app: Any, log: list[str]) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.log.append("response start")
            elif not message.get("more_body", False):
                self.log.append("response end")
            await send(message)

        await self.app(scope, receive, logged)


def test_t9_function_scope_teardown_runs_before_the_response_and_is_sent() -> None:
    log: list[str] = []

    def resource(response: Response) -> Iterator[str]:
        log.append("setup")
        yield "db"
        log.append("teardown")
        response.headers["x-teardown"] = "done"
        response.set_cookie("closed", "1")

    def handler(db: Annotated[str, Depends(resource, scope="function")]) -> str:
        log.append("handler")
        return db

    app = Transom()
    app.add_middleware(SendLog, log=log)
    r = call(handler, app=app)
    assert r.json() == "db"
    assert r.headers["x-teardown"] == "done"
    assert r.headers.get_list("set-cookie") == [cookie("closed", "1")]
    assert log == ["setup", "handler", "teardown", "response start", "response end"]


def test_t9_request_scope_teardown_runs_after_response_and_mutation_raises() -> None:
    log: list[str] = []
    errors: list[Exception] = []

    async def resource(response: Response) -> AsyncIterator[str]:
        yield "db"
        log.append("teardown")
        try:
            response.headers["x-late"] = "1"
        except ResponseStartedError as exc:
            errors.append(exc)
        try:
            response.set_cookie("late", "1")
        except ResponseStartedError as exc:
            errors.append(exc)
        try:
            response.status_code = 500
        except ResponseStartedError as exc:
            errors.append(exc)

    async def handler(db: Annotated[str, Depends(resource)], response: Response) -> str:
        response.headers["x-early"] = "1"
        return db

    app = Transom()
    app.add_middleware(SendLog, log=log)
    r = call(handler, app=app)
    assert r.status_code == 200
    assert r.headers["x-early"] == "1"
    assert "x-late" not in r.headers
    assert "set-cookie" not in r.headers
    assert log == ["response start", "response end", "teardown"]
    assert len(errors) == 3
    assert "already started" in str(errors[0])
    assert "scope='function'" in str(errors[0])


def test_t9_request_scope_resource_still_open_in_background_task() -> None:
    state: list[str] = []

    def resource() -> Iterator[list[str]]:
        state.append("open")
        yield state
        state.append("closed")

    def handler(res: Annotated[list[str], Depends(resource)], tasks: BackgroundTasks) -> None:
        tasks.add_task(lambda: state.append(f"task saw {res[-1]}"))

    call(handler)
    assert state == ["open", "task saw open", "closed"]


# T10 --------------------------------------------------------------------------------------


def test_t10_returning_the_temporal_response_sends_its_status_and_cookies() -> None:
    def handler(response: Response) -> Response:
        response.status_code = 201
        response.set_cookie("made", "1")
        response.headers["x-a"] = "1"
        return response

    r = call(handler)
    assert (r.status_code, r.content) == (201, b"")
    assert r.headers.get_list("set-cookie") == [cookie("made", "1")]
    assert r.headers["x-a"] == "1"


def test_t10_returning_temporal_without_status_uses_route_status() -> None:
    def handler(response: Response) -> Response:
        response.set_cookie("made", "1")
        return response

    r = call(handler, status_code=202, raise_errors=False)
    assert r.status_code == 202
    assert r.headers.get_list("set-cookie") == [cookie("made", "1")]


def test_t10_returning_temporal_sends_content_length_zero() -> None:
    def handler(response: Response) -> Response:
        response.status_code = 200
        return response

    assert call(handler).headers.get("content-length") == "0"


def test_t10_returning_temporal_runs_its_background_once() -> None:
    ran: list[str] = []

    def handler(response: Response) -> Response:
        response.status_code = 200
        response.background = BackgroundTask(ran.append, "task")
        return response

    call(handler)
    assert ran == ["task"]


def test_t9_every_change_after_freeze_raises_even_through_a_view_held_before() -> None:
    temporal = TemporalResponse()
    view = temporal.headers
    view["x-kept"] = "1"
    temporal.set_cookie("kept", "1")
    temporal.freeze()
    changes: list[Callable[[], object]] = [
        lambda: view.__setitem__("x-kept", "2"),
        lambda: view.__setitem__("x-new", "2"),
        lambda: view.__delitem__("x-kept"),
        lambda: view.append("x-new", "2"),
        lambda: view.setdefault("x-new", "2"),
        lambda: temporal.headers.__setitem__("x-new", "2"),
        lambda: temporal.set_cookie("kept", "2"),
        lambda: temporal.set_cookie("new", "2"),
        lambda: temporal.delete_cookie("kept"),
        lambda: temporal.raw_headers.append((b"x-new", b"2")),
    ]
    for change in changes:
        with pytest.raises(ResponseStartedError, match="already started"):
            change()
    assert temporal.raw_headers == [
        (b"x-kept", b"1"),
        (b"set-cookie", b"kept=1; Path=/; SameSite=Lax"),
    ]
    assert temporal.cookie_attributes("kept") is not None


def test_t5_a_raw_set_cookie_on_the_temporal_response_is_one_per_identity() -> None:
    def handler(response: Response) -> int:
        response.set_cookie("a", "1")
        response.headers.append("set-cookie", "a=2; Path=/; SameSite=Lax")  # replaces a=1
        response.headers.append("set-cookie", "b=1; Path=/x")
        return 1

    assert call(handler).headers.get_list("set-cookie") == [
        cookie("a", "2"),
        "b=1; Path=/x",
    ]

    def replacing(response: Response) -> int:
        response.set_cookie("a", "1")
        response.headers["Set-Cookie"] = "c=1; Path=/"  # as for any header: replaces all
        return 1

    assert call(replacing).headers.get_list("set-cookie") == ["c=1; Path=/"]
