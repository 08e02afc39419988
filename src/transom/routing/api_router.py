"""Routers: `APIRouter` and the verb decorators (`RouteDecorators`) it shares with the app.

An `APIRouter` collects path operations (`transom.routing.api.APIRoute`), websocket
routes, frontends and mounts under its layer of options (`RouteLayer`: prefix,
tags, dependencies, responses, ...). `include_router` copies the included
router's routes into this one with the include's layer added, resolved once (a
route added to the included router afterwards is not served: README), and
refuses loops: a router included into itself or into a router it includes.

The verb decorators (`get`, `post`, ...) share one options type, `RouteOptions`,
instead of repeating FastAPI's forty keyword arguments per verb.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, TypeVar, Unpack

from transom.exceptions import DeclarationError
from transom.http.caching import CacheControl
from transom.metadata import ResponseCookie, ResponseHeader
from transom.params import Dependency
from transom.responses import (
    JSONResponse,
    Response,
)
from transom.routing.api import APIRoute, DependencyOverrides, FrontendRoute, check_callbacks
from transom.routing.frontend import (
    CheckDir,
    Fallback,
    Frontend,
    FrontendFiles,
    frontend_path,
    resolve_check_dir,
)
from transom.routing.options import (
    RouteLayer,
    RouteOptions,
    check_options,
)
from transom.routing.paths import documents_only
from transom.routing.router import BaseRoute, LifespanArg, Mount, Route, Router
from transom.routing.websocket import APIWebSocketRoute, WebSocketDecorators, WebSocketRoute
from transom.staticfiles import PathLike

__all__ = ["APIRouter", "RouteDecorators"]

F = TypeVar("F", bound=Callable[..., Any])


class RouteDecorators:
    """`api_route`, `get`, `post`, ..., `trace` for any class with `add_api_route`."""

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        **options: Unpack[RouteOptions],
    ) -> None:
        raise NotImplementedError  # pragma: no cover

    def api_route(
        self, path: str, *, methods: Sequence[str] | None = None, **options: Unpack[RouteOptions]
    ) -> Callable[[F], F]:
        """Register the decorated function for `path` and `methods` (default GET).

        A misspelt option raises here, where the decorator is written, before any
        function is decorated (as FastAPI's keyword arguments do).
        """
        verbs = "|".join(sorted(method.upper() for method in methods or ["GET"]))
        check_options(options, f"route {verbs} {path}")

        def decorator(endpoint: F) -> F:
            self.add_api_route(path, endpoint, methods=methods, **options)
            return endpoint

        return decorator

    def get(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a GET path operation."""
        return self.api_route(path, methods=["GET"], **options)

    def post(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a POST path operation."""
        return self.api_route(path, methods=["POST"], **options)

    def put(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a PUT path operation."""
        return self.api_route(path, methods=["PUT"], **options)

    def patch(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a PATCH path operation."""
        return self.api_route(path, methods=["PATCH"], **options)

    def delete(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a DELETE path operation."""
        return self.api_route(path, methods=["DELETE"], **options)

    def head(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a HEAD path operation."""
        return self.api_route(path, methods=["HEAD"], **options)

    def options(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register an OPTIONS path operation."""
        return self.api_route(path, methods=["OPTIONS"], **options)

    def trace(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Register a TRACE path operation."""
        return self.api_route(path, methods=["TRACE"], **options)


class APIRouter(Router, RouteDecorators, WebSocketDecorators):
    """A group of path operations with a shared prefix, tags, dependencies and responses.

    Include it in the app (or another router) with `include_router`. Its
    `cache_control=` and `etag=` apply to its routes unless a closer layer (an
    `include_router` call inside it, or the route) says otherwise; so does its
    `strict_content_type=` (`None`, the default, leaves it to the layers further
    out). Its `callbacks=` are documented on each of its operations, after those of
    the layers above and before the route's own. Its path operations are instances
    of `route_class` (an `APIRoute` subclass), which may be set later too
    (`app.router.route_class = TimedRoute`) for the routes declared after.
    """

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[Dependency] | None = None,
        default_response_class: type[Response] | None = None,
        responses: dict[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        redirect_slashes: bool = True,
        lifespan: LifespanArg | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        dependency_overrides: DependencyOverrides | None = None,
        response_headers: Sequence[ResponseHeader] | None = None,
        response_cookies: Sequence[ResponseCookie] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | None = None,
        cache_control: CacheControl | None = None,
        etag: bool | None = None,
        callbacks: Sequence[BaseRoute] | None = None,
        route_class: type[APIRoute] = APIRoute,
        strict_content_type: bool | None = None,
    ) -> None:
        super().__init__(
            redirect_slashes=redirect_slashes,
            lifespan=lifespan,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
        )
        _check_prefix("Router prefix", prefix)
        self.prefix = prefix
        self.dependency_overrides = (
            DependencyOverrides() if dependency_overrides is None else dependency_overrides
        )
        self.route_class = route_class
        #: The routers included into this one (`include_router`), in order.
        self.included_routers: list[APIRouter] = []
        check_callbacks(callbacks, "APIRouter")
        #: What this router adds to each of its routes, resolved per route.
        self.layer = RouteLayer.of(
            tags=tags,
            dependencies=dependencies,
            responses=responses,
            deprecated=deprecated,
            include_in_schema=include_in_schema,
            default_response_class=default_response_class,
            response_headers=response_headers,
            response_cookies=response_cookies,
            generate_unique_id_function=generate_unique_id_function,
            cache_control=cache_control,
            etag=etag,
            callbacks=callbacks,
            strict_content_type=strict_content_type,
        )

    @property
    def route_class(self) -> type[APIRoute]:
        """The class of the path operations declared on this router from now on."""
        return self._route_class

    @route_class.setter
    def route_class(self, route_class: type[APIRoute]) -> None:
        if not (isinstance(route_class, type) and issubclass(route_class, APIRoute)):
            raise DeclarationError(
                f"route_class= takes a subclass of APIRoute, got {route_class!r}; "
                "subclass transom.routing.APIRoute and override get_route_handler() "
                "(or handle())."
            )
        self._route_class = route_class

    @property
    def tags(self) -> list[str | Enum]:
        return list(self.layer.tags)

    @property
    def callbacks(self) -> list[BaseRoute]:
        return list(self.layer.callbacks)

    @property
    def dependencies(self) -> list[Dependency]:
        return list(self.layer.dependencies)

    @property
    def default_response_class(self) -> type[Response]:
        return self.layer.default_response_class or JSONResponse

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        **options: Unpack[RouteOptions],
    ) -> None:
        """Add a path operation (an instance of `route_class`); its plan is compiled now."""
        if documents_only(path):
            _check_no_prefix(path, self.prefix)
        route = self.route_class(
            self.prefix + path,
            endpoint,
            methods=methods or ["GET"],
            overrides=self.dependency_overrides,
            layers=(self.layer,),
            **options,
        )
        self.append(route)

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        *,
        dependencies: Sequence[Dependency] | None = None,
    ) -> None:
        """Add a WebSocket endpoint with parameters and dependencies; its plan is compiled now."""
        route = APIWebSocketRoute(
            self.prefix + path,
            endpoint,
            overrides=self.dependency_overrides,
            name=name,
            dependencies=dependencies,
            layers=(self.layer,),
        )
        self.append(route)

    def add_websocket_route(
        self, path: str, endpoint: Callable[..., Any], name: str | None = None
    ) -> None:
        """Add a plain `async def endpoint(websocket)` at `path` (as `add_route`, no prefix)."""
        self.append(WebSocketRoute(path, endpoint, name=name))

    def frontend(
        self,
        path: str,
        *,
        directory: PathLike,
        fallback: Fallback = "auto",
        check_dir: CheckDir = "auto",
    ) -> None:
        """Serve a static frontend build (a single-page app's `dist/`) below `path`.

        The frontend is asked only when no route takes a request; its `GET`
        and `HEAD` run this router's dependencies (and those of the routers it
        is included in). See `transom.routing.frontend` for the fallback.

        Args:
            path: The prefix below this router's, `"/"` for the router's own.
            directory: The build's folder.
            fallback: What a path that names no file gets: `"auto"`, `"index.html"`
                (to page navigations), `"404.html"`, or `None` (the 404).
            check_dir: Check now that the directory (and an explicit fallback
                file) exists; `"auto"` checks unless `TRANSOM_ENV=development`.

        Raises:
            DeclarationError: for a path without a leading `/` or an unknown fallback.
            RuntimeError: if the check finds the directory or fallback file missing.
        """
        checked = resolve_check_dir(directory, check_dir, stacklevel=2)
        declared = frontend_path(path)
        files = FrontendFiles(directory, fallback=fallback, check_dir=checked)
        prefix = self.prefix + ("" if declared == "/" else declared)
        route = FrontendRoute(
            prefix or "/",
            files.serve,
            methods=["GET", "HEAD"],
            overrides=self.dependency_overrides,
            layers=(self.layer,),
            include_in_schema=False,
        )
        self.add_fallback(Frontend(prefix, files, route))

    def include_router(
        self,
        router: APIRouter,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[Dependency] | None = None,
        responses: dict[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        default_response_class: type[Response] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | None = None,
        cache_control: CacheControl | None = None,
        etag: bool | None = None,
        callbacks: Sequence[BaseRoute] | None = None,
    ) -> None:
        """Add every route of `router` under `prefix`, with extra tags and dependencies.

        The keyword arguments form a layer between this router and the
        included one; each route keeps what it declared, and resolves the
        layers once (see `transom.routing.options`). `cache_control=` and
        `etag=` apply to the included routes unless the included router or the
        route sets its own; `callbacks=` are documented on each included
        operation. Each route is included as an instance of its own class.

        A router of webhooks or callbacks (routes that only document a request)
        may be included in another one, without a prefix; the app refuses them.

        Raises:
            DeclarationError: if a prefix would go before a webhook's name or a
                callback's URL; if `router` is this one, or includes it (at any
                depth); if `prefix` is empty and a route's path is `""` too.
        """
        _check_prefix("include_router prefix", prefix)
        self._check_includable(router, prefix)
        check_callbacks(callbacks, "include_router")
        for route in router.routes:
            if isinstance(route, APIRoute) and route.documentation_only:
                _check_no_prefix(route.path, self.prefix + prefix)
        call = RouteLayer.of(
            tags=tags,
            dependencies=dependencies,
            responses=responses,
            deprecated=deprecated,
            include_in_schema=include_in_schema,
            default_response_class=default_response_class,
            generate_unique_id_function=generate_unique_id_function,
            cache_control=cache_control,
            etag=etag,
            callbacks=callbacks,
            where="include_router",
        )
        for route in router.routes:
            if isinstance(route, (APIRoute, APIWebSocketRoute)):
                path = self.prefix + prefix + route.path
                self.append(route.included(path, (self.layer, call), self.dependency_overrides))
            else:
                self._copy_route(prefix, route)
        for fallback in router.fallbacks:
            if isinstance(fallback, Frontend):  # the fallbacks an `APIRouter` declares
                self._include_frontend(prefix, fallback, (self.layer, call))
        self.included_routers.append(router)
        self.on_startup += router.on_startup
        self.on_shutdown += router.on_shutdown
        if router.lifespan_context is not None:
            self.included_lifespans.append(router.lifespan_context)
        self.included_lifespans += router.included_lifespans

    def _check_includable(self, router: APIRouter, prefix: str) -> None:
        """Refuse an include that makes a cycle, or that leaves a route without a path."""
        if router is self:
            raise DeclarationError(
                "Cannot include the same APIRouter instance into itself. Did you mean to "
                f"include a different router? (router: {_describe(router)})"
            )
        if _includes(router, self):
            raise DeclarationError(
                f"Cannot include {_describe(router)} into {_describe(self)}: the first "
                "already includes the second, directly or through other routers. Did you "
                "mean to include a different router?"
            )
        if prefix:
            return
        for route in router.routes:
            if isinstance(route, (APIRoute, APIWebSocketRoute)) and route.path == "":
                raise DeclarationError(
                    f"Prefix and path cannot be both empty: the path operation {route.name!r} "
                    "has the path '' and its router is included without prefix=. Include "
                    'it with a prefix (prefix="/items"), or give the route a path that '
                    "starts with '/'."
                )

    def _include_frontend(
        self, prefix: str, frontend: Frontend, layers: tuple[RouteLayer, ...]
    ) -> None:
        path = self.prefix + prefix + frontend.prefix
        route = frontend.route.included(path or "/", layers, self.dependency_overrides)
        self.add_fallback(Frontend(path, frontend.files, route))

    def _copy_route(self, prefix: str, route: BaseRoute) -> None:
        if isinstance(route, Mount):
            self.mount(self.prefix + prefix + route.prefix, route.app, name=route.name)
        elif isinstance(route, Route):
            methods = sorted(route.methods or frozenset[str]())
            self.add_route(self.prefix + prefix + route.path, route.endpoint, methods, route.name)
        elif isinstance(route, WebSocketRoute):
            self.add_websocket_route(self.prefix + prefix + route.path, route.endpoint, route.name)
        else:
            raise DeclarationError(
                f"include_router cannot include {route!r}: it copies path operations, "
                "routes, WebSocket routes and mounts, and a route of another kind (one "
                "that matches by its own matches()) cannot be moved under a prefix; add "
                "it to the router that serves it (app.router.routes.append(route))."
            )


def _includes(outer: APIRouter, router: APIRouter) -> bool:
    """Whether `router` was included into `outer`, directly or through other routers."""
    seen: set[int] = set()
    pending = list(outer.included_routers)
    while pending:
        included = pending.pop()
        if included is router:
            return True
        if id(included) not in seen:
            seen.add(id(included))
            pending += included.included_routers
    return False


def _describe(router: APIRouter) -> str:
    return (
        f"APIRouter(prefix={router.prefix!r})" if router.prefix else "an APIRouter without prefix"
    )


def _check_no_prefix(path: str, prefix: str) -> None:
    """Refuse a prefix before a path that only documents a request (a webhook, a callback)."""
    if prefix:
        raise DeclarationError(
            f"A webhook's name or a callback's URL takes no router prefix: {path!r} under "
            f"the prefix {prefix!r}; declare it on a router without one, and include "
            "that router without prefix= (the app never serves it)."
        )


def _check_prefix(what: str, prefix: str) -> None:
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise DeclarationError(f"{what} must start with '/' and not end with '/', got {prefix!r}.")
