"""The application: exception handling, server errors, and middleware."""

import contextvars
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import anyio
import pytest

from transom import (
    BackgroundTasks,
    Body,
    Depends,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    Request,
    RequestValidationError,
    Response,
    Transom,
    status,
)
from transom._types import Message, Receive, Scope, Send
from transom.middleware import Middleware
from transom.testclient import TestClient

CallNext = Callable[[Request], Awaitable[Response]]


class Teapot(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class SmallTeapot(Teapot):
    pass


def failing_app(**kwargs: Any) -> Transom:
    app = Transom(**kwargs)

    @app.get("/http/{code:int}")
    def http_error(code: int) -> None:
        raise HTTPException(code, headers={"x-error": "yes"})

    @app.get("/detail")
    def rich_detail() -> None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail={"field": ["bad", 1]})

    @app.get("/teapot/{name}")
    async def teapot(name: str) -> None:
        raise (SmallTeapot if name == "small" else Teapot)(name)

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("secret database password in message")

    @app.post("/items/{item_id:int}")
    def item(item_id: int, q: int, body: Annotated[dict[str, int], Body()]) -> int:
        return item_id

    return app


# Exceptions ------------------------------------------------------------------------------


def test_http_exception_detail_and_headers() -> None:
    c = TestClient(failing_app())
    r = c.get("/http/403")
    assert (r.status_code, r.json()) == (403, {"detail": "Forbidden"})
    assert r.headers["x-error"] == "yes"
    assert c.get("/detail").json() == {"detail": {"field": ["bad", 1]}}


def test_http_exception_without_body_status() -> None:
    r = TestClient(failing_app()).get("/http/304")
    assert (r.status_code, r.content) == (304, b"")
    assert r.headers["x-error"] == "yes"
    assert "content-type" not in r.headers


def test_exception_handlers_argument_for_class_and_status_code() -> None:
    async def on_teapot(request: Request, exc: Teapot) -> Response:
        return JSONResponse({"teapot": exc.name, "path": request.url.path}, status_code=418)

    def on_404(request: Request, exc: HTTPException) -> Response:
        return PlainTextResponse(f"nothing at {request.url.path}", status_code=404)

    app = failing_app(exception_handlers={Teapot: on_teapot, 404: on_404})
    c = TestClient(app)
    r = c.get("/teapot/big")
    assert (r.status_code, r.json()) == (418, {"teapot": "big", "path": "/teapot/big"})
    assert c.get("/teapot/small").json()["teapot"] == "small", "subclasses use the handler"
    r = c.get("/nowhere")
    assert (r.status_code, r.text) == (404, "nothing at /nowhere")
    assert c.get("/http/404").text == "nothing at /http/404"
    assert c.get("/http/403").json() == {"detail": "Forbidden"}


def test_exception_handler_decorator_most_specific_class_wins() -> None:
    app = failing_app()

    @app.exception_handler(Teapot)
    async def on_teapot(request: Request, exc: Teapot) -> Response:
        return PlainTextResponse("teapot", status_code=418)

    @app.exception_handler(SmallTeapot)
    async def on_small(request: Request, exc: SmallTeapot) -> Response:
        return PlainTextResponse("small", status_code=418)

    c = TestClient(app)
    assert c.get("/teapot/big").text == "teapot"
    assert c.get("/teapot/small").text == "small"


def test_override_request_validation_handler() -> None:
    app = failing_app()

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        locs = [".".join(str(part) for part in error["loc"]) for error in exc.errors()]
        return JSONResponse({"invalid": locs}, status_code=400)

    r = TestClient(app).post("/items/x1", json={})
    assert r.status_code == 404
    r = TestClient(app).post("/items/1", params={"q": "x"}, json={"a": "b"})
    assert (r.status_code, r.json()) == (400, {"invalid": ["query.q", "body.a"]})


def test_unhandled_error_is_a_plain_500_without_internals() -> None:
    r = TestClient(failing_app(), raise_server_exceptions=False).get("/crash")
    assert r.status_code == 500
    assert r.text == "Internal Server Error"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert "secret" not in r.text


