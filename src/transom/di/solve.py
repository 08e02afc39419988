"""Executing a `Plan` for one request.

Steps run in plan order. A step whose own parameters fail validation, or that
needs a step that failed, is skipped and its errors collected; the handler runs
only if nothing failed. All errors are raised together as one
`RequestValidationError`, with FastAPI's `loc` shape (`["query", "limit"]`).
"""

from __future__ import annotations

from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from types import TracebackType
from typing import Any

import pydantic_core
from pydantic import ValidationError as PydanticValidationError

from transom.background import BackgroundTasks
from transom.concurrency import run_in_threadpool
from transom.di.plan import ArgKind, BodyMode, CallMode, Input, Plan, Step
from transom.exceptions import RequestValidationError
from transom.requests import Request
from transom.temporal import TemporalResponse

__all__ = ["Context", "body_values", "call_step", "read_body", "solve"]

_MISSING: Any = object()
_JSON_TYPES = ("application/json",)


class Context:
    """What one request's steps share: the request, the temporal response, exit stacks."""

    __slots__ = (
        "background",
        "body",
        "function_stack",
        "json",
        "request",
        "request_stack",
        "temporal",
    )

    def __init__(
        self,
        request: Request,
        temporal: TemporalResponse | None,
        background: BackgroundTasks | None,
    ) -> None:
        self.request = request
        self.temporal = temporal
        self.background = background
        self.function_stack: AsyncExitStack | None = None
        self.request_stack: AsyncExitStack | None = None
        self.body: bytes = b""
        self.json: Any = _MISSING


def _errors(
    exc: PydanticValidationError | pydantic_core.ValidationError,
    prefix: tuple[Any, ...],
    inputs: tuple[Input, ...] | None,
) -> list[dict[str, Any]]:
    keys = {item.key: (item.source.value, item.lookup) for item in inputs or ()}
    found: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if inputs is not None and loc and loc[0] in keys:
            loc = (*keys[str(loc[0])], *loc[1:])
        else:
            loc = (*prefix, *loc)
        entry: dict[str, Any] = {**error, "loc": loc}
        if error["type"] == "missing":
            entry["input"] = None
        elif isinstance(entry.get("input"), bytes):
            # Bytes that are not UTF-8 (a broken body) must still serialise as JSON.
            entry["input"] = entry["input"].decode("utf-8", "replace")
        found.append(entry)
    return found


def _content_type_error(request: Request) -> list[dict[str, Any]] | None:
    content_type = request.headers.get("content-type")
    if content_type is None:
        return None
    media = content_type.partition(";")[0].strip().lower()
    if media in _JSON_TYPES or (media.startswith("application/") and media.endswith("+json")):
        return None
    return [
        {
            "type": "content_type",
            "loc": ("body",),
            "msg": f"Expected a JSON body (Content-Type: application/json), got {media!r}.",
            "input": None,
        }
    ]


