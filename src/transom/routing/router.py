"""The router: finds the route for a request, and runs the lifespan.

Static paths are found by one dictionary lookup, before any parameterised
pattern is tried, so their cost does not grow with the number of routes. A
path that exists for other methods gets 405 with `Allow`; no match gets 404
(both raised as `HTTPException`, so exception handlers and CORS see them).
Before a 404, the router's fallback routes are asked (a frontend build served
below a prefix, `transom.routing.frontend`): the one with the longest prefix
that holds the path takes the request. The route that takes a request is in
its scope as `"route"` (as in Starlette): one store, on the match only.

This module knows nothing of dependency injection: a route is anything with a
`template`, `methods` and an ASGI `handle`. A route without a template, or one
whose class overrides `matches` (Starlette's way of writing a route), is asked
by calling `matches` instead, in the order of `routes`, once the index has no
route for the request: a full match takes it, and a partial one does where no
indexed route answers 405. `Router.routes` is the list itself; changing it (an
`append`, a `remove`) changes what is served.
"""

from __future__ import annotations

import contextlib
import enum
import inspect
import traceback
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from typing import Any, Self, SupportsIndex, TypeVar

from transom._types import ASGIApp, Receive, Scope, Send
from transom.concurrency import run_in_threadpool
from transom.exceptions import HTTPException
from transom.http.urls import URL, route_path
from transom.requests import Request
from transom.responses import RedirectResponse, Response, marking_start, uses_start_path
from transom.routing.index import SegmentIndex, literal_segments
from transom.routing.paths import SLASH, Lookup, PathTemplate, compile_path

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "ON_EVENT_DEPRECATED",
    "WEBSOCKET",
    "BaseRoute",
    "FallbackRoute",
    "Lifespan",
    "LifespanArg",
    "Match",
    "Mount",
    "NoMatchFound",
    "Route",
    "RouteList",
    "Router",
    "asks_itself",
    "lifespan_context",
    "route_path",
]

#: The method a WebSocket handshake is routed by: only routes whose `methods` hold it take one.
WEBSOCKET = "WEBSOCKET"

Lifespan = Callable[[Any], contextlib.AbstractAsyncContextManager[Any]]
#: What `lifespan=` takes: an async context manager factory, or a generator function
#: (sync or async) that yields once, as FastAPI takes it.
LifespanArg = Lifespan | Callable[[Any], AsyncIterator[Any]] | Callable[[Any], Iterator[Any]]

ON_EVENT_DEPRECATED = (
    "on_event is deprecated, use lifespan event handlers instead: "
    "Transom(lifespan=...) with an @asynccontextmanager function, code before its "
    "`yield` run at startup and after it at shutdown."
)


def lifespan_context(lifespan: LifespanArg | None) -> Lifespan | None:
    """`lifespan` as an async context manager factory.

    A generator function is wrapped: an async one with `asynccontextmanager`, a
    sync one with `contextmanager`, entered and exited on the event loop (as
    FastAPI does), so its code must not block for long.
    """
    if lifespan is None:
        return None
    if inspect.isasyncgenfunction(lifespan):
        return contextlib.asynccontextmanager(lifespan)
    if inspect.isgeneratorfunction(lifespan):
        manager = contextlib.contextmanager(lifespan)

        @contextlib.asynccontextmanager
        async def lifted(app: Any) -> AsyncIterator[Any]:
            with manager(app) as state:
                yield state

        return lifted
    return lifespan  # type: ignore[return-value]  # a context manager factory


