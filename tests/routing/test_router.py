"""Routing through the application: paths, converters, 404/405, redirects, mounts, lifespan."""

import contextlib
import re
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import anyio
import pytest

from tests._asgi import call_raw, http_scope
from transom import (
    APIRouter,
    DeclarationError,
    Depends,
    PlainTextResponse,
    Request,
    Response,
    Transom,
    WebSocket,
)
from transom._types import Receive, Scope, Send
from transom.routing import APIRoute, BaseRoute, Match, Mount, NoMatchFound, Route
from transom.testclient import TestClient


def make_app(**kwargs: Any) -> Transom:
    app = Transom(**kwargs)

    @app.get("/")
    def root() -> str:
        return "root"

    @app.get("/items/{item_id:int}")
    def by_int(item_id: int) -> dict[str, Any]:
        return {"item_id": item_id, "type": type(item_id).__name__}

    @app.post("/items/{item_id:int}")
    def update(item_id: int) -> int:
        return item_id

    @app.get("/items/{name}")
    def by_name(name: str) -> dict[str, str]:
        return {"name": name}

    @app.get("/items/me")
    def me() -> str:
        return "static me"

    @app.get("/prices/{value:float}")
    def price(value: float) -> float:
        return value

    @app.get("/files/{file_path:path}")
    def file(file_path: str) -> str:
        return file_path

    @app.get("/ids/{ident:uuid}")
    def ident(ident: uuid.UUID) -> dict[str, str]:
        return {"hex": ident.hex, "type": type(ident).__name__}

    @app.get("/users/{user_id}/orders/{order_id:int}")
    def order(user_id: str, order_id: int) -> list[Any]:
        return [user_id, order_id]

    @app.get("/with-slash/")
    def with_slash() -> str:
        return "with"

    @app.get("/no-slash")
    def no_slash() -> str:
        return "without"

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(make_app(), follow_redirects=False)


def test_static_path(client: TestClient) -> None:
    r = client.get("/")
    assert (r.status_code, r.json()) == (200, "root")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/items/42", {"item_id": 42, "type": "int"}),
        ("/items/abc", {"name": "abc"}),
        ("/prices/1.5", 1.5),
        ("/prices/3", 3.0),
        ("/files/a/b/c.txt", "a/b/c.txt"),
        ("/users/ann/orders/7", ["ann", 7]),
        (f"/ids/{uuid.UUID(int=255)}", {"hex": uuid.UUID(int=255).hex, "type": "UUID"}),
    ],
)
def test_converters(client: TestClient, path: str, expected: Any) -> None:
    r = client.get(path)
    assert (r.status_code, r.json()) == (200, expected)


@pytest.mark.parametrize(
    "path", ["/ids/not-a-uuid", "/prices/abc", "/prices/-1", "/users/ann/orders/x"]
)
def test_path_not_matching_any_converter_is_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})


def test_static_path_wins_over_pattern_declared_before_it(client: TestClient) -> None:
    assert client.get("/items/me").json() == "static me"
    assert client.get("/items/you").json() == {"name": "you"}


def test_str_converter_with_int_annotation_is_a_422() -> None:
    app = Transom()

    @app.get("/n/{n}")
    def handler(n: int) -> int:
        return n

    r = TestClient(app).get("/n/x")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["path", "n"]
    assert r.json()["detail"][0]["input"] == "x"


def test_404_for_unknown_path(client: TestClient) -> None:
    r = client.get("/nowhere")
    assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})
    assert r.headers["content-type"] == "application/json"


def test_405_with_allow_for_known_path_other_method(client: TestClient) -> None:
    r = client.delete("/items/3")
    assert (r.status_code, r.json()) == (405, {"detail": "Method Not Allowed"})
    assert r.headers["allow"] == "GET, POST"


def test_405_on_static_path(client: TestClient) -> None:
    r = client.post("/")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET"


def test_redirect_slashes_both_ways(client: TestClient) -> None:
    r = client.get("/no-slash/", params={"q": "1"})
    assert r.status_code == 307
    assert r.headers["location"] == "http://testserver/no-slash?q=1"
    r = client.get("/with-slash")
    assert r.status_code == 307
    assert r.headers["location"] == "http://testserver/with-slash/"