def body_values(step: Step, plan: Plan, ctx: Context) -> tuple[dict[str, Any], list[Any]]:
    """The step's body parameters, validated from `ctx.body`, or the errors."""
    if plan.body_mode is BodyMode.SINGLE:
        item = step.body_inputs[0]
        if not ctx.body:
            if plan.body_required:
                missing = {"type": "missing", "loc": ("body",), "msg": "Field required"}
                return {}, [{**missing, "input": None}]
            return {item.name: plan.body_default}, []
        adapter = plan.single_body_adapter
        assert adapter is not None
        try:
            return {item.name: adapter.validate_json(ctx.body)}, []
        except PydanticValidationError as exc:
            return {}, _errors(exc, ("body",), None)
    if ctx.json is _MISSING:
        try:
            ctx.json = pydantic_core.from_json(ctx.body) if ctx.body else {}
        except ValueError as exc:
            # Left unset: a second call (after a compiled runner hands over) fails alike.
            error = {"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}
            return {}, [{**error, "input": {}, "ctx": {"error": str(exc)}}]
    validator = step.body_validator
    assert validator is not None
    try:
        values: dict[str, Any] = validator.validate_python(ctx.json)
    except pydantic_core.ValidationError as exc:
        return {}, _errors(exc, ("body",), None)
    return values, []


def _request_values(step: Step, request: Request) -> tuple[dict[str, Any], list[Any] | None]:
    """The step's path/query/header/cookie values, validated, or the errors."""
    assert step.validator is not None
    assert step.extract is not None
    try:
        # Validated straight into a fresh dict keyed by parameter name.
        return step.validator.validate_python(step.extract(request)), None
    except pydantic_core.ValidationError as exc:
        return {}, _errors(exc, (), step.inputs)


async def call_step(step: Step, kwargs: dict[str, Any], ctx: Context) -> Any:
    """Call a step that is not a plain async function: in a thread, or entered on a stack."""
    mode = step.mode
    if mode is CallMode.SYNC:
        return await run_in_threadpool(step.call, **kwargs)
    stack = ctx.function_stack if step.scope == "function" else ctx.request_stack
    assert stack is not None
    if mode is CallMode.ASYNC_GEN:
        return await stack.enter_async_context(asynccontextmanager(step.call)(**kwargs))
    manager = contextmanager(step.call)(**kwargs)
    value = await run_in_threadpool(manager.__enter__)

    async def exit_in_thread(
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        return await run_in_threadpool(manager.__exit__, exc_type, exc, traceback)

    stack.push_async_exit(exit_in_thread)
    return value


async def read_body(ctx: Context) -> None:
    """Read the request body into the context; refuse a body that is not JSON.

    Raises:
        RequestValidationError: if the body's `Content-Type` is not JSON.
    """
    ctx.body = await ctx.request.body()
    if ctx.body:
        content_errors = _content_type_error(ctx.request)
        if content_errors:
            raise RequestValidationError(content_errors, body=ctx.body)


async def solve(plan: Plan, ctx: Context, results: list[Any] | None = None, start: int = 0) -> Any:
    """Run the plan's dependencies and handler; return what the handler returned.

    A compiled runner (`transom.di.compile`) hands over here at the first step
    whose values are invalid, with the `results` of the steps before `start`.

    Raises:
        RequestValidationError: with every error found, if any parameter is invalid.
    """
    request = ctx.request
    if start == 0 and plan.body_mode is not BodyMode.NONE:
        await read_body(ctx)
    steps = plan.steps
    if results is None:
        results = [None] * len(steps)
    failed: list[bool] | None = None
    errors: list[Any] | None = None
    last = len(steps) - 1
    for index in range(start, len(steps)):
        step = steps[index]
        # The handler is still validated so that its errors are reported too.
        if failed is not None and index != last and any(failed[need] for need in step.needs):
            failed[index] = True
            continue
        if step.validator is None:
            kwargs: dict[str, Any] = {}
            step_errors = None
        else:
            kwargs, step_errors = _request_values(step, request)
        if step.body_inputs:
            body_kwargs, body_errors = body_values(step, plan, ctx)
            kwargs.update(body_kwargs)
            if body_errors:
                step_errors = (step_errors or []) + body_errors
        if step_errors:
            errors = step_errors if errors is None else errors + step_errors
            failed = failed or [False] * len(steps)
            failed[index] = True
            continue
        if errors is not None and index == last:
            break
        for name, kind, ref in step.args:
            if kind is ArgKind.DEPENDENCY:
                kwargs[name] = results[ref]
            elif kind is ArgKind.REQUEST:
                kwargs[name] = request
            elif kind is ArgKind.RESPONSE:
                kwargs[name] = ctx.temporal
            else:
                kwargs[name] = ctx.background
        if step.mode is CallMode.ASYNC:
            results[index] = await step.call(**kwargs)
        else:
            results[index] = await call_step(step, kwargs, ctx)
    if errors:
        raise RequestValidationError(errors, body=_parsed_body(ctx))
    return results[last]


def _parsed_body(ctx: Context) -> Any:
    """The body for `RequestValidationError.body`: parsed JSON if it parses, else bytes."""
    if ctx.json is not _MISSING and ctx.json is not None:
        return ctx.json
    if not ctx.body:
        return None
    try:
        return pydantic_core.from_json(ctx.body)
    except ValueError:
        return ctx.body
