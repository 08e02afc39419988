"""Path operations: `APIRoute`, `APIRouter` and the verb decorators.

An `APIRoute` compiles its `Plan` (parameters, dependencies, response model)
when it is created, so declaration mistakes raise at startup. Per request it
solves the plan, turns the result into a response, merges the temporal
response into it (`transom.temporal`), and sends it.

The verb decorators (`get`, `post`, ...) share one options type, `RouteOptions`,
instead of repeating FastAPI's forty keyword arguments per verb.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from enum import Enum
from typing import Any, TypedDict, TypeVar, Unpack

from transom._types import Message, Receive, Scope, Send
from transom.background import BackgroundTasks
from transom.di.analysis import DeclarationError
from transom.di.compile import compile_plan, needs_context
from transom.di.plan import Plan, build_plan
from transom.di.solve import Context
from transom.http.headers import RawHeaders
from transom.metadata import Declarations, ResponseCookie, ResponseHeader, layer_declarations
from transom.params import Dependency
from transom.requests import Request
from transom.responses import (
    STARTED_KEY,
    JSONResponse,
    Response,
    body_allowed,
    marking_start,
    run_after_response,
    strip_content_headers,
)
from transom.routing.contract import ResponseContract
from transom.routing.paths import compile_path
from transom.routing.router import BaseRoute, Lifespan, Mount, Route, Router
from transom.serialization import IncEx, ResponseModel, dump_json, infer_response_model
from transom.temporal import SCOPE_KEY, TemporalResponse, merge_headers

__all__ = ["APIRoute", "APIRouter", "DependencyOverrides", "RouteDecorators", "RouteOptions"]

F = TypeVar("F", bound=Callable[..., Any])
NO_DECLARATIONS = Declarations()


class RouteOptions(TypedDict, total=False):
    """The keyword options of a path operation, as in FastAPI."""

    response_model: Any
    status_code: int | None
    tags: list[str | Enum] | None
    dependencies: Sequence[Dependency] | None
    summary: str | None
    description: str | None
    response_description: str
    responses: dict[int | str, dict[str, Any]] | None
    deprecated: bool | None
    operation_id: str | None
    response_model_include: IncEx
    response_model_exclude: IncEx
    response_model_by_alias: bool
    response_model_exclude_unset: bool
    response_model_exclude_defaults: bool
    response_model_exclude_none: bool
    include_in_schema: bool
    response_class: type[Response]
    name: str | None
    openapi_extra: dict[str, Any] | None
    response_headers: Sequence[ResponseHeader] | None
    response_cookies: Sequence[ResponseCookie] | None


class DependencyOverrides(dict[Callable[..., Any], Callable[..., Any]]):
    """`app.dependency_overrides`: a dict that counts its changes.

    Routes rebuild their plan when the count moves, so an override set in a
    test takes effect on the next request at the cost of one int compare.
    """

    version = 0

    def _bump(self) -> None:
        self.version += 1

    def __setitem__(self, key: Callable[..., Any], value: Callable[..., Any]) -> None:
        super().__setitem__(key, value)
        self._bump()

    def __delitem__(self, key: Callable[..., Any]) -> None:
        super().__delitem__(key)
        self._bump()

    def clear(self) -> None:
        super().clear()
        self._bump()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._bump()

    def pop(self, key: Any, *default: Any) -> Any:
        value = super().pop(key, *default)
        self._bump()
        return value

    def popitem(self) -> tuple[Callable[..., Any], Callable[..., Any]]:
        item = super().popitem()
        self._bump()
        return item

    def setdefault(self, key: Any, default: Any = None) -> Any:
        value = super().setdefault(key, default)
        self._bump()
        return value

    def __ior__(self, other: Any) -> DependencyOverrides:  # type: ignore[override,misc]
        self.update(other)
        return self


class APIRoute(BaseRoute):
    """A path operation: an endpoint with its compiled plan and response handling."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str],
        overrides: DependencyOverrides,
        layers: Declarations = NO_DECLARATIONS,
        **options: Unpack[RouteOptions],
    ) -> None:
        self.template = compile_path(path)
        # The template's own matcher: one call less per request than the method.
        self.match_path = self.template.match  # type: ignore[method-assign]
        self.endpoint = endpoint
        self.methods: frozenset[str] = frozenset(method.upper() for method in methods)
        self.options = options
        self.name = options.get("name") or getattr(endpoint, "__name__", None)
        self.status_code = options.get("status_code")
        self._status = self.status_code or 200
        self._body_allowed = body_allowed(self._status)
        self.response_class: type[Response] = options.get("response_class", JSONResponse)
        self.dependencies = list(options.get("dependencies") or ())
        self.label = f"route {'|'.join(sorted(self.methods))} {path}"
        self.overrides = overrides
        self.response_model = self._response_model()
        self._fast_json = self.response_class is JSONResponse
        self.layers = layers
        #: Declaration layers, outermost (app) first, this route's own last.
        self.header_layers = [*layers.headers, tuple(options.get("response_headers") or ())]
        self.cookie_layers = [*layers.cookies, tuple(options.get("response_cookies") or ())]
        self.response_headers = layer_declarations(self.header_layers, self.label)
        self.response_cookies = layer_declarations(self.cookie_layers, self.label)
        self.contract = ResponseContract(self.label, self.response_headers, self.response_cookies)
        self.plan = self._build()

    def _response_model(self) -> ResponseModel | None:
        options = self.options
        annotation = options.get("response_model", ...)
        if annotation is ...:
            annotation = infer_response_model(self.endpoint)
        if annotation is None:
            return None
        if self.status_code is not None and not body_allowed(self.status_code):
            return None
        return ResponseModel(
            annotation,
            label=self.label,
            include=options.get("response_model_include"),
            exclude=options.get("response_model_exclude"),
            by_alias=options.get("response_model_by_alias", True),
            exclude_unset=options.get("response_model_exclude_unset", False),
            exclude_defaults=options.get("response_model_exclude_defaults", False),
            exclude_none=options.get("response_model_exclude_none", False),
        )

    def _build(self) -> Plan:
        """Analyse the endpoint into its plan, and compile the plan into the runner."""
        self._version = self.overrides.version
        plan = build_plan(
            self.endpoint,
            label=self.label,
            path_params=frozenset(self.template.converters),
            dependencies=self.dependencies,
            overrides=self.overrides,
        )
        self._run = compile_plan(plan)
        #: No body, background tasks, threads or exit stacks: no `Context` needed.
        self._flat = not needs_context(plan)
        return plan

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        plan = self.plan
        if self._version != self.overrides.version:
            plan = self.plan = self._build()
        request = Request(scope, receive, send)
        temporal = None
        if plan.uses_temporal:
            temporal = TemporalResponse(self.contract.cookie_attributes)
            scope[SCOPE_KEY] = temporal
        if self._flat:
            # Async steps reading only request values: the common case.
            value = await self._run(request, temporal, None)
        else:
            background = BackgroundTasks() if plan.uses_background else None
            ctx = Context(request, temporal, background)
            if plan.request_stack:
                # `scope="request"` teardown runs after the response and its tasks.
                async with AsyncExitStack() as stack:
                    ctx.request_stack = stack
                    await self._respond(plan, ctx, scope, receive, send)
            else:
                await self._respond(plan, ctx, scope, receive, send)
            return
        await self._send_value(value, temporal, scope, receive, send)
        if temporal is not None and temporal.background is not None:
            await run_after_response(scope, temporal.background)

    async def _respond(
        self, plan: Plan, ctx: Context, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if plan.function_stack:
            async with AsyncExitStack() as stack:
                ctx.function_stack = stack
                value = await self._run(ctx.request, ctx.temporal, ctx)
        else:
            value = await self._run(ctx.request, ctx.temporal, ctx)
        temporal = ctx.temporal
        await self._send_value(value, temporal, scope, receive, send)
        if temporal is not None and temporal.background is not None:
            await run_after_response(scope, temporal.background)
        if ctx.background is not None and ctx.background.tasks:
            await run_after_response(scope, ctx.background)

    async def _send_value(
        self,
        value: Any,
        temporal: TemporalResponse | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """Send what the handler returned, merged with the temporal response."""
        if self._fast_json and not callable(value):
            model = self.response_model
            body = dump_json(value) if model is None else model.dump(value)
            await self._send_body(body, b"application/json", temporal, scope, send)
        elif temporal is not None and value is temporal:
            await self._send_body(b"", None, temporal, scope, send)
        elif isinstance(value, Response):
            # The returned object may outlive this request (a module-level or
            # cached response): the merge goes into the start message sent now,
            # never into the object.
            if temporal is not None or self.contract.active:
                send = self._shaping_send(scope, send, temporal)
            await value(scope, receive, send)
        elif _is_asgi_response(value):
            # Another library's response: it does not mark the start itself.
            send = marking_start(scope, send)
            if temporal is not None or self.contract.active:
                send = self._shaping_send(scope, send, temporal)
            await value(scope, receive, send)
        else:
            status = self._status
            if temporal is not None and temporal.status_code is not None:
                status = temporal.status_code
            response = self._class_response(value, status)
            if temporal is not None:
                response.raw_headers = _data_headers(response.raw_headers, temporal.raw_headers)
                temporal.freeze()
            if self.contract.active:
                response.raw_headers = self.contract.apply(scope, status, response.raw_headers)
            await response(scope, receive, send)

    def _shaping_send(self, scope: Scope, send: Send, temporal: TemporalResponse | None) -> Send:
        """Wrap `send` so the start of a returned response carries this request's shaping.

        The temporal headers are merged in (the response's own win), then the
        route's declared static headers and checks apply; a status that forbids
        a body still sends no content headers.
        """
        contract = self.contract if self.contract.active else None

        async def shaping(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: RawHeaders = list(message.get("headers", ()))
                if temporal is not None and not temporal.frozen:
                    temporal.freeze()
                    headers = merge_headers(headers, list(temporal.raw_headers))
                if contract is not None:
                    headers = contract.apply(scope, status, headers)
                if not body_allowed(status):
                    headers = strip_content_headers(headers)
                message = {**message, "headers": headers}
            await send(message)

        return shaping

    async def _send_body(
        self,
        body: bytes,
        content_type: bytes | None,
        temporal: TemporalResponse | None,
        scope: Scope,
        send: Send,
    ) -> None:
        """Send data the route serialised itself, without building a response object."""
        status = self._status
        headers: RawHeaders = [(b"content-length", str(len(body)).encode("ascii"))]
        if content_type is not None:
            headers.append((b"content-type", content_type))
        if temporal is not None:
            if temporal.status_code is not None:
                status = temporal.status_code
            headers = _data_headers(headers, temporal.raw_headers)
            temporal.freeze()
        if self.contract.active:
            headers = self.contract.apply(scope, status, headers)
        if not (self._body_allowed if status == self._status else body_allowed(status)):
            body = b""
            headers = strip_content_headers(headers)
        elif scope["method"] == "HEAD":
            body = b""
        scope[STARTED_KEY] = True
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _class_response(self, value: Any, status: int) -> Response:
        if issubclass(self.response_class, JSONResponse) and self.response_model is not None:
            body = self.response_model.dump(value)
            response = self.response_class(None, status_code=status)
            response.body = body
            response.raw_headers = [p for p in response.raw_headers if p[0] != b"content-length"]
            response.raw_headers.append((b"content-length", str(len(body)).encode("ascii")))
            return response
        return self.response_class(value, status_code=status)


def _data_headers(framework: RawHeaders, own: RawHeaders) -> RawHeaders:
    """Headers of a response built from data: the temporal ones (`own`) win over the defaults.

    The computed `Content-Length` always comes from the framework; its
    `Content-Type` only if the temporal response set none. Temporal headers that
    repeat a name (other than `Set-Cookie`, already one per cookie identity) are
    first merged by kind: a single header keeps its last value, lists are united.
    """
    # Plain loops, not comprehensions: these lists hold a handful of pairs.
    headers: RawHeaders = []
    content_types: RawHeaders = []
    for pair in framework:
        if pair[0] == b"content-length":
            headers.append(pair)
        elif pair[0] == b"content-type":
            content_types.append(pair)
    seen: set[bytes] = set()
    for pair in own:
        name = pair[0]
        if name in seen and name != b"set-cookie":
            return _data_headers(framework, merge_headers([], own))
        seen.add(name)
        if name != b"content-length":
            headers.append(pair)
    if b"content-type" not in seen:
        headers += content_types
    return headers


def _is_asgi_response(value: Any) -> bool:
    return callable(value) and hasattr(value, "status_code") and not isinstance(value, type)


class RouteDecorators:
    """`api_route`, `get`, `post`, ... for any class with `add_api_route`."""

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
        """Register the decorated function for `path` and `methods` (default GET)."""

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


def _merge_lists(*parts: Sequence[Any] | None) -> list[Any]:
    return [item for part in parts for item in part or ()]


class APIRouter(Router, RouteDecorators):
    """A group of path operations with a shared prefix, tags, dependencies and responses.

    Include it in the app (or another router) with `include_router`.
    """

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[Dependency] | None = None,
        default_response_class: type[Response] = JSONResponse,
        responses: dict[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        redirect_slashes: bool = True,
        lifespan: Lifespan | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        dependency_overrides: DependencyOverrides | None = None,
        response_headers: Sequence[ResponseHeader] | None = None,
        response_cookies: Sequence[ResponseCookie] | None = None,
    ) -> None:
        super().__init__(
            redirect_slashes=redirect_slashes,
            lifespan=lifespan,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
        )
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise DeclarationError(
                f"Router prefix must start with '/' and not end with '/', got {prefix!r}."
            )
        self.prefix = prefix
        self.tags = list(tags or [])
        self.dependencies = list(dependencies or [])
        self.default_response_class = default_response_class
        self.responses = dict(responses or {})
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.dependency_overrides = (
            DependencyOverrides() if dependency_overrides is None else dependency_overrides
        )
        self.declarations = Declarations().plus(response_headers, response_cookies)

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        **options: Unpack[RouteOptions],
    ) -> None:
        """Add a path operation; its plan is compiled now."""
        merged: RouteOptions = {**options}
        merged["tags"] = _merge_lists(self.tags, options.get("tags"))
        merged["dependencies"] = _merge_lists(self.dependencies, options.get("dependencies"))
        merged["responses"] = {**self.responses, **(options.get("responses") or {})}
        merged.setdefault("response_class", self.default_response_class)
        if self.deprecated is not None:
            merged.setdefault("deprecated", self.deprecated)
        if not self.include_in_schema:
            merged["include_in_schema"] = False
        route = APIRoute(
            self.prefix + path,
            endpoint,
            methods=methods or ["GET"],
            overrides=self.dependency_overrides,
            layers=self.declarations,
            **merged,
        )
        self.append(route)

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
    ) -> None:
        """Add every route of `router` under `prefix`, with extra tags and dependencies."""
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise DeclarationError(
                f"include_router prefix must start with '/' and not end with '/', got {prefix!r}."
            )
        for route in router.routes:
            if not isinstance(route, APIRoute):
                self._copy_route(prefix, route)
                continue
            # route.options already holds the included router's own tags and dependencies.
            options: RouteOptions = {**route.options}
            options["tags"] = _merge_lists(self.tags, tags, route.options.get("tags"))
            options["dependencies"] = _merge_lists(
                self.dependencies, dependencies, route.dependencies
            )
            options["responses"] = {
                **self.responses,
                **(responses or {}),
                **(route.options.get("responses") or {}),
            }
            if deprecated is not None or self.deprecated is not None:
                options.setdefault("deprecated", deprecated or self.deprecated)
            if not (include_in_schema and self.include_in_schema):
                options["include_in_schema"] = False
            if default_response_class is not None and "response_class" not in route.options:
                options["response_class"] = default_response_class
            self.append(
                APIRoute(
                    self.prefix + prefix + route.path,
                    route.endpoint,
                    methods=sorted(route.methods),
                    overrides=self.dependency_overrides,
                    layers=self.declarations + route.layers,
                    **options,
                )
            )
        self.on_startup += router.on_startup
        self.on_shutdown += router.on_shutdown

    def _copy_route(self, prefix: str, route: BaseRoute) -> None:
        if isinstance(route, Mount):
            self.mount(self.prefix + prefix + route.prefix, route.app, name=route.name)
        elif isinstance(route, Route):
            methods = sorted(route.methods or frozenset[str]())
            self.add_route(self.prefix + prefix + route.path, route.endpoint, methods, route.name)
