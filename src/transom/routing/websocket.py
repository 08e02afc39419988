"""WebSocket routes: `APIWebSocketRoute` (dependencies, parameters) and plain `WebSocketRoute`.

An `APIWebSocketRoute` compiles the same `Plan` as a path operation: path,
query, header and cookie parameters, `Depends` (with `yield`, in both scopes),
the temporal `Response` and `BackgroundTasks`, all resolved when the route is
created, so mistakes raise at startup. A handshake has no body, so a body
parameter is a `DeclarationError`.

Per connection the route runs the plan with the `WebSocket` in the request's
place. Invalid values raise `WebSocketRequestValidationError`, which the
exception layer answers by closing with 1008, as FastAPI does. The temporal
response's headers and cookies are merged into the handshake that `accept()`
sends (the one merge, `transom.http.merge`). Teardown of `yield` dependencies
and the background tasks run when the endpoint returns.

The router matches a WebSocket handshake only against routes whose `methods`
hold `WEBSOCKET`; no HTTP request ever matches them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from transom._types import Receive, Scope, Send
from transom.background import BackgroundTasks
from transom.di.compile import compile_plan
from transom.di.plan import BodyMode, Plan, build_plan
from transom.di.solve import Context
from transom.exceptions import (
    DeclarationError,
    EndpointContext,
    RequestValidationError,
    WebSocketRequestValidationError,
)
from transom.http.headers import RawHeaders
from transom.http.merge import merge_headers
from transom.params import Dependency
from transom.requests import Request
from transom.routing.located import endpoint_location, located
from transom.routing.options import RouteLayer, RouteOptions, resolve_options
from transom.routing.paths import compile_path
from transom.routing.router import WEBSOCKET, BaseRoute
from transom.temporal import SCOPE_KEY, TemporalResponse
from transom.websockets import WEBSOCKET_KEY, WebSocket

if TYPE_CHECKING:
    from transom.routing.api import DependencyOverrides

__all__ = ["APIWebSocketRoute", "WebSocketDecorators", "WebSocketRoute"]

F = TypeVar("F", bound=Callable[..., Any])

_METHODS = frozenset({WEBSOCKET})


def _check_async(endpoint: Callable[..., Any], label: str) -> None:
    target = endpoint if inspect.isfunction(endpoint) else getattr(endpoint, "__call__", endpoint)  # noqa: B004
    if not inspect.iscoroutinefunction(target):
        raise DeclarationError(
            f"{label}: a WebSocket endpoint must be an async function (`async def`), got "
            f"{endpoint!r}: it awaits the connection's messages."
        )


class WebSocketRoute(BaseRoute):
    """A plain WebSocket endpoint: `async def endpoint(websocket)`, no dependencies."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, name: str | None = None) -> None:
        self.template = compile_path(path)
        self.endpoint = endpoint
        self.name = name or getattr(endpoint, "__name__", None)
        self.methods = _METHODS
        _check_async(endpoint, f"websocket {path}")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self
        websocket = scope[WEBSOCKET_KEY] = WebSocket(scope, receive, send)
        await self.endpoint(websocket)


def _shape_handshake(temporal: TemporalResponse, headers: RawHeaders) -> RawHeaders:
    """The handshake's headers with the temporal ones merged in; `accept()`'s own win."""
    temporal.freeze()
    return merge_headers(headers, list(temporal.raw_headers))