def test_unhandled_error_is_raised_by_default_test_client() -> None:
    with pytest.raises(RuntimeError, match="secret database password"):
        TestClient(failing_app()).get("/crash")


def test_debug_shows_the_exception() -> None:
    r = TestClient(failing_app(debug=True), raise_server_exceptions=False).get("/crash")
    assert r.status_code == 500
    assert "RuntimeError: secret database password in message" in r.text


@pytest.mark.parametrize("key", [Exception, 500])
def test_server_error_handler(key: Any) -> None:
    async def on_error(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": type(exc).__name__}, status_code=500)

    app = failing_app(exception_handlers={key: on_error})
    r = TestClient(app, raise_server_exceptions=False).get("/crash")
    assert (r.status_code, r.json()) == (500, {"error": "RuntimeError"})


class LateFailure:
    """A response from another library: starts, sends its body, then raises."""

    status_code = 200

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        raise Teapot("late")


async def _teapot_handler(request: Request, exc: Teapot) -> Response:
    return PlainTextResponse("handled", status_code=418)


@pytest.mark.parametrize("handled", [True, False])
@pytest.mark.parametrize("where", ["mount", "route", "api_route"])
def test_error_after_a_foreign_response_started_sends_nothing_more(
    where: str, handled: bool
) -> None:
    app = Transom(exception_handlers={Teapot: _teapot_handler} if handled else {})
    if where == "mount":
        app.mount("/x", LateFailure())
    elif where == "route":
        app.add_route("/x", lambda request: LateFailure())
    else:
        app.add_api_route("/x", lambda: LateFailure())
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "root_path": "", "headers": []}
    expected = (RuntimeError, "after the response started") if handled else (Teapot, "")
    with pytest.raises(expected[0]) as raised:
        anyio.run(app, scope, receive, send)
    assert expected[1] in str(raised.value)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200


# Middleware ------------------------------------------------------------------------------


class Tag:
    """Pure ASGI middleware adding `x-order` values on the way out."""

    def __init__(self, app: Any, name: str) -> None:
        self.app = app
        self.name = name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message["headers"], (b"x-order", self.name.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, tagged)


def test_pure_asgi_middleware_last_added_is_outermost() -> None:
    app = failing_app(middleware=[Middleware(Tag, name="from-init")])
    app.add_middleware(Tag, name="inner")
    app.add_middleware(Tag, name="outer")
    r = TestClient(app).get("/http/418")
    assert r.status_code == 418
    assert r.headers.get_list("x-order") == ["from-init", "inner", "outer"]


def test_http_middleware_reads_request_and_changes_response() -> None:
    app = Transom()
    seen: list[str] = []

    @app.middleware("http")
    async def timing(request: Request, call_next: CallNext) -> Response:
        seen.append(f"{request.method} {request.url.path} {request.headers['x-in']}")
        response = await call_next(request)
        response.headers["x-status-seen"] = str(response.status_code)
        return response

    @app.get("/ok")
    def ok(response: Response) -> str:
        response.set_cookie("c", "1")
        return "ok"

    @app.get("/missing")
    def missing() -> None:
        raise HTTPException(404)

    c = TestClient(app)
    r = c.get("/ok", headers={"x-in": "1"})
    assert (r.status_code, r.json()) == (200, "ok")
    assert r.headers["x-status-seen"] == "200"
    assert r.headers.get_list("set-cookie") == ["c=1; Path=/; SameSite=Lax"]
    assert r.headers["content-length"] == "4"
    r = c.get("/missing", headers={"x-in": "2"})
    assert (r.status_code, r.headers["x-status-seen"]) == (404, "404")
    assert seen == ["GET /ok 1", "GET /missing 2"]


REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def test_http_middleware_context_variables_flow_both_ways() -> None:
    app = Transom()

    @app.middleware("http")
    async def context(request: Request, call_next: CallNext) -> Response:
        REQUEST_ID.set("from-middleware")
        response = await call_next(request)
        # An async dependency runs in the same task, so what it set is visible here.
        response.headers["x-after"] = REQUEST_ID.get()
        return response

    async def dependency() -> str:
        seen = REQUEST_ID.get()
        REQUEST_ID.set("from-dependency")
        return seen

    @app.get("/")
    async def handler(seen: Annotated[str, Depends(dependency)]) -> str:
        return seen

    r = TestClient(app).get("/")
    assert r.json() == "from-middleware"
    assert r.headers["x-after"] == "from-dependency"


def test_http_middleware_can_answer_without_calling_next() -> None:
    app = Transom()

    @app.middleware("http")
    async def gate(request: Request, call_next: CallNext) -> Response:
        if "x-key" not in request.headers:
            return JSONResponse({"detail": "no key"}, status_code=401)
        return await call_next(request)

    @app.get("/")
    def handler() -> str:
        return "in"

    c = TestClient(app)
    assert c.get("/").status_code == 401
    assert c.get("/", headers={"x-key": "k"}).json() == "in"


def test_http_middleware_body_read_is_replayed_to_the_handler() -> None:
    app = Transom()

    @app.middleware("http")
    async def peek(request: Request, call_next: CallNext) -> Response:
        body = await request.body()
        response = await call_next(request)
        response.headers["x-body-length"] = str(len(body))
        return response

    @app.post("/")
    def handler(payload: dict[str, int]) -> dict[str, int]:
        return payload

    r = TestClient(app).post("/", json={"a": 1})
    assert (r.json(), r.headers["x-body-length"]) == ({"a": 1}, str(len(b'{"a":1}')))


def test_http_middleware_background_task_runs_after_the_response() -> None:
    log: list[str] = []
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id")

    class SendLog:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            async def logged(message: Message) -> None:
                if message["type"] == "http.response.body":
                    log.append("response sent")
                await send(message)

            await self.app(scope, receive, logged)

    async def set_request_id() -> None:
        request_id.set("r-1")

    app = Transom()

    @app.middleware("http")
    async def middleware(request: Request, call_next: CallNext) -> Response:
        response = await call_next(request)
        log.append("middleware")
        response.headers["x-request-id"] = request_id.get("unset")
        return response

    app.add_middleware(SendLog)

    @app.get("/", dependencies=[Depends(set_request_id)])
    def handler(tasks: BackgroundTasks) -> str:
        tasks.add_task(log.append, "task")
        return "ok"

    r = TestClient(app).get("/")
    assert r.json() == "ok"
    assert r.headers["x-request-id"] == "r-1"
    assert log == ["middleware", "response sent", "task"]


def test_middleware_kind_must_be_http() -> None:
    with pytest.raises(ValueError, match=r'Only @app\.middleware\("http"\)'):
        Transom().middleware("websocket")


def test_adding_middleware_or_handlers_after_first_request_raises() -> None:
    app = failing_app()
    TestClient(app).get("/http/418")
    with pytest.raises(RuntimeError, match="Cannot add middleware after the application"):
        app.add_middleware(Tag, name="late")

    async def on_teapot(request: Request, exc: Teapot) -> Response:
        return PlainTextResponse("late")

    with pytest.raises(RuntimeError, match="Cannot add an exception handler after"):
        app.add_exception_handler(Teapot, on_teapot)
    with pytest.raises(RuntimeError, match="Cannot add middleware"):

        @app.middleware("http")
        async def late(request: Request, call_next: CallNext) -> Response:
            return await call_next(request)


def test_on_event_rejects_unknown_events() -> None:
    with pytest.raises(ValueError, match="startup"), pytest.warns(DeprecationWarning, match="^on_"):
        Transom().on_event("boot")


def test_on_event_is_deprecated_at_the_line_that_calls_it() -> None:
    with pytest.warns(DeprecationWarning, match="^on_event is deprecated") as caught:
        Transom().on_event("startup")
    assert str(caught[0].message) == (
        "on_event is deprecated, use lifespan event handlers instead: Transom(lifespan=...) "
        "with an @asynccontextmanager function, code before its `yield` run at startup and "
        "after it at shutdown."
    )
    assert caught[0].filename == __file__