@pytest.mark.parametrize(
    ("host", "location"),
    [
        (b"good.example", b"http://good.example/with-slash/"),
        (b"good.example:8443", b"http://good.example:8443/with-slash/"),
        (b"10.0.0.1:8000", b"http://10.0.0.1:8000/with-slash/"),
        (b"[::1]:8000", b"http://[::1]:8000/with-slash/"),
        (b"[2001:db8::1]", b"http://[2001:db8::1]/with-slash/"),
        (b"xn--caf-dma.example", b"http://xn--caf-dma.example/with-slash/"),
        # Not a host [":" port]: the server's own address is used instead.
        (b"good.example@evil.example", b"http://testserver/with-slash/"),
        (b"user:pw@evil.example", b"http://testserver/with-slash/"),
        (b"evil.example/x?", b"http://testserver/with-slash/"),
        (b"evil.example/", b"http://testserver/with-slash/"),
        (b"a#frag", b"http://testserver/with-slash/"),
        (b"a\\b", b"http://testserver/with-slash/"),
        (b"evil.example\\@good.example", b"http://testserver/with-slash/"),
        (b"good example", b"http://testserver/with-slash/"),
        (b"", b"http://testserver/with-slash/"),
        (b"good.example:99999", b"http://testserver/with-slash/"),
        (b"good.example:8o", b"http://testserver/with-slash/"),
        (b"[::1", b"http://testserver/with-slash/"),
        (b"[evil.example]", b"http://testserver/with-slash/"),
        (b"caf\xc3\xa9.example", b"http://testserver/with-slash/"),
    ],
)
def test_slash_redirect_names_a_valid_host_or_the_server(host: bytes, location: bytes) -> None:
    c = TestClient(make_app(), follow_redirects=False)
    r = c.get("/with-slash", headers={b"host": host})
    assert r.status_code == 307
    assert [value for name, value in r.headers.raw if name.lower() == b"location"] == [location]


def raw_redirect(
    app: Transom, path: str, headers: list[tuple[bytes, bytes]], **scope: Any
) -> bytes:
    """The `Location` bytes `app` answers a raw GET of `path` with (it must redirect)."""
    request: Scope = {**http_scope("GET", path), "headers": headers, **scope}
    messages = anyio.run(call_raw, app, "GET", False, request)
    assert messages[0]["status"] == 307
    locations: list[bytes] = [v for k, v in messages[0]["headers"] if k == b"location"]
    assert len(locations) == 1
    return locations[0]


