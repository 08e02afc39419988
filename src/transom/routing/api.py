"""Path operations: `APIRoute`, and the `DependencyOverrides` they run with.

An `APIRoute` compiles its `Plan` (parameters, dependencies, response model)
when it is created, so declaration mistakes raise at startup. Per request the
path reads in one direction: run the plan, `finalize` the handler's value into
what to send, and send it through the one start path (`transom.responses`),
the temporal response merged in by the one merge (`transom.http.merge`).

A route keeps the options its user declared apart from the layers above it
(`transom.routing.options`) and resolves them once; including a router adds
layers and reuses each route's analysis where it still holds.

Routers and the verb decorators are in `transom.routing.api_router`.

A subclass of `APIRoute` (a router's `route_class=`) may override `handle`, or
FastAPI's hook `get_route_handler`: the handler it returns takes the `Request`
and returns the response object, which the route then sends. Such a route runs
its plan through that handler; every other route sends without building one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from functools import cached_property, partial
from typing import Any, Self, TypeAlias, TypeVar, Unpack

from transom._types import ASGIApp, Receive, Scope, Send
from transom.background import BackgroundTask, BackgroundTasks
from transom.datastructures import DefaultPlaceholder
from transom.di.analysis import infer_response_model, signature_of
from transom.di.compile import compile_plan, needs_context
from transom.di.plan import Plan, build_plan
from transom.di.solve import Context
from transom.exceptions import DeclarationError, EndpointContext, ValidationError
from transom.http.caching import body_etag
from transom.http.headers import RawHeaders
from transom.http.merge import merge_data_headers
from transom.metadata import layer_declarations
from transom.requests import Request, check_body_limit
from transom.responses import (
    STARTED_KEY,
    JSONResponse,
    Response,
    body_allowed,
    marking_start,
    run_after_response,
    send_response,
    uses_start_path,
)
from transom.routing.contract import ResponseContract
from transom.routing.located import endpoint_location, located
from transom.routing.options import (
    RouteLayer,
    RouteOptions,
    caching_declarations,
    check_options,
    combined_declarations,
    resolve_options,
)
from transom.routing.paths import compile_path, documents_only
from transom.routing.router import BaseRoute, Router
from transom.sealing import CONTEXT_IN_USE, current_context
from transom.serialization import ResponseModel, check_response_models, dump_json
from transom.sse import ServerSentEvent
from transom.streams import (
    StreamPlan,
    checkpointed,
    is_generator_endpoint,
    returning_generator,
    stream_item_type,
    stream_kind,
)
from transom.temporal import (
    SCOPE_KEY,
    ContextTemporalResponse,
    TemporalResponse,
    is_conditional,
    not_modified_answer,
    shaping_send,
    vary_on_cookies,
)

__all__ = [
    "APIRoute",
    "DependencyOverrides",
    "FrontendRoute",
    "RouteHandler",
    "RouteOptions",
]

F = TypeVar("F", bound=Callable[..., Any])

#: What `finalize` gives: a response built from data, or an ASGI response to run.
Sized: TypeAlias = tuple[int, RawHeaders, bytes]
#: What `APIRoute.get_route_handler` returns: `request -> response object`.
RouteHandler: TypeAlias = Callable[[Request], Awaitable[Any]]
_JSON = b"application/json"
#: Where a route with its own handler keeps, in the scope, the request's `(plan,
#: Context)` for the handler, and the response the handler gave with whether it
#: was built from data (then it is sent as it is).
_EXCHANGE_KEY = "transom.route_handler"
_BUILT_KEY = "transom.route_handler.built"


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
    """A path operation: an endpoint with its compiled plan and response handling.

    Args:
        path: The full path, router prefixes included. A path that does not start
            with `/` (or has a runtime expression like `{$callback_url}`) makes a
            route that only documents a webhook or a callback, and is never served.
        endpoint: The handler.
        methods: The HTTP methods it answers (GET if not given).
        overrides: The app's `dependency_overrides` (none if not given).
        layers: The routers and includes above it, outermost first.
        base: The same route before an include added layers: its analysis is
            reused where the layers did not change it.
        **declared: The options the user declared on the route itself.
    """

    #: What the route is, first in its label (`route GET /items/{item_id}`).
    kind = "route"

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        overrides: DependencyOverrides | None = None,
        layers: Sequence[RouteLayer] = (),
        base: APIRoute | None = None,
        **declared: Unpack[RouteOptions],
    ) -> None:
        #: A webhook's name or a callback's URL: documented, never served.
        self.documentation_only: bool = documents_only(path) or bool(
            base is not None and base.documentation_only
        )
        self.template = compile_path(path, allow_empty=True, documentation=self.documentation_only)
        # The template's own matchers: one call less per request than the methods.
        self.match_path = self.template.match  # type: ignore[method-assign]
        self.lookup = self.template.lookup  # type: ignore[method-assign,assignment]
        self.endpoint = endpoint
        self.methods: frozenset[str] = frozenset(method.upper() for method in methods or ["GET"])
        self.label = f"{self.kind} {'|'.join(sorted(self.methods))} {path}"
        check_options(declared, self.label)
        check_callbacks(declared.get("callbacks"), self.label)
        #: What the user declared on this route, never changed by routers.
        self.declared = declared
        self.layers = tuple(layers)
        #: The options resolved over the layers: what the route runs with.
        options = self.options = resolve_options(declared, self.layers)
        self.name = options.get("name") or getattr(endpoint, "__name__", None)
        #: The resolved tags, as FastAPI's `route.tags` (e.g. for operation ids).
        self.tags = list(options.get("tags") or ())
        self.status_code = options.get("status_code")
        self._status = self.status_code or 200
        self.response_class: type[Response] = options.get("response_class", JSONResponse)
        check_response_models(declared.get("responses") or {}, self.label)
        self.dependencies = list(options.get("dependencies") or ())
        #: The routes documented as this operation's OpenAPI callbacks, outermost first.
        self.callbacks = list(options.get("callbacks") or ())
        self.overrides = DependencyOverrides() if overrides is None else overrides
        #: What the plan calls: the endpoint, or for a generator one that returns it.
        self.call = endpoint
        #: How a generator endpoint streams its items (`transom.streams`), else `None`.
        self.stream: StreamPlan | None = None
        if is_generator_endpoint(endpoint):
            self.call = returning_generator(endpoint, signature_of(endpoint, self.label))
            self.response_model = None
            kind = stream_kind(self.response_class)
            if kind is not None:
                self.stream = StreamPlan(kind, self._item_model(), self.status_code)
        else:
            self.response_model = self._response_model() if base is None else base.response_model
        self._fast_json = self.response_class is JSONResponse and self.call is endpoint
        declarations = combined_declarations(self.layers)
        #: Declaration layers, outermost (app) first, this route's own last; what its
        #: `cache_control=` and `etag=` send comes just before its own.
        self.header_layers = [
            *declarations.headers,
            caching_declarations(options),
            tuple(declared.get("response_headers") or ()),
        ]
        self.cookie_layers = [*declarations.cookies, tuple(declared.get("response_cookies") or ())]
        self.response_headers = layer_declarations(self.header_layers, self.label)
        self.response_cookies = layer_declarations(self.cookie_layers, self.label)
        self.contract = ResponseContract(self.label, self.response_headers, self.response_cookies)
        #: Data responses of status 200 get an `ETag` of their body (`etag=True`).
        self._etag = bool(options.get("etag"))
        #: Data responses carry a validator (an `ETag`, a `Last-Modified`) whatever the
        #: handler does: conditional requests are evaluated for each.
        self._revalidate = self._etag or self.contract.sends_validators
        #: A JSON body needs a JSON `Content-Type` (the resolved `strict_content_type=`).
        self.strict_content_type: bool = options.get("strict_content_type", True) is not False
        #: The route's own body limit, when it declares one (else the app's applies).
        self.has_body_limit = "max_body_size" in declared
        self.max_body_size = check_body_limit(
            declared.get("max_body_size"), f"{self.label}: max_body_size="
        )
        #: A subclass's own `get_route_handler` runs each request (FastAPI's hook).
        self._custom = type(self).get_route_handler is not APIRoute.get_route_handler
        self.plan = self._build(base)
        self._route_handler = self.get_route_handler() if self._custom else None

    def _item_model(self) -> ResponseModel | None:
        """The model each streamed item is validated by: `response_model=`, else the `X`
        of a return annotation `AsyncIterable[X]` (none for `ServerSentEvent` items)."""
        annotation = self.options.get("response_model", ...)
        if annotation is ...:
            annotation = stream_item_type(infer_response_model(self.endpoint, self.label))
        if annotation is None or annotation is ServerSentEvent:
            return None
        return self._model(annotation)

    def _response_model(self) -> ResponseModel | None:
        options = self.options
        annotation = options.get("response_model", ...)
        if annotation is ...:
            annotation = infer_response_model(self.endpoint, self.label)
        if annotation is None:
            return None
        if self.status_code is not None and not body_allowed(self.status_code):
            return None
        return self._model(annotation)

    def _model(self, annotation: Any) -> ResponseModel:
        options = self.options
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

    def _build(self, base: APIRoute | None = None) -> Plan:
        """Analyse the endpoint into its plan (or reuse `base`'s), and compile the runner."""
        self._version = self.overrides.version
        if (
            base is not None
            and base.dependencies == self.dependencies
            and base.template.converters.keys() == self.template.converters.keys()
            and not base.overrides
            and not self.overrides
        ):
            plan = base.plan
        else:
            plan = build_plan(
                self.call,
                label=self.label,
                path_params=frozenset(self.template.converters),
                dependencies=self.dependencies,
                overrides=self.overrides,
            )
        self._run = compile_plan(plan)
        #: No body, background tasks, threads or exit stacks (and no handler of a
        #: subclass's own): no `Context` needed.
        self._flat = not needs_context(plan) and not self._custom
        return plan

    def included(
        self, path: str, layers: Sequence[RouteLayer], overrides: DependencyOverrides
    ) -> Self:
        """This route under `path`, with `layers` added outside its own (same class)."""
        return type(self)(
            path,
            self.endpoint,
            methods=sorted(self.methods),
            overrides=overrides,
            layers=(*layers, *self.layers),
            base=self,
            **self.declared,
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        plan = self.plan
        if self._version != self.overrides.version:
            plan = self.plan = self._build()
        request = Request(scope, receive, send)
        if self.has_body_limit:
            request.max_body_size = self.max_body_size
        temporal: TemporalResponse | None = None
        if plan.uses_temporal:
            contract = self.contract
            if CONTEXT_IN_USE and current_context() is not None:
                temporal = ContextTemporalResponse(
                    contract.cookie_attributes, contract.kept_on_error
                )
            else:
                temporal = TemporalResponse(contract.cookie_attributes, contract.kept_on_error)
            scope[SCOPE_KEY] = temporal
        # A `try` costs nothing until something raises (Python 3.11+).
        try:
            if self._flat:
                # Async steps reading only request values: the common case.
                value = await self._run(request, temporal, None)
                # The response depends on the cookies (the key is `requests.COOKIES_READ_KEY`;
                # a literal and `in` cost less than reading the request's attribute).
                if "transom.cookies_read" in scope:
                    temporal = vary_on_cookies(temporal, scope)
            else:
                background = BackgroundTasks() if plan.uses_background else None
                ctx = Context(request, temporal, background, self.strict_content_type)
                if plan.request_stack:
                    await self._respond_in_request_stack(plan, ctx, scope, receive, send)
                else:
                    await self._respond(plan, ctx, scope, receive, send)
                return
            # Handler value -> finalize -> the one start path (kept inline: the hot path).
            final = self.finalize(value, temporal, scope)
            if isinstance(final, tuple):
                status, headers, body = final
                await send_response(scope, send, status, headers, body)
            else:
                await self._send_object(final, temporal, scope, receive, send)
        except ValidationError as exc:
            if exc.endpoint_ctx is None:
                exc.endpoint_ctx = self.endpoint_context(scope)
            raise
        if temporal is not None and temporal.background is not None:
            await run_after_response(scope, temporal.background)

    def endpoint_context(self, scope: Scope) -> EndpointContext:
        """Where this route's endpoint is, and the request's method and route path.

        Set on the validation errors a request through this route raises, so
        that `str(exc)` (and a log line) points at the endpoint.
        """
        return located(self._location, scope["method"], scope, self.path)

    @cached_property
    def _location(self) -> EndpointContext:
        return endpoint_location(self.endpoint)

    async def _respond(
        self, plan: Plan, ctx: Context, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if plan.form_fields is None:
            await self._run_and_send(plan, ctx, scope, receive, send)
            return
        try:
            await self._run_and_send(plan, ctx, scope, receive, send)
        finally:
            await ctx.request.close()  # the form's files, also on errors and disconnects

    async def _run_and_send(
        self, plan: Plan, ctx: Context, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if self._route_handler is not None:
            await self._handler_and_send(self._route_handler, plan, ctx, scope, receive, send)
            return
        final = await self._produce(plan, ctx, scope)
        temporal = ctx.temporal
        if isinstance(final, tuple):
            status, headers, body = final
            await send_response(scope, send, status, headers, body)
        else:
            await self._send_object(final, temporal, scope, receive, send)
        # The background tasks, inline here (the request path), as in `_after_response`.
        if temporal is not None and temporal.background is not None:
            await run_after_response(scope, temporal.background)
        if ctx.background is not None and ctx.background.tasks:
            await run_after_response(scope, ctx.background)

    async def _after_response(self, ctx: Context, scope: Scope) -> None:
        """Run the background tasks of the temporal response and of `BackgroundTasks`."""
        temporal = ctx.temporal
        if temporal is not None and temporal.background is not None:
            await run_after_response(scope, temporal.background)
        if ctx.background is not None and ctx.background.tasks:
            await run_after_response(scope, ctx.background)

    async def _handler_and_send(
        self,
        handler: RouteHandler,
        plan: Plan,
        ctx: Context,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """Run a subclass's `get_route_handler()` handler, then send what it returns."""
        scope[_EXCHANGE_KEY] = (plan, ctx)
        try:
            response = await handler(ctx.request)
        finally:
            del scope[_EXCHANGE_KEY]
        if not callable(response):
            raise TypeError(
                f"{self.label}: the handler of get_route_handler() returned {response!r}, "
                "not a response; return the response the original handler gave."
            )
        answered, from_data = scope.pop(_BUILT_KEY, (None, False))
        if response is not answered:
            await self._send_object(response, ctx.temporal, scope, receive, send, replaced=True)
        elif from_data:
            await response(scope, receive, send)  # built from the data: shaped already
        else:
            await self._send_object(response, ctx.temporal, scope, receive, send)
        await self._after_response(ctx, scope)

    async def _produce(self, plan: Plan, ctx: Context, scope: Scope) -> Sized | ASGIApp:
        """Run the plan and `finalize` its value (`function`-scoped teardown included)."""
        if plan.function_stack:
            async with AsyncExitStack() as stack:
                ctx.function_stack = stack
                value = await self._run(ctx.request, ctx.temporal, ctx)
        else:
            value = await self._run(ctx.request, ctx.temporal, ctx)
        temporal = ctx.temporal
        if "transom.cookies_read" in scope:  # the response depends on the cookies
            temporal = ctx.temporal = vary_on_cookies(temporal, scope)
        return self.finalize(value, temporal, scope)

    def get_route_handler(self) -> RouteHandler:
        """FastAPI's hook: the `async handler(request) -> response` of this route.

        The handler runs the path operation for `request` (its dependencies, the
        endpoint, the response model) and returns the response object the route
        will send; validation errors and `HTTPException`s are raised out of it.
        Override it in a subclass to wrap that handler: time or log a request,
        catch `RequestValidationError`, or hand the plan a `Request` subclass
        (`GzipRequest(request.scope, request.receive)`). It is called once, when
        the route is created. A response the handler returns still gets the
        temporal response and the declared headers merged into what is sent.
        """

        async def route_handler(request: Request) -> ASGIApp:
            return await self._answer(request)

        return route_handler

    async def _answer(self, request: Request) -> ASGIApp:
        """The response for `request` as an object: the base of `get_route_handler`."""
        scope = request.scope
        exchange: tuple[Plan, Context] | None = scope.get(_EXCHANGE_KEY)
        if exchange is None:
            raise RuntimeError(
                f"{self.label}: a route handler runs while its route handles a request "
                "(the router calls route.handle); it cannot be called on its own."
            )
        plan, ctx = exchange
        if request is not ctx.request:
            # A `Request` (subclass) the handler made: the plan reads it instead.
            if self.has_body_limit:
                request.max_body_size = self.max_body_size
            ctx.request = request
        final = await self._produce(plan, ctx, scope)
        if not isinstance(final, tuple):
            scope[_BUILT_KEY] = (final, False)
            return final
        status, headers, body = final
        response = (JSONResponse if self.response_class is JSONResponse else Response)(
            None, status_code=status
        )
        response.body = body
        response.raw_headers = headers
        scope[_BUILT_KEY] = (response, True)
        return response

    async def _respond_in_request_stack(
        self, plan: Plan, ctx: Context, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Respond with `scope="request"` resources open until the response and its tasks.

        The teardown is queued after the background tasks (`run_after_response`),
        so behind a middleware that defers them it still runs after them.
        """
        stack = ctx.request_stack = AsyncExitStack()
        async with AsyncExitStack() as guard:
            guard.push_async_exit(stack)  # an error reaches the dependencies' teardown
            await self._respond(plan, ctx, scope, receive, send)
            guard.pop_all()
        if not scope.get(STARTED_KEY, False):
            await stack.aclose()
            raise RuntimeError(
                f"{self.label}: a dependency with yield caught an exception and did not "
                "re-raise it, so no response was sent; re-raise it (or raise "
                "HTTPException) in the dependency."
            )
        await run_after_response(scope, BackgroundTask(stack.aclose))

    async def _send_object(
        self,
        response: ASGIApp,
        temporal: TemporalResponse | None,
        scope: Scope,
        receive: Receive,
        send: Send,
        replaced: bool = False,
    ) -> None:
        """Send a response object with this request's shaping merged into its start.

        The temporal and declared headers go into the start message it sends
        now, never into the object: it may be shared between requests. A
        `replaced` response (a custom handler's own, instead of the one built from
        the handler's data) gets the temporal headers even though they were merged.
        """
        if not uses_start_path(response):
            send = marking_start(scope, send)
        finish = partial(self.contract.apply, scope) if self.contract.active else None
        conditional = is_conditional(scope)
        if temporal is not None or finish is not None or conditional:
            send = shaping_send(
                send, temporal, finish, scope=scope if conditional else None, again=replaced
            )
        await response(scope, receive, send)

    def finalize(
        self, value: Any, temporal: TemporalResponse | None, scope: Scope
    ) -> Sized | ASGIApp:
        """Turn a handler's value into what to send.

        Data (and the temporal response itself) becomes `(status, headers, body)`,
        the temporal headers winning over the framework's defaults (T3, T5, T10).
        A response the handler returned is sent as it is, its start shaped by
        `_send_object`. Data for a `response_class` other than `JSONResponse`
        becomes a fresh instance of that class, shaped here.
        """
        if self._fast_json and not callable(value):
            model = self.response_model
            body = dump_json(value) if model is None else model.dump(value)
            content_type: bytes | None = _JSON
        elif temporal is not None and value is temporal:
            body, content_type = b"", None
        elif isinstance(value, Response) or _is_asgi_response(value):
            returned: ASGIApp = value
            return returned
        else:
            return self._class_response(value, temporal)
        status = self._status
        headers: RawHeaders = [(b"content-length", str(len(body)).encode("ascii"))]
        if content_type is not None:
            headers.append((b"content-type", content_type))
        # The response has a validator (an ETag, a Last-Modified): a conditional
        # GET may get a 304.
        validated = self._revalidate
        if temporal is not None:
            if temporal.status_code is not None:
                status = temporal.status_code
            if temporal.freeze():
                validated = True
            headers = merge_data_headers(temporal.raw_headers, headers)
        if self.contract.active:
            headers = self.contract.apply(scope, status, headers)
        if validated:
            return self._validated(status, headers, body, temporal, scope)
        return status, headers, body

    def _validated(
        self,
        status: int,
        headers: RawHeaders,
        body: bytes,
        temporal: TemporalResponse | None,
        scope: Scope,
    ) -> Sized:
        """A data response with a validator: add `etag=True`'s tag, and answer a
        conditional `GET` or `HEAD` whose client holds this response with a 304."""
        if status != 200:
            return status, headers, body
        if self._etag and not _tagged(headers, temporal):
            headers = [*headers, (b"etag", body_etag(body))]
        revalidated = not_modified_answer(scope, headers)
        if revalidated is not None:
            return 304, revalidated, b""
        return status, headers, body

    def _class_response(self, value: Any, temporal: TemporalResponse | None) -> Response:
        """Data in a fresh instance of `response_class`, the temporal response merged in."""
        if self.stream is not None:
            # Merged when the stream starts, after the generator's first item.
            return self.stream.response(value, temporal)
        if self.call is not self.endpoint and isinstance(value, AsyncIterator):
            value = checkpointed(value)  # a generator for the class to stream
        # T3: the temporal status, else the route's, else the class's own default
        # (a `RedirectResponse` answers 307 unless told otherwise).
        status = self.status_code
        if temporal is not None and temporal.status_code is not None:
            status = temporal.status_code
        options: dict[str, Any] = {} if status is None else {"status_code": status}
        response: Response
        if issubclass(self.response_class, JSONResponse) and self.response_model is not None:
            response = self.response_class(None, **options)
            response.body = self.response_model.dump(value)
            response.init_headers()
        else:
            response = self.response_class(value, **options)
        if temporal is not None:
            # A fresh object of this request: the merge may go into it.
            temporal.freeze()
            response.raw_headers = merge_data_headers(temporal.raw_headers, response.raw_headers)
        raw = response.raw_headers
        if self._etag and response.status_code == 200 and response.sized and not _has_etag(raw):
            raw.append((b"etag", body_etag(response.body)))
        return response


def _has_etag(headers: RawHeaders) -> bool:
    return any(name == b"etag" for name, _ in headers)


def _tagged(headers: RawHeaders, temporal: TemporalResponse | None) -> bool:
    """Whether data headers have an `ETag` (only the temporal response can have set one)."""
    return temporal is not None and temporal.has_validators and _has_etag(headers)


def check_callbacks(callbacks: object, where: str) -> None:
    """Refuse `callbacks=` that is not a list of path operations (`router.routes`).

    Raises:
        DeclarationError: naming where it was given and what to pass.
    """
    if callbacks is None or isinstance(callbacks, DefaultPlaceholder):
        return
    hint = "callbacks= takes a list of path operations, e.g. callbacks=callback_router.routes"
    if isinstance(callbacks, (Router, str, bytes)) or not isinstance(callbacks, Sequence):
        raise DeclarationError(f"{where}: {hint}; got {callbacks!r}.")
    for callback in callbacks:
        if not isinstance(callback, APIRoute):
            raise DeclarationError(
                f"{where}: {hint}; {callback!r} is not one (only routes declared with "
                "@router.get(...) and the like are documented as callbacks)."
            )


def _is_asgi_response(value: Any) -> bool:
    return callable(value) and hasattr(value, "status_code") and not isinstance(value, type)


class FrontendRoute(APIRoute):
    """What answers a frontend's `GET` and `HEAD`: the routers' dependencies, then the
    file (`transom.routing.frontend`). Its label reads `frontend GET|HEAD /admin`."""

    kind = "frontend"
