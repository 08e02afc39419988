"""`Transom`: the application.

The app is an ASGI app made of layers, each an ASGI app itself:

    CORS -> ServerErrorMiddleware -> user middleware -> ExceptionMiddleware -> router -> route

Middleware that declares `wraps_errors = True` (CORS) is placed outside the
error layer, so even the 500 of an unhandled error goes through it.

The stack is built on the first request (or lifespan) and then fixed; adding
middleware after that raises, instead of being silently ignored.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, TypeVar, Unpack

from transom._types import ASGIApp, Receive, Scope, Send
from transom.datastructures import Default
from transom.exceptions import DeclarationError
from transom.http.caching import CacheControl
from transom.http.policy import CookiePolicy
from transom.keyring import Keyring
from transom.metadata import ResponseCookie, ResponseHeader
from transom.middleware import Middleware
from transom.middleware.errors import ServerErrorMiddleware
from transom.middleware.exceptions import ExceptionHandler, ExceptionMiddleware
from transom.middleware.http import Dispatch, FunctionMiddleware
from transom.openapi.routes import add_docs_routes, warn_if_assets_missing
from transom.params import Dependency
from transom.requests import DEFAULT_MAX_BODY_SIZE, State, check_body_limit
from transom.responses import JSONResponse, Response
from transom.routing.api import DependencyOverrides, RouteOptions
from transom.routing.api_router import APIRouter, RouteDecorators
from transom.routing.frontend import CheckDir, Fallback, resolve_check_dir
from transom.routing.paths import check_served, refuse_documentation_path
from transom.routing.router import ON_EVENT_DEPRECATED, BaseRoute, LifespanArg
from transom.routing.websocket import WebSocketDecorators
from transom.sealing import CONTEXT_IN_USE, COOKIE_CONTEXT, CookieContext
from transom.staticfiles import PathLike

__all__ = ["Transom"]

F = TypeVar("F", bound=Callable[..., Any])

logger = logging.getLogger("transom")

#: The app's `default_response_class` when none is given: JSON, unless a route says.
_JSON_BY_DEFAULT: type[Response] = Default(JSONResponse)


class Transom(RouteDecorators, WebSocketDecorators):
    """The application: path operations, middleware, exception handlers, lifespan.

    Args:
        debug: Show exception details in 500 responses (never in production).
        routes: Route objects to start with.
        title: The API's title (OpenAPI `info.title`).
        description: The API's description (`info.description`, Markdown).
        version: The API's version (`info.version`).
        summary: `info.summary`, as in FastAPI.
        terms_of_service: `info.termsOfService`, a URL.
        contact: `info.contact` (`name`, `url`, `email`).
        license_info: `info.license` (`name`, and `identifier` or `url`).
        dependencies: Dependencies run for every path operation.
        default_response_class: The response class of path operations that set
            none (`JSONResponse`, unless a route's `Default(...)` says otherwise).
        middleware: `Middleware(cls, **options)` entries, outermost first.
        exception_handlers: `{ExceptionClass or status_code: handler}`.
        lifespan: An async context manager factory `lifespan(app)` (or a generator
            function that yields once, sync or async).
        on_startup: Callables run at startup.
        on_shutdown: Callables run at shutdown.
        redirect_slashes: Redirect `/items/` to `/items` (and back) when only one exists.
        responses: Extra OpenAPI responses for every path operation.
        max_body_size: The most bytes a request body may have, enforced while
            it is read (a 413 past it); 1 MiB by default, `None` for no limit.
            A route may set its own (`max_body_size=` on the path operation).
        strict_content_type: Refuse (422) a JSON body sent without a
            `Content-Type`, as FastAPI does; `False` reads it as JSON. Routers
            and routes may set their own.
        keyring: The keys that sign and encrypt cookies (`set_cookie(...,
            signed=True)`, `Cookie(signed=True)`, sessions), newest first.
        cookie_policy: Defaults for every cookie argument a `set_cookie` or
            `delete_cookie` call leaves out, and an optional `rewrite`.
        generate_unique_id_function: `route -> str`, the operation id of each path
            operation without an `operation_id=` (routers and routes may set their
            own); FastAPI's `name_path_method` by default.
        separate_input_output_schemas: `False` documents a model whose input and
            output schemas differ once, by its input schema (a response model
            with computed fields keeps its own), as FastAPI does.
        root_path: The path prefix a proxy serves the app under (`/api/v1`), set as
            every request's ASGI `root_path`, as FastAPI does.
        openapi_prefix: FastAPI's deprecated name for `root_path`, used when
            `root_path` is not given; a warning is logged (`transom` logger).
        root_path_in_servers: List the request's root path as the document's first
            server, so Swagger UI's "Try it out" calls the right URL.
        cache_control: The `Cache-Control` of every path operation's successful
            answers (2xx and 304) that do not set their own; routers and routes
            may set their own (see docs/caching.md).
        etag: Give every data response of status 200 an `ETag` computed from its
            body, so conditional requests get a 304; routers and routes may say
            otherwise.
        callbacks: OpenAPI callbacks (`callback_router.routes`) documented on
            every path operation, before those of routers and routes.
        webhooks: The `APIRouter` whose path operations the document lists under
            `webhooks` (`app.webhooks`; a fresh one if not given). Its routes are
            documentation only: requests this API sends, never served.
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        routes: Sequence[BaseRoute] | None = None,
        title: str = "Transom",
        description: str = "",
        version: str = "0.1.0",
        dependencies: Sequence[Dependency] | None = None,
        default_response_class: type[Response] = _JSON_BY_DEFAULT,
        middleware: Sequence[Middleware] | None = None,
        exception_handlers: dict[Any, ExceptionHandler] | None = None,
        lifespan: LifespanArg | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        redirect_slashes: bool = True,
        responses: dict[int | str, dict[str, Any]] | None = None,
        tags: list[str | Enum] | None = None,
        response_headers: Sequence[ResponseHeader] | None = None,
        response_cookies: Sequence[ResponseCookie] | None = None,
        openapi_url: str | None = "/openapi.json",
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        swagger_ui_oauth2_redirect_url: str | None = "/docs/oauth2-redirect",
        swagger_ui_init_oauth: dict[str, Any] | None = None,
        swagger_ui_parameters: dict[str, Any] | None = None,
        summary: str | None = None,
        openapi_tags: list[dict[str, Any]] | None = None,
        servers: list[dict[str, Any]] | None = None,
        openapi_external_docs: dict[str, Any] | None = None,
        max_body_size: int | None = DEFAULT_MAX_BODY_SIZE,
        strict_content_type: bool = True,
        keyring: Keyring | None = None,
        cookie_policy: CookiePolicy | None = None,
        generate_unique_id_function: Callable[[Any], str] | None = None,
        separate_input_output_schemas: bool = True,
        root_path: str = "",
        root_path_in_servers: bool = True,
        terms_of_service: str | None = None,
        contact: dict[str, Any] | None = None,
        license_info: dict[str, Any] | None = None,
        cache_control: CacheControl | None = None,
        etag: bool | None = None,
        callbacks: Sequence[BaseRoute] | None = None,
        webhooks: APIRouter | None = None,
        openapi_prefix: str = "",
    ) -> None:
        self.debug = debug
        if keyring is not None and not isinstance(keyring, Keyring):
            raise TypeError(
                f"Transom(keyring=...) takes a Keyring, got {type(keyring).__name__}: "
                "Keyring([key]) or Keyring.from_env('APP_KEYS')."
            )
        if cookie_policy is not None and not isinstance(cookie_policy, CookiePolicy):
            raise TypeError(
                "Transom(cookie_policy=...) takes a CookiePolicy, got "
                f"{type(cookie_policy).__name__}."
            )
        #: The keys that sign and encrypt cookies, newest first.
        self.keyring = keyring
        #: Defaults for the cookie arguments a call leaves out.
        self.cookie_policy = cookie_policy
        if (keyring is not None or cookie_policy is not None) and not CONTEXT_IN_USE:
            CONTEXT_IN_USE.append(True)
        #: A JSON body must come with a JSON Content-Type (FastAPI's default since 0.132).
        self.strict_content_type = strict_content_type
        #: The most bytes a request body may have (`None`: no limit); routes may override.
        self.max_body_size = check_body_limit(max_body_size, "Transom(max_body_size=...)")
        self.title = title
        self.description = description
        self.version = version
        self.summary = summary
        #: The document's `info.termsOfService`, `info.contact` and `info.license`.
        self.terms_of_service = terms_of_service
        self.contact = contact
        self.license_info = license_info
        self.openapi_tags = openapi_tags
        self.servers = servers
        #: The document's `externalDocs` (`{"description": ..., "url": ...}`), as in FastAPI.
        self.openapi_external_docs = openapi_external_docs
        #: `False` documents each model once, by its input schema (no `-Input`/`-Output`).
        self.separate_input_output_schemas = separate_input_output_schemas
        if openapi_prefix:
            logger.warning(
                '"openapi_prefix" is deprecated in favour of "root_path", which follows '
                "the ASGI standard: Transom(root_path=%r).",
                openapi_prefix,
            )
        #: The path the app is served under behind a proxy, set on every request's scope.
        self.root_path = root_path or openapi_prefix
        #: Whether `/openapi.json` lists the request's root path as its first server.
        self.root_path_in_servers = root_path_in_servers
        self.openapi_url = openapi_url
        self.docs_url = docs_url
        self.redoc_url = redoc_url
        #: The page Swagger UI's "Authorize" has an OAuth2 provider redirect back to
        #: (served with the Swagger UI page; `None`: not served, not configured).
        self.swagger_ui_oauth2_redirect_url = swagger_ui_oauth2_redirect_url
        #: Passed to Swagger UI's `ui.initOAuth` (`clientId`, `scopes`, ...).
        self.swagger_ui_init_oauth = swagger_ui_init_oauth
        #: Swagger UI settings merged over `transom.openapi.docs.swagger_ui_default_parameters`.
        self.swagger_ui_parameters = swagger_ui_parameters
        self.openapi_schema: dict[str, Any] | None = None
        if webhooks is not None and not isinstance(webhooks, APIRouter):
            raise DeclarationError(
                f"Transom(webhooks=...) takes an APIRouter, got {webhooks!r}; declare "
                'webhooks on app.webhooks (@app.webhooks.post("new-subscription")).'
            )
        #: The webhooks the document lists: path operations this API sends, not serves.
        self.webhooks = APIRouter() if webhooks is None else webhooks
        self.state = State()
        self._overrides = DependencyOverrides()
        self.router = APIRouter(
            dependencies=dependencies,
            default_response_class=default_response_class,
            responses=responses,
            tags=tags,
            redirect_slashes=redirect_slashes,
            lifespan=lifespan,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
            dependency_overrides=self._overrides,
            response_headers=response_headers,
            response_cookies=response_cookies,
            generate_unique_id_function=generate_unique_id_function,
            cache_control=cache_control,
            etag=etag,
            callbacks=callbacks,
            strict_content_type=strict_content_type,
        )
        for route in routes or ():
            self.router.append(route)
        self.user_middleware: list[Middleware] = list(middleware or [])
        self.exception_handlers: dict[Any, ExceptionHandler] = dict(exception_handlers or {})
        self.middleware_stack: ASGIApp | None = None
        add_docs_routes(self)

    @property
    def dependency_overrides(self) -> DependencyOverrides:
        """`{dependency: replacement}` used by every route, e.g. in tests.

        Assigning a new dict (`app.dependency_overrides = {}`) replaces the
        contents, as in FastAPI; routes pick the change up on their next request.
        """
        return self._overrides

    @dependency_overrides.setter
    def dependency_overrides(self, overrides: dict[Any, Any] | None) -> None:
        if overrides is not self._overrides:
            self._overrides.clear()
            self._overrides.update(overrides or {})

    @property
    def routes(self) -> list[BaseRoute]:
        return self.router.routes

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of this app, built on first use and kept."""
        if self.openapi_schema is None:
            from transom.openapi.generate import build_openapi

            self.openapi_schema = build_openapi(self)
        return self.openapi_schema

    def declared_header_names(self) -> list[str]:
        """Every response header some route declares (for `expose_headers="declared"`)."""
        names: dict[str, str] = {}
        for route in self.routes:
            for header in getattr(route, "response_headers", ()):
                names.setdefault(header.key, header.name)
        return sorted(names.values(), key=str.lower)

    def build_middleware_stack(self) -> ASGIApp:
        """Compose the layers; called once, on the first request."""
        server_handler = None
        for key in (500, Exception):
            server_handler = server_handler or self.exception_handlers.get(key)
        handlers = {k: v for k, v in self.exception_handlers.items() if k not in (500, Exception)}
        # Middleware that must see every response, the 500 of an unhandled error
        # included (CORS), goes outside the error layer; the rest inside it.
        outer = [m for m in self.user_middleware if getattr(m.cls, "wraps_errors", False)]
        inner = [m for m in self.user_middleware if m not in outer]
        server_errors = ServerErrorMiddleware(self.router, handler=server_handler, debug=self.debug)
        app: ASGIApp
        if inner:
            app = ExceptionMiddleware(self.router, handlers)
            for entry in reversed(inner):
                app = entry.build(app)
            server_errors.app = app
            app = server_errors
        else:
            app = ExceptionMiddleware(self.router, handlers, server_errors=server_errors)
        for entry in reversed(outer):
            app = entry.build(app)
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        if self.root_path:
            scope["root_path"] = self.root_path
        if self.middleware_stack is None:
            warn_if_assets_missing(self)
            self.middleware_stack = self.build_middleware_stack()
        if self.keyring is None and self.cookie_policy is None:
            await self.middleware_stack(scope, receive, send)
            return
        # What responses and cookie parameters need of the app, for this request.
        token = COOKIE_CONTEXT.set(CookieContext(self.keyring, self.cookie_policy, scope))
        try:
            await self.middleware_stack(scope, receive, send)
        finally:
            COOKIE_CONTEXT.reset(token)

    def _check_not_started(self, what: str) -> None:
        if self.middleware_stack is not None:
            raise RuntimeError(
                f"Cannot {what} after the application has started; do it before the first request."
            )

    def add_middleware(self, cls: Callable[..., ASGIApp], *args: Any, **kwargs: Any) -> None:
        """Wrap the app in middleware `cls(app, *args, **kwargs)`; the last added is outermost."""
        self._check_not_started("add middleware")
        self.user_middleware.insert(0, Middleware(cls, *args, **kwargs))

    def middleware(self, kind: str) -> Callable[[F], F]:
        """Register `async def f(request, call_next)` as middleware: `@app.middleware("http")`."""
        if kind != "http":
            raise ValueError(f'Only @app.middleware("http") is supported, got {kind!r}.')

        def decorator(func: F) -> F:
            dispatch: Dispatch = func
            self.add_middleware(FunctionMiddleware, dispatch=dispatch)
            return func

        return decorator

    def add_exception_handler(self, key: type[BaseException] | int, handler: Any) -> None:
        """Handle exceptions of class `key` (or `HTTPException`s of status `key`)."""
        self._check_not_started("add an exception handler")
        self.exception_handlers[key] = handler

    def exception_handler(self, key: type[BaseException] | int) -> Callable[[F], F]:
        """Decorator form of `add_exception_handler`."""

        def decorator(func: F) -> F:
            self.add_exception_handler(key, func)
            return func

        return decorator

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        **options: Unpack[RouteOptions],
    ) -> None:
        """Add a path operation."""
        _check_app_path(path)
        self.router.add_api_route(path, endpoint, methods=methods, **options)

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        *,
        dependencies: Sequence[Dependency] | None = None,
    ) -> None:
        """Add a WebSocket endpoint with parameters and dependencies."""
        _check_app_path(path)
        self.router.add_api_websocket_route(path, endpoint, name, dependencies=dependencies)

    def add_websocket_route(
        self, path: str, endpoint: Callable[..., Any], name: str | None = None
    ) -> None:
        """Add a plain `async def endpoint(websocket)`."""
        self.router.add_websocket_route(path, endpoint, name)

    def frontend(
        self,
        path: str,
        *,
        directory: PathLike,
        fallback: Fallback = "auto",
        check_dir: CheckDir = "auto",
    ) -> None:
        """Serve a static frontend build below `path`; see `APIRouter.frontend`.

        `app.frontend("/", directory="dist")` serves `dist/` at the root: routes
        are matched first, the build only when none takes the request.
        """
        checked = resolve_check_dir(directory, check_dir, stacklevel=2)
        self.router.frontend(path, directory=directory, fallback=fallback, check_dir=checked)

    def include_router(self, router: APIRouter, **options: Any) -> None:
        """Add the routes of `router`; see `APIRouter.include_router`.

        Raises:
            ValueError: if `router` has a route that only documents a request (a
                webhook's name, a callback's URL): give its routes as `callbacks=`,
                or declare them on `app.webhooks`.
        """
        for route in router.routes:
            if getattr(route, "documentation_only", False):
                refuse_documentation_path(route.path)
        before = len(self.router.routes)
        self.router.include_router(router, **options)
        for route in self.router.routes[before:]:
            _check_app_path(route.path)

    def add_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        """Add a plain `request -> Response` endpoint."""
        self.router.add_route(path, endpoint, methods, name)

    def route(
        self, path: str, methods: Sequence[str] | None = None, name: str | None = None
    ) -> Callable[[F], F]:
        """Register the decorated `request -> Response` function as a plain route."""
        return self.router.route(path, methods=methods, name=name)

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        """Serve another ASGI app below `path`."""
        self.router.mount(path, app, name)

    def url_path_for(self, name: str, /, **params: Any) -> str:
        """The path of the route called `name`."""
        return self.router.url_path_for(name, **params)

    def on_event(self, event: str) -> Callable[[F], F]:
        """Register a startup or shutdown handler: `@app.on_event("startup")`.

        Deprecated, as in FastAPI (it warns with `DeprecationWarning`): use `lifespan=`.
        """
        warnings.warn(ON_EVENT_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self.router.add_event_handler(event)


def _check_app_path(path: str) -> None:
    """A route of the app itself must have a path it can serve; `""` only works on a
    prefixed router, a webhook's name or a callback's URL only in the document."""
    if path == "":
        raise ValueError(
            "Route path must start with '/', got ''. An empty path is for a router that "
            'is included with a prefix (`@router.get("")` then '
            '`app.include_router(router, prefix="/items")`).'
        )
    check_served(path)