@pytest.mark.parametrize(
    ("server", "location"),
    [
        ({"server": ("10.0.0.2", 8000)}, b"http://10.0.0.2:8000/no-slash?q=1"),
        ({"server": ("10.0.0.2", 80)}, b"http://10.0.0.2/no-slash?q=1"),
        ({"server": ("::1", 8000)}, b"http://[::1]:8000/no-slash?q=1"),
        ({"server": ("10.0.0.2", 443), "scheme": "https"}, b"https://10.0.0.2/no-slash?q=1"),
        # No address a client could use: the redirect stays on whatever host it came to.
        ({"server": ("/run/app.sock", None)}, b"/no-slash?q=1"),
        ({}, b"/no-slash?q=1"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [[], [(b"host", b"good.example@evil.example")], [(b"host", b"evil.example/x?")]],
)
def test_slash_redirect_without_a_valid_host_uses_the_server_address_or_a_relative_path(
    headers: list[tuple[bytes, bytes]], server: dict[str, Any], location: bytes
) -> None:
    assert (
        raw_redirect(make_app(), "/no-slash/", headers, query_string=b"q=1", **server) == location
    )


def test_relative_slash_redirect_never_reads_as_another_host() -> None:
    app = Transom()

    @app.get("/{rest:path}/")
    def rest(rest: str) -> str:
        return rest

    # "//evil.example/" alone would be a protocol-relative URL; "/./" keeps it a path.
    assert raw_redirect(app, "//evil.example", []) == b"/.//evil.example/"
    assert raw_redirect(app, "//evil.example", [(b"host", b"good.example")]) == (
        b"http://good.example//evil.example/"
    )


def test_redirect_is_followed_by_default_client() -> None:
    r = TestClient(make_app()).get("/no-slash/")
    assert (r.status_code, r.json()) == (200, "without")


def test_redirect_slashes_disabled_gives_404() -> None:
    c = TestClient(make_app(redirect_slashes=False), follow_redirects=False)
    assert c.get("/no-slash/").status_code == 404


async def echo_scope(scope: Scope, receive: Receive, send: Send) -> None:
    body = f"{scope['path']}|{scope['root_path']}".encode()
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def test_mount_raw_asgi_app_sees_prefix_in_root_path() -> None:
    app = make_app()
    app.mount("/raw", echo_scope)
    c = TestClient(app)
    assert c.get("/raw/a/b").text == "/raw/a/b|/raw"
    assert c.get("/raw").text == "/raw|/raw"
    assert c.get("/rawer").status_code == 404


def test_mount_transom_sub_app() -> None:
    sub = Transom()

    @sub.get("/hello/{name}")
    def hello(name: str, request: Request) -> dict[str, str]:
        return {
            "name": name,
            "root_path": request.scope["root_path"],
            "url": str(request.url),
            "base": str(request.base_url),
        }

    app = make_app()
    app.mount("/sub", sub)
    c = TestClient(app)
    assert c.get("/sub/hello/ann").json() == {
        "name": "ann",
        "root_path": "/sub",
        "url": "http://testserver/sub/hello/ann",
        "base": "http://testserver/sub/",
    }
    r = c.get("/sub/missing")
    assert (r.status_code, r.json()) == (404, {"detail": "Not Found"})


def test_app_behind_root_path() -> None:
    app = Transom()

    @app.get("/items")
    def items(request: Request) -> str:
        return str(request.url)

    c = TestClient(app, root_path="/api")
    assert c.get("/api/items").json() == "http://testserver/api/items"


def test_plain_route_answers_head_for_get() -> None:
    app = Transom()

    def plain(request: Request) -> Response:
        return PlainTextResponse("plain " + request.method)

    app.add_route("/plain", plain)
    c = TestClient(app)
    assert c.get("/plain").text == "plain GET"
    r = c.head("/plain")
    assert (r.status_code, r.content) == (200, b"")
    assert r.headers["content-length"] == str(len("plain HEAD"))


def test_include_router_with_prefix_tags_and_dependencies() -> None:
    calls: list[str] = []

    def dep(name: str) -> Any:
        def dependency() -> None:
            calls.append(name)

        return Depends(dependency)

    app = Transom(dependencies=[dep("app")])
    inner = APIRouter(prefix="/inner", tags=["inner"], dependencies=[dep("inner")])

    @inner.get("/things/{thing_id:int}", tags=["route"], dependencies=[dep("route")])
    def thing(thing_id: int) -> int:
        return thing_id

    outer = APIRouter(prefix="/outer", tags=["outer"])
    outer.include_router(inner, prefix="/v1", dependencies=[dep("include-outer")])
    app.include_router(outer, prefix="/api", tags=["app"], dependencies=[dep("include-app")])
    c = TestClient(app)
    r = c.get("/api/outer/v1/inner/things/5")
    assert (r.status_code, r.json()) == (200, 5)
    assert calls == ["app", "include-app", "include-outer", "inner", "route"]
    assert c.get("/inner/things/5").status_code == 404
    [route] = [route for route in app.routes if isinstance(route, APIRoute)]
    assert route.path == "/api/outer/v1/inner/things/{thing_id:int}"
    assert set(route.options.get("tags") or []) == {"app", "outer", "inner", "route"}


@pytest.mark.parametrize("prefix", ["api", "/api/"])
def test_bad_router_prefix_raises(prefix: str) -> None:
    with pytest.raises(DeclarationError, match="prefix must start with '/'"):
        APIRouter(prefix=prefix)
    with pytest.raises(DeclarationError, match="prefix must start with '/'"):
        Transom().include_router(APIRouter(), prefix=prefix)


def test_lifespan_context_manager_with_state() -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Transom) -> AsyncIterator[dict[str, Any]]:
        events.append("startup")
        yield {"db": "connection"}
        events.append("shutdown")

    app = Transom(lifespan=lifespan)

    @app.get("/")
    def handler(request: Request) -> str:
        value: str = request.state.db
        return value

    with TestClient(app) as c:
        assert events == ["startup"]
        assert c.get("/").json() == "connection"
    assert events == ["startup", "shutdown"]


def test_a_generator_function_is_a_lifespan_sync_or_async() -> None:
    events: list[str] = []

    def sync_lifespan(app: Transom) -> Iterator[dict[str, Any]]:
        events.append("sync startup")
        yield {"db": "sync"}
        events.append("sync shutdown")

    async def async_lifespan(app: Transom) -> AsyncIterator[None]:
        events.append("async startup")
        yield
        events.append("async shutdown")

    router = APIRouter(lifespan=async_lifespan)

    @router.get("/")
    def handler(request: Request) -> str:
        value: str = request.state.db
        return value

    app = Transom(lifespan=sync_lifespan)
    app.include_router(router)
    with TestClient(app) as c:
        assert events == ["sync startup", "async startup"]
        assert c.get("/").json() == "sync"
    assert events == ["sync startup", "async startup", "async shutdown", "sync shutdown"]


def test_the_apps_lifespan_state_wins_over_an_included_routers() -> None:
    @contextlib.asynccontextmanager
    async def app_lifespan(app: Transom) -> AsyncIterator[dict[str, Any]]:
        yield {"app": True, "who": "app"}

    @contextlib.asynccontextmanager
    async def router_lifespan(app: Transom) -> AsyncIterator[dict[str, Any]]:
        yield {"router": True, "who": "router"}

    router = APIRouter(lifespan=router_lifespan)

    @router.get("/state")
    def state(request: Request) -> list[Any]:
        return [request.state.app, request.state.router, request.state.who]

    app = Transom(lifespan=app_lifespan)
    app.include_router(router)
    with TestClient(app) as c:
        assert c.get("/state").json() == [True, True, "app"]


def test_lifespan_startup_failure_is_raised() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: Transom) -> AsyncIterator[None]:
        raise ValueError("database unreachable")
        yield  # pragma: no cover

    with (
        pytest.raises(Exception, match="database unreachable"),
        TestClient(Transom(lifespan=lifespan)),
    ):
        pass  # pragma: no cover