class APIWebSocketRoute(BaseRoute):
    """A WebSocket endpoint with FastAPI's parameters and dependencies.

    Args:
        path: The full path, router prefixes included.
        endpoint: `async def endpoint(websocket: WebSocket, ...)`.
        overrides: The app's `dependency_overrides`.
        name: The route's name (for `url_path_for`); the endpoint's by default.
        dependencies: Dependencies run before the endpoint, after the layers' ones.
        layers: The routers and includes above it, outermost first.
    """

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        overrides: DependencyOverrides,
        name: str | None = None,
        dependencies: Sequence[Dependency] | None = None,
        layers: Sequence[RouteLayer] = (),
    ) -> None:
        self.template = compile_path(path, allow_empty=True)
        self.endpoint = endpoint
        self.methods = _METHODS
        self.label = f"websocket {path}"
        _check_async(endpoint, self.label)
        self.declared: RouteOptions = {"name": name, "dependencies": list(dependencies or ())}
        self.layers = tuple(layers)
        options = resolve_options(self.declared, self.layers)
        self.name = name or getattr(endpoint, "__name__", None)
        self.dependencies = list(options.get("dependencies") or ())
        self.overrides = overrides
        self.plan = self._build()

    def _build(self) -> Plan:
        self._version = self.overrides.version
        plan = build_plan(
            self.endpoint,
            label=self.label,
            path_params=frozenset(self.template.converters),
            dependencies=self.dependencies,
            overrides=self.overrides,
        )
        if plan.body_mode is not BodyMode.NONE:
            names = ", ".join(repr(item.name) for item in plan.body_inputs)
            raise DeclarationError(
                f"{self.label}: parameter {names} would be read from a request body, but a "
                "WebSocket handshake has none. Declare it with Query(), Header() or Cookie(), "
                "or receive it as a message."
            )
        self._run = compile_plan(plan)
        return plan

    def included(
        self, path: str, layers: Sequence[RouteLayer], overrides: DependencyOverrides
    ) -> APIWebSocketRoute:
        """This route under `path`, with `layers` added outside its own."""
        return APIWebSocketRoute(
            path,
            self.endpoint,
            overrides=overrides,
            name=self.declared.get("name"),
            dependencies=self.declared.get("dependencies"),
            layers=(*layers, *self.layers),
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._version != self.overrides.version:
            self.plan = self._build()
        plan = self.plan
        scope["route"] = self
        websocket = scope[WEBSOCKET_KEY] = WebSocket(scope, receive, send)
        temporal = None
        if plan.uses_temporal:
            temporal = scope[SCOPE_KEY] = TemporalResponse()
            websocket.handshake = partial(_shape_handshake, temporal)
        background = BackgroundTasks() if plan.uses_background else None
        # The plan reads the handshake through the views a WebSocket shares with a
        # Request (scope, query_params, cookies); it has no body to read.
        connection = cast(Request, websocket)
        ctx = Context(connection, temporal, background)
        async with AsyncExitStack() as request_stack, AsyncExitStack() as function_stack:
            ctx.request_stack = request_stack
            ctx.function_stack = function_stack
            try:
                await self._run(connection, temporal, ctx)
            except RequestValidationError as exc:
                raise WebSocketRequestValidationError(
                    exc.errors(),
                    label=f"{self.label} ({_endpoint_name(self.endpoint)})",
                    endpoint_ctx=located(self._location, "WS", scope, self.path),
                ) from None
        if background is not None:
            await background()
        if temporal is not None and temporal.background is not None:
            await temporal.background()

    @cached_property
    def _location(self) -> EndpointContext:
        return endpoint_location(self.endpoint)


def _endpoint_name(endpoint: Callable[..., Any]) -> str:
    return getattr(endpoint, "__qualname__", None) or repr(endpoint)


class WebSocketDecorators:
    """`websocket` and `websocket_route` for any class with the two `add_*` methods."""

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        *,
        dependencies: Sequence[Dependency] | None = None,
    ) -> None:
        raise NotImplementedError  # pragma: no cover

    def add_websocket_route(
        self, path: str, endpoint: Callable[..., Any], name: str | None = None
    ) -> None:
        raise NotImplementedError  # pragma: no cover

    def websocket(
        self,
        path: str,
        name: str | None = None,
        *,
        dependencies: Sequence[Dependency] | None = None,
    ) -> Callable[[F], F]:
        """Register the decorated `async def endpoint(websocket: WebSocket, ...)` for `path`."""

        def decorator(endpoint: F) -> F:
            self.add_api_websocket_route(path, endpoint, name, dependencies=dependencies)
            return endpoint

        return decorator

    def websocket_route(self, path: str, name: str | None = None) -> Callable[[F], F]:
        """Register a plain `async def endpoint(websocket)` (no parameters, no dependencies)."""

        def decorator(endpoint: F) -> F:
            self.add_websocket_route(path, endpoint, name)
            return endpoint

        return decorator