def below(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` or lies below it (`prefix` without a trailing slash)."""
    return not prefix or path == prefix or path.startswith(prefix + "/")


class Match(enum.Enum):
    """How a route matches a request (`BaseRoute.matches`), as in Starlette."""

    NONE = 0
    #: The path matches, the method does not (the router's 405).
    PARTIAL = 1
    FULL = 2


class NoMatchFound(LookupError):
    """`url_path_for` found no route of that name."""


class BaseRoute:
    """What the router needs of a route: `template`, `methods` and `handle`, or
    `matches` and `handle` (see `asks_itself`)."""

    template: PathTemplate
    methods: frozenset[str] | None = None
    name: str | None = None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError  # pragma: no cover

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Whether this route takes the request of `scope`, and the scope items it would set.

        For code that inspects routes (Starlette's API); the router calls it only
        where a subclass overrides it (`asks_itself`), and finds the others by
        their template. A WebSocket handshake matches only WebSocket routes.
        """
        if scope["type"] not in ("http", "websocket"):
            return Match.NONE, {}
        params = self.match_path(route_path(scope))
        if params is None:
            return Match.NONE, {}
        child: Scope = {"path_params": {**scope.get("path_params", {}), **params}, "route": self}
        endpoint = getattr(self, "endpoint", None)
        if endpoint is not None:
            child["endpoint"] = endpoint
        method = scope["method"] if scope["type"] == "http" else WEBSOCKET
        if self.methods is None or method in self.methods:
            return Match.FULL, child
        return Match.PARTIAL, child

    def match_path(self, path: str) -> dict[str, Any] | None:
        return self.template.match(path)

    def lookup(self, path: str) -> Lookup:
        """How the router asks a route, once per request: `match_path`, or `SLASH`
        if only the path with its trailing slash toggled matches."""
        return self.template.lookup(path)

    @property
    def path(self) -> str:
        return self.template.template


class Route(BaseRoute):
    """A plain endpoint: `func(request) -> Response`, sync (run in a thread) or async."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        self.template = compile_path(path)
        # The template's own matchers: one call less per request than the methods.
        self.match_path = self.template.match  # type: ignore[method-assign]
        self.lookup = self.template.lookup  # type: ignore[method-assign,assignment]
        self.endpoint = endpoint
        self.name = name or getattr(endpoint, "__name__", None)
        upper = {method.upper() for method in methods or ("GET",)}
        if "GET" in upper:
            upper.add("HEAD")
        self.methods = frozenset(upper)
        self._is_async = inspect.iscoroutinefunction(endpoint)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        if self._is_async:
            response = await self.endpoint(request)
        else:
            response = await run_in_threadpool(self.endpoint, request)
        if not uses_start_path(response):
            send = marking_start(scope, send)
        await response(scope, receive, send)


class Mount(BaseRoute):
    """Serve an ASGI app below a path prefix; the app sees the prefix in `root_path`."""

    def __init__(self, path: str, app: ASGIApp, *, name: str | None = None) -> None:
        path = path.rstrip("/")
        self.template = compile_path(path or "/", prefix_only=True)
        self.prefix = path
        self.app = app
        self.name = name
        self.methods = None

    def match_path(self, path: str) -> dict[str, Any] | None:
        if below(path, self.prefix):
            return self.template.match(path) if self.template.converters else {}
        return None

    def lookup(self, path: str) -> Lookup:
        # A mount that matches the path with its trailing slash toggled matches it as is.
        return self.match_path(path)

    def url_path_for(self, name: str, params: dict[str, Any]) -> str | None:
        """The path for `name` below this mount, or `None` if it names nothing here."""
        if self.name is not None and name == self.name and set(params) <= {"path"}:
            path = str(params.get("path", "/"))
            return self.prefix + (path if path.startswith("/") else "/" + path)
        mount, colon, child = name.partition(":")
        inner = getattr(self.app, "url_path_for", None)
        if colon and mount == self.name and inner is not None:
            try:
                found: str = inner(child, **params)
            except LookupError:
                return None
            return self.prefix + found
        return None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        child = dict(scope)
        child["root_path"] = scope.get("root_path", "") + self.prefix
        # The mounted app may not use the start path, and would mark `child`.
        await self.app(child, receive, marking_start(scope, send))


class FallbackRoute(BaseRoute):
    """A route asked only when no route of its router takes a request, before the 404.

    It takes the HTTP requests at and below `prefix` (`""` for every path), whatever
    their method; of several, the one with the longest prefix wins, the first
    added on a tie.
    """

    prefix: str
    methods = None
    name = None

    def match_path(self, path: str) -> dict[str, Any] | None:
        return {} if below(path, self.prefix) else None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        return super().matches(scope)

    def lookup(self, path: str) -> Lookup:
        return self.match_path(path)

    @property
    def path(self) -> str:
        return self.prefix or "/"


def asks_itself(route: BaseRoute) -> bool:
    """Whether the router asks `route` by its own `matches()` instead of its path index:
    a route without a path template, or one whose class overrides `matches`."""
    return getattr(route, "template", None) is None or type(route).matches is not BaseRoute.matches


class RouteList(list[BaseRoute]):
    """`Router.routes`: a list that keeps its router's index in step with it.

    Code written for Starlette declares routes by changing the list itself
    (`app.router.routes.append(route)`); the router serves what the list holds.
    An append indexes the one route; any other change re-indexes them all (at
    declaration time, not per request).
    """

    def __init__(self, router: Router, routes: Iterable[BaseRoute] = ()) -> None:
        super().__init__()
        self._router = router
        self.extend(routes)

    def append(self, route: BaseRoute) -> None:
        super().append(route)
        self._router._file_route(route)

    def extend(self, routes: Iterable[BaseRoute]) -> None:
        for route in routes:
            self.append(route)

    def __iadd__(self, routes: Iterable[BaseRoute]) -> Self:  # type: ignore[override,misc]
        self.extend(routes)
        return self

    def insert(self, index: SupportsIndex, route: BaseRoute) -> None:
        super().insert(index, route)
        self._router._reindex()

    def remove(self, route: BaseRoute) -> None:
        super().remove(route)
        self._router._reindex()

    def pop(self, index: SupportsIndex = -1) -> BaseRoute:
        route = super().pop(index)
        self._router._reindex()
        return route

    def clear(self) -> None:
        super().clear()
        self._router._reindex()

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self._router._reindex()

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._router._reindex()

    def sort(self, *args: Any, **kwargs: Any) -> None:
        super().sort(*args, **kwargs)
        self._router._reindex()

    def reverse(self) -> None:
        super().reverse()
        self._router._reindex()


class Router:
    """An ASGI app that dispatches to its routes and runs the lifespan."""

    def __init__(
        self,
        routes: Sequence[BaseRoute] | None = None,
        *,
        redirect_slashes: bool = True,
        lifespan: LifespanArg | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
    ) -> None:
        #: Asked when no route takes a request, longest prefix first (`add_fallback`).
        self.fallbacks: list[FallbackRoute] = []
        self._static: dict[str, list[BaseRoute]] = {}
        self._dynamic: SegmentIndex[BaseRoute] = SegmentIndex()
        #: Routes asked by their own `matches()` (`asks_itself`), after the index misses.
        self._asking: list[BaseRoute] = []
        self._routes = RouteList(self)
        self.redirect_slashes = redirect_slashes
        self.lifespan_context = lifespan_context(lifespan)
        #: The lifespans of routers included into this one, entered after its own.
        self.included_lifespans: list[Lifespan] = []
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        for route in routes or ():
            self.append(route)

    @property
    def routes(self) -> list[BaseRoute]:
        """The routes, in the order declared; changing the list changes what is served."""
        return self._routes

    @routes.setter
    def routes(self, routes: Iterable[BaseRoute]) -> None:
        self._routes = RouteList(self, routes)
        self._reindex()

    def append(self, route: BaseRoute) -> None:
        """Add a route object (as `routes.append`)."""
        self._routes.append(route)

    def _file_route(self, route: BaseRoute) -> None:
        """File a route of `routes` where the router looks: static paths in the lookup
        table, patterns in the segment index, others with the routes that ask themselves."""
        if asks_itself(route):
            self._asking.append(route)
        elif route.template.is_static and not isinstance(route, Mount):
            self._static.setdefault(route.template.template, []).append(route)
        else:
            self._dynamic.add(literal_segments(route.template.template), route)

    def _reindex(self) -> None:
        """Index `routes` again, after a change other than an append."""
        self._static, self._dynamic, self._asking = {}, SegmentIndex(), []
        for route in self._routes:
            self._file_route(route)

    def add_fallback(self, route: FallbackRoute) -> None:
        """Add a route asked only when no route takes a request (see `FallbackRoute`)."""
        self.fallbacks.append(route)
        # Stable: routes with the same prefix keep the order they were added in.
        self.fallbacks.sort(key=lambda fallback: -len(fallback.prefix))

    def add_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        """Add a plain `request -> Response` endpoint."""
        self.append(Route(path, endpoint, methods=methods, name=name))

    def route(
        self, path: str, methods: Sequence[str] | None = None, name: str | None = None
    ) -> Callable[[F], F]:
        """Register the decorated `request -> Response` function as a plain route (`add_route`)."""

        def decorator(endpoint: F) -> F:
            self.add_route(path, endpoint, methods=methods, name=name)
            return endpoint

        return decorator

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        """Serve `app` below `path`."""
        self.append(Mount(path, app, name=name))

    def url_path_for(self, name: str, /, **params: Any) -> str:
        """The path of the route called `name`, with `params` filled in.

        A named mount takes `path` (`url_path_for("static", path="/app.css")`);
        `"mount:child"` names a route of the app mounted as `mount`.
        """
        for route in self.routes:
            if isinstance(route, Mount):
                found = route.url_path_for(name, params)
                if found is not None:
                    return found
            elif route.name == name:
                return route.template.build(**params)
        raise NoMatchFound(f"No route named {name!r}.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self.lifespan(scope, receive, send)
            return
        path = route_path(scope) if scope.get("root_path") else scope["path"]
        # A WebSocket handshake matches WebSocket routes and mounts, nothing else.
        method = scope["method"] if kind == "http" else WEBSOCKET
        for route in self._static.get(path, ()):
            if route.methods is None or method in route.methods:
                scope["route"] = route
                await route.handle(scope, receive, send)
                return
        # Each pattern is asked once: its answer also says whether the path with
        # the trailing slash toggled would match, so a miss needs no second pass.
        near: list[tuple[BaseRoute, Lookup]] | None = None
        for route in self._dynamic.candidates(path):
            params = route.lookup(path)
            if params is None:
                continue
            if params is not SLASH and (route.methods is None or method in route.methods):
                # A mount's router runs inside another's: keep the outer parameters.
                if "path_params" in scope:
                    params = {**scope["path_params"], **params}
                scope["path_params"] = params
                scope["route"] = route
                await route.handle(scope, receive, send)
                return
            near = near or []
            near.append((route, params))
        await self._miss(scope, receive, send, path, method, near or [])

    async def _miss(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        path: str,
        method: str,
        near: list[tuple[BaseRoute, Lookup]],
    ) -> None:
        """Answer a path no route takes with this method: 405, a slash redirect, or 404.

        `near` holds the patterns' answers that did not lead to a route: a match
        for another method, or a match of the path with its trailing slash toggled.
        The routes that ask themselves come first: a full match takes the request;
        a partial one does unless an indexed route matches the path (the 405).
        """
        asked = self._ask_routes(scope) if self._asking else None
        if asked is not None and (asked[1] is Match.FULL or scope["type"] == "websocket"):
            await self._take(asked[0], asked[2], scope, receive, send)
            return
        if scope["type"] == "websocket":
            # Refused before any accept, as Starlette does: the server answers 403.
            await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        matched = [route for route, answer in near if answer is not SLASH]
        toggled = [route for route, answer in near if answer is SLASH]
        methods: set[str] = set()
        for route in [*self._static.get(path, ()), *matched]:
            methods |= route.methods or frozenset()
        methods.discard(WEBSOCKET)
        if methods:
            raise HTTPException(405, headers={"Allow": ", ".join(sorted(methods))})
        if asked is not None:  # a partial match, as Starlette hands it the request
            await self._take(asked[0], asked[2], scope, receive, send)
            return
        if self.redirect_slashes and path != "/":
            other = path[:-1] if path.endswith("/") else path + "/"
            if any(
                route.methods is None or method in route.methods
                for route in [*toggled, *self._static.get(other, ())]
            ):
                await self._redirect(scope, other, receive, send)
                return
        for fallback in self.fallbacks:
            if below(path, fallback.prefix):
                await fallback.handle(scope, receive, send)
                return
        raise HTTPException(404)

    def _ask_routes(self, scope: Scope) -> tuple[BaseRoute, Match, Scope] | None:
        """The first route that asks itself and fully matches, else the first partial one."""
        partial = None
        for route in self._asking:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return route, match, child
            if match is Match.PARTIAL and partial is None:
                partial = (route, match, child)
        return partial

    async def _take(
        self, route: BaseRoute, child: Scope, scope: Scope, receive: Receive, send: Send
    ) -> None:
        scope.update(child)
        scope["route"] = route
        await route.handle(scope, receive, send)

    async def _redirect(self, scope: Scope, path: str, receive: Receive, send: Send) -> None:
        # Built like `request.url`, so a Host header that is no host never becomes
        # the redirect's authority, and a relative target never reads as one.
        target = URL(scope={**scope, "path": scope.get("root_path", "") + path})
        response: Response = RedirectResponse(str(target))
        await response(scope, receive, send)

    def on_event(self, event: str) -> Callable[[F], F]:
        """Register a startup or shutdown handler: `@router.on_event("startup")`.

        Deprecated, as in FastAPI (it warns with `DeprecationWarning`): use `lifespan=`.
        """
        warnings.warn(ON_EVENT_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self.add_event_handler(event)

    def add_event_handler(self, event: str) -> Callable[[F], F]:
        """`on_event` without its deprecation warning (for the app's own `on_event`)."""
        if event not in ("startup", "shutdown"):
            raise ValueError(f"Event must be 'startup' or 'shutdown', got {event!r}.")

        def decorator(func: F) -> F:
            (self.on_startup if event == "startup" else self.on_shutdown).append(func)
            return func

        return decorator

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Any) -> AsyncIterator[dict[str, Any] | None]:
        """Startup handlers, then this router's lifespan and the included ones'; the
        reverse at shutdown. The lifespans' state is merged, the outermost first."""
        for handler in self.on_startup:
            await _maybe_await(handler)
        state: dict[str, Any] = {}
        async with contextlib.AsyncExitStack() as stack:
            for context in [self.lifespan_context, *self.included_lifespans]:
                if context is not None:
                    entered = await stack.enter_async_context(context(app))
                    # An outer lifespan's key wins over an included router's, as in FastAPI.
                    state = {**(entered or {}), **state}
            yield state or None
        for handler in self.on_shutdown:
            await _maybe_await(handler)

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the ASGI lifespan protocol around the lifespan context."""
        context = self._lifespan
        started = False
        await receive()
        try:
            async with context(scope.get("app")) as state:
                if state is not None:
                    if "state" not in scope:
                        raise RuntimeError(
                            "The lifespan yielded state, but the server does not support "
                            "lifespan state."
                        )
                    scope["state"].update(state)
                await send({"type": "lifespan.startup.complete"})
                started = True
                await receive()
        except BaseException as exc:
            phase = "shutdown" if started else "startup"
            # The server logs the message and, once told, not the exception raised
            # next (uvicorn): the message carries the whole traceback, down to the
            # line of the lifespan that failed.
            message = f"The lifespan's {phase} failed:\n" + "".join(traceback.format_exception(exc))
            await send({"type": f"lifespan.{phase}.failed", "message": message.rstrip()})
            raise
        await send({"type": "lifespan.shutdown.complete"})


async def _maybe_await(handler: Callable[[], Any]) -> None:
    result = handler()
    if isinstance(result, Awaitable):
        await result