def test_on_startup_and_on_shutdown_sync_and_async() -> None:
    events: list[str] = []

    async def async_start() -> None:
        events.append("async start")

    router = APIRouter(on_startup=[lambda: events.append("router start")])
    app = Transom(on_startup=[async_start], on_shutdown=[lambda: events.append("stop")])
    app.include_router(router)

    with pytest.warns(DeprecationWarning, match="^on_event is deprecated, use lifespan"):

        @app.on_event("shutdown")
        async def decorated_stop() -> None:
            events.append("decorated stop")

    with TestClient(app):
        assert events == ["async start", "router start"]
    assert events == ["async start", "router start", "stop", "decorated stop"]


def test_url_path_for() -> None:
    app = make_app()
    router = APIRouter(prefix="/r")

    @router.get("/named/{slug}", name="custom-name")
    def named(slug: str) -> str:
        return slug

    app.include_router(router)
    assert app.url_path_for("by_int", item_id=5) == "/items/5"
    assert app.url_path_for("file", file_path="a/b") == "/files/a/b"
    assert app.url_path_for("custom-name", slug="x") == "/r/named/x"
    assert app.url_path_for("root") == "/"
    with pytest.raises(NoMatchFound, match=re.escape("No route named 'nope'.")):
        app.url_path_for("nope")
    with pytest.raises(KeyError, match="item_id"):
        app.url_path_for("by_int")


def test_url_path_for_from_a_request() -> None:
    app = Transom()

    @app.get("/users/{user_id:int}", name="user")
    def user(user_id: int, request: Request) -> str:
        path: str = request.app.url_path_for("user", user_id=user_id + 1)
        return path

    assert TestClient(app).get("/users/1").json() == "/users/2"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("items", "must start with '/'"),
        ("/items/{id:bogus}", "unknown converter 'bogus'"),
        ("/items/{id}/{id}", "appears twice"),
        ("/items/{1id}", "identifier"),
        ("/items/{id", "unbalanced"),
    ],
)
def test_bad_paths_raise_at_declaration(path: str, message: str) -> None:
    app = Transom()

    def handler() -> None: ...

    with pytest.raises(ValueError, match=message):
        app.add_api_route(path, handler)


def test_route_matching_with_annotated_dependency_on_path_param() -> None:
    app = Transom()

    def load(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/items/{item_id:int}")
    def handler(item: Annotated[dict[str, int], Depends(load)]) -> dict[str, int]:
        return item

    assert TestClient(app).get("/items/9").json() == {"id": 9}


def test_patterns_are_tried_in_order_past_a_match_with_another_method() -> None:
    app = Transom()

    @app.post("/things/{a}")
    def make(a: str) -> str:
        return f"post {a}"

    @app.get("/things/{b}")
    def read(b: str) -> str:
        return f"get {b}"

    @app.get("/things/{c}")
    def shadowed(c: str) -> str:
        return "never"

    client = TestClient(app)
    assert client.get("/things/x").json() == "get x"
    assert client.post("/things/x").json() == "post x"
    r = client.delete("/things/x")
    assert (r.status_code, r.headers["allow"]) == (405, "GET, POST")


# --- each pattern once per request, and templates a regex would backtrack on ---------------


class CountingRegex:
    """Stands in for a template's regex and counts how often it is run."""

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self.runs = 0

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        self.runs += 1
        return self.regex.fullmatch(text, pos, endpos)


def pattern_app() -> Transom:
    """Templates of every kind of ending, two of them with parameters that share text."""
    app = Transom()

    @app.get("/users/{name}")
    def user(name: str) -> str:
        return name

    @app.post("/items/{item_id:int}")
    def item(item_id: int) -> int:
        return item_id

    @app.get("/dirs/{name}/")
    def folder(name: str) -> str:
        return name

    @app.get("/files/{file_path:path}")
    def file(file_path: str) -> str:
        return file_path

    @app.get("/pair/{a}-{b}")
    def pair(a: str, b: str) -> list[str]:
        return [a, b]

    @app.get("/f/{a:path}/x/{b:path}/y")
    def two_paths(a: str, b: str) -> list[str]:
        return [a, b]

    @app.get("/g/{a:path}/{b:path}/{c:path}/z")
    def three_paths(a: str, b: str, c: str) -> list[str]:
        return [a, b, c]

    return app


@pytest.mark.parametrize(
    ("method", "path", "status", "answer"),
    [
        ("GET", "/users/ann", 200, "ann"),
        ("GET", "/users/ann/", 307, "http://testserver/users/ann"),
        ("GET", "/items/7", 405, "POST"),
        ("POST", "/items/7", 200, 7),
        ("POST", "/items/7/", 307, "http://testserver/items/7"),
        ("POST", "/items/x", 404, None),
        ("GET", "/dirs/a/", 200, "a"),
        ("GET", "/dirs/a", 307, "http://testserver/dirs/a/"),
        ("GET", "/files", 307, "http://testserver/files/"),
        ("GET", "/files/", 200, ""),
        ("GET", "/files/a/b/", 200, "a/b/"),
        ("GET", "/pair/x-y-z", 200, ["x-y", "z"]),
        ("GET", "/pair/x-y/", 307, "http://testserver/pair/x-y"),
        ("GET", "/pair/xy", 404, None),
        ("GET", "/f/1/x/2/x/3/y", 200, ["1/x/2", "3"]),
        ("GET", "/f/1/x/2/y/", 307, "http://testserver/f/1/x/2/y"),
        ("GET", "/f/1/x/2/z", 404, None),
        ("GET", "/g/1/2/3/4/z", 200, ["1/2", "3", "4"]),
        ("GET", "/g/1/2/z", 404, None),
        ("GET", "/nowhere/at/all", 404, None),
    ],
)
def test_each_pattern_runs_at_most_once_per_request(
    method: str, path: str, status: int, answer: Any
) -> None:
    app = pattern_app()
    counters = []
    for route in app.routes:
        if route.template.regex is not None:
            counters.append(CountingRegex(route.template.regex))
            # The router reads the regex from the template at each request.
            object.__setattr__(route.template, "regex", counters[-1])
    r = TestClient(app, follow_redirects=False).request(method, path)
    assert r.status_code == status
    if status == 200:
        assert r.json() == answer
    elif status == 307:
        assert r.headers["location"] == answer
    elif status == 405:
        assert r.headers["allow"] == answer
    # 405, the redirect and 404 reuse the one answer each pattern gave.
    assert [counter.runs for counter in counters if counter.runs > 1] == []


LONG = 6000


@pytest.mark.parametrize(
    ("path", "status", "answer"),
    [
        (
            "/f/" + "a/" * LONG + "x/" + "b/" * LONG + "y",
            200,
            ["a/" * (LONG - 1) + "a", "b/" * (LONG - 1) + "b"],
        ),
        ("/f/" + "a/" * LONG + "x/b/y/", 307, None),
        ("/f/" + "x/" * LONG, 404, None),
        ("/f/" + "x/" * LONG + "q", 404, None),
        ("/f/" + "a/" * LONG + "y", 404, None),
        ("/g/" + "a/" * LONG + "z", 200, ["a/" * (LONG - 3) + "a", "a", "a"]),
        ("/g/" + "a/" * LONG + "q", 404, None),
        ("/pair/" + "a" * LONG + "-" + "b" * LONG, 200, ["a" * LONG, "b" * LONG]),
        ("/pair/" + "-" * LONG, 200, ["-" * (LONG - 2), "-"]),
        ("/pair/" + "a" * LONG + "/", 404, None),
        ("/users/" + "a" * LONG, 200, "a" * LONG),
        ("/files/" + "a/" * LONG, 200, "a/" * LONG),
    ],
)
def test_long_paths_match_templates_whose_parameters_share_text(
    path: str, status: int, answer: Any
) -> None:
    r = TestClient(pattern_app(), follow_redirects=False).get(path)
    assert r.status_code == status
    if status == 200:
        assert r.json() == answer
    if status == 307:
        assert r.headers["location"] == "http://testserver" + path[:-1]


def test_matches_tells_how_a_route_takes_a_request() -> None:
    app = make_app()
    routes = {route.name: route for route in app.routes if route.name}
    by_int, update = routes["by_int"], routes["update"]
    get = {**http_scope("GET", "/items/7"), "path_params": {"outer": "x"}}
    assert by_int.matches(get) == (
        Match.FULL,
        {
            "path_params": {"outer": "x", "item_id": 7},
            "route": by_int,
            "endpoint": by_int.endpoint,  # type: ignore[attr-defined]
        },
    )
    assert update.matches(get)[0] is Match.PARTIAL  # the path, not the method
    assert by_int.matches(http_scope("GET", "/items/me"))[0] is Match.NONE
    assert by_int.matches({"type": "lifespan"}) == (Match.NONE, {})
    websocket = {**http_scope("GET", "/items/7"), "type": "websocket"}
    assert by_int.matches(websocket)[0] is Match.PARTIAL
    behind = {**http_scope("GET", "/proxy/items/7"), "root_path": "/proxy"}
    assert by_int.matches(behind)[0] is Match.FULL
    mount = Mount("/static", app)
    assert mount.matches(http_scope("POST", "/static/x.css")) == (
        Match.FULL,
        {"path_params": {}, "route": mount},
    )


def test_the_scope_holds_the_route_that_took_the_request() -> None:
    app = Transom()
    router = APIRouter(prefix="/users")

    def template(request: Request) -> str:
        route: APIRoute = request.scope["route"]
        return route.path

    @router.get("/{user_id}")
    def user(user_id: str, path: Annotated[str, Depends(template)]) -> list[str]:
        return [user_id, path]

    @app.get("/static")
    def static(path: Annotated[str, Depends(template)]) -> str:
        return path

    @app.websocket("/items/{item_id}")
    async def item(websocket: WebSocket, item_id: str) -> None:
        await websocket.accept()
        await websocket.send_json([item_id, websocket.scope["route"].path])

    app.include_router(router, prefix="/api")
    c = TestClient(app)
    assert c.get("/api/users/rick").json() == ["rick", "/api/users/{user_id}"]
    assert c.get("/static").json() == "/static"
    with c.websocket_connect("/items/gun") as ws:
        assert ws.receive_json() == ["gun", "/items/{item_id}"]


def test_route_decorator_adds_a_plain_route_to_an_app_or_router() -> None:
    app = Transom()
    router = APIRouter()

    @router.route("/items/", methods=["GET", "POST"], name="items")
    def items(request: Request) -> Response:
        return PlainTextResponse(f"items {request.method}")

    @app.route("/plain")
    async def plain(request: Request) -> Response:
        return PlainTextResponse("plain")

    app.include_router(router, prefix="/api")
    c = TestClient(app)
    assert c.post("/api/items/").text == "items POST"
    assert c.get("/plain").text == "plain"
    refused = c.post("/plain")
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET, HEAD")
    assert app.url_path_for("items") == "/api/items/"
    assert app.openapi()["paths"] == {}


def test_trace_path_operation() -> None:
    app = Transom()
    router = APIRouter()

    @router.trace("/items/{item_id}")
    def trace_item(item_id: str) -> Response:
        return PlainTextResponse(f"TRACE /items/{item_id}", media_type="message/http")

    @app.trace("/echo")
    def echo() -> str:
        return "echo"

    app.include_router(router)
    c = TestClient(app)
    response = c.request("TRACE", "/items/a")
    assert response.status_code == 200
    assert response.headers["content-type"] == "message/http"
    assert response.content == b"TRACE /items/a"
    assert c.request("TRACE", "/echo").json() == "echo"
    assert c.get("/echo").status_code == 405
    assert list(app.openapi()["paths"]["/items/{item_id}"]) == ["trace"]


class Versioned(BaseRoute):
    """A route written the Starlette way: no template, its own `matches`."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        version, _, rest = scope["path"].removeprefix("/v").partition("/")
        if not version.isdigit() or rest != "status":
            return Match.NONE, {}
        child = {"path_params": {"version": int(version)}}
        return (Match.FULL if scope["method"] == "GET" else Match.PARTIAL), child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        version = scope["path_params"]["version"]
        if scope["method"] != "GET":
            response = PlainTextResponse("GET only", status_code=405, headers={"Allow": "GET"})
        else:
            response = PlainTextResponse(f"v{version} ok, route {scope['route'] is self}")
        await response(scope, receive, send)


def test_a_route_that_overrides_matches_is_asked_after_the_indexed_routes() -> None:
    app = Transom()

    @app.get("/v2/status")
    def indexed() -> str:
        return "indexed"

    app.router.routes.append(Versioned())
    c = TestClient(app)
    assert c.get("/v1/status").text == "v1 ok, route True"
    assert c.get("/v2/status").json() == "indexed"  # the index first
    refused = c.post("/v1/status")  # its partial match answers
    assert (refused.status_code, refused.text, refused.headers["allow"]) == (405, "GET only", "GET")
    indexed_refusal = c.post("/v2/status")  # an indexed route's 405 wins over a partial match
    assert (indexed_refusal.status_code, indexed_refusal.headers["allow"]) == (405, "GET")
    assert c.get("/v1/other").status_code == 404
    with pytest.raises(NoMatchFound):
        app.url_path_for("missing")  # a route without a name is skipped
    router = APIRouter()
    router.routes.append(Versioned())
    with pytest.raises(DeclarationError, match="include_router cannot include <tests"):
        app.include_router(router, prefix="/api")


def test_changing_the_routes_list_changes_what_is_served() -> None:
    def plain(request: Request) -> Response:
        return PlainTextResponse(f"plain {request.url.path}")

    app = Transom()
    c = TestClient(app)
    app.router.routes.append(Route("/plain", plain))
    app.routes.extend([Route("/items/{item_id}", plain), Mount("/mounted", app)])
    assert c.get("/plain").text == "plain /plain"
    assert c.get("/items/7").text == "plain /items/7"
    assert c.get("/mounted/plain").text == "plain /mounted/plain"
    first = Route("/items/{item_id}", lambda request: PlainTextResponse("first"))
    app.routes.insert(0, first)
    assert c.get("/items/7").text == "first"
    app.routes.remove(first)
    del app.routes[-1]
    assert c.get("/items/7").text == "plain /items/7"
    assert c.get("/mounted/plain").status_code == 404
    app.router.routes = [Route("/only", plain)]
    assert (c.get("/only").status_code, c.get("/plain").status_code) == (200, 404)
    app.routes.clear()
    assert c.get("/only").status_code == 404
