"""What a compiled runner calls on: the request context, body, threads and errors.

A route's plan runs as one generated function (`di/compile.py`). What that
function needs beyond straight-line code lives here: the `Context` one request's
steps share, reading and validating the JSON body, calling steps that are sync
or generators, and `collect_errors`, where the runner hands over at the first
invalid step. `collect_errors` decides which steps still run and raises every
error together as one `RequestValidationError`, with FastAPI's `loc` shape
(`["query", "limit"]`).
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Coroutine
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from types import CoroutineType, TracebackType
from typing import Any, NoReturn

import pydantic_core
from pydantic import ValidationError as PydanticValidationError

from transom.background import BackgroundTasks
from transom.concurrency import run_in_threadpool
from transom.di.analysis import call_name
from transom.di.plan import ArgKind, BodyMode, CallMode, FormField, Input, Plan, Step
from transom.exceptions import MissingAwaitError, RequestValidationError
from transom.requests import Request
from transom.security.oauth2 import SecurityScopes
from transom.temporal import TemporalResponse

__all__ = [
    "ARGUMENT_FIELDS",
    "Context",
    "body_values",
    "call_step",
    "collect_errors",
    "missing_await",
    "read_body",
    "read_form",
]

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
        "strict_content_type",
        "temporal",
    )

    def __init__(
        self,
        request: Request,
        temporal: TemporalResponse | None,
        background: BackgroundTasks | None,
        strict_content_type: bool = True,
    ) -> None:
        self.request = request
        self.temporal = temporal
        self.background = background
        #: A JSON body needs a JSON `Content-Type`; `False` also reads one sent without any
        #: (the route's resolved `strict_content_type=`).
        self.strict_content_type = strict_content_type
        self.function_stack: AsyncExitStack | None = None
        self.request_stack: AsyncExitStack | None = None
        self.body: bytes = b""
        self.json: Any = _MISSING


#: Which `Context` field a step's non-validated argument is, by kind (the other
#: kind, `DEPENDENCY`, is the result of the step it names). The compiled runner
#: reads the same fields: `request` and `temporal` are its own parameters.
ARGUMENT_FIELDS: dict[ArgKind, str] = {
    ArgKind.REQUEST: "request",
    ArgKind.RESPONSE: "temporal",
    ArgKind.BACKGROUND: "background",
}


def _errors(
    exc: PydanticValidationError | pydantic_core.ValidationError,
    prefix: tuple[Any, ...],
    inputs: tuple[Input, ...] | None,
) -> list[dict[str, Any]]:
    # A parameter model's errors are located at its fields: ["query", "limit"].
    keys = {
        item.key: (item.source.value,) if item.fields else (item.source.value, item.lookup)
        for item in inputs or ()
    }
    found: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if inputs is not None and loc and loc[0] in keys:
            loc = (*keys[str(loc[0])], *loc[1:])
        else:
            loc = (*prefix, *loc)
        entry: dict[str, Any] = {**error, "loc": loc}
        if error["type"] == "missing" and inputs is not None and len(error["loc"]) == 1:
            # A missing parameter has no input; a missing field of a parameter
            # model or of a body keeps its enclosing object, as FastAPI reports it.
            entry["input"] = None
        elif isinstance(entry.get("input"), bytes):
            # Bytes that are not UTF-8 (a broken body) must still serialise as JSON.
            entry["input"] = entry["input"].decode("utf-8", "replace")
        found.append(entry)
    return found


_POSITION = re.compile(r"line (\d+) column (\d+)")
_EXCERPT = 20


def json_error(body: bytes, reason: str) -> dict[str, Any]:
    """The 422 error for a body that is not JSON, as FastAPI reports it, and bounded.

    `loc` is `["body", offset]` (the byte offset where decoding failed), `input`
    is `{}`; `ctx` holds the decoder's reason and at most 40 bytes around the
    offset, so a huge broken body never comes back in the response.
    """
    offset = 0
    found = _POSITION.search(reason)
    if found is not None:
        line, column = int(found.group(1)), int(found.group(2))
        start = 0
        for _ in range(line - 1):
            start = body.find(b"\n", start) + 1
        offset = min(start + max(column - 1, 0), len(body))
    excerpt = body[max(offset - _EXCERPT, 0) : offset + _EXCERPT].decode("utf-8", "replace")
    return {
        "type": "json_invalid",
        "loc": ("body", offset),
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": reason, "excerpt": excerpt},
    }


def _content_type_error(request: Request, strict: bool) -> list[dict[str, Any]] | None:
    raw: bytes | None = None
    for name, value in request.scope["headers"]:  # the first, as `headers.get` gives
        if name == b"content-type":
            raw = value
            break
    if raw == b"application/json":
        return None
    if raw is None:
        # FastAPI's `strict_content_type` (on by default): a body without a
        # Content-Type is not read as JSON, so a page cannot post one without a
        # CORS preflight (a browser sends no preflight for a Content-Type-less body).
        if not strict:
            return None
        return [
            {
                "type": "content_type",
                "loc": ("body",),
                "msg": "Expected a JSON body (Content-Type: application/json), got no "
                "Content-Type.",
                "input": None,
            }
        ]
    media = raw.decode("latin-1").partition(";")[0].strip().lower()
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
        if not ctx.body and plan.form_fields is None:
            if plan.body_required:
                missing = {"type": "missing", "loc": ("body",), "msg": "Field required"}
                return {}, [{**missing, "input": None}]
            return {item.name: plan.body_default}, []
        adapter = plan.single_body_adapter
        assert adapter is not None
        try:
            value = adapter.validator.validate_python(ctx.json, from_attributes=True)
            return {item.name: value}, []
        except (PydanticValidationError, pydantic_core.ValidationError) as exc:
            return {}, _errors(exc, ("body",), None)
    if ctx.json is _MISSING:  # no body: every embedded parameter is missing
        ctx.json = {}
    validator = step.body_validator
    assert validator is not None
    try:
        values: dict[str, Any] = validator.validate_python(ctx.json)
    except pydantic_core.ValidationError as exc:
        errors = _errors(exc, ("body",), None)
        for error in errors:
            if error["type"] == "missing" and len(error["loc"]) == 2:
                error["input"] = None  # a whole body parameter is missing: no input
        return {}, errors
    return values, []


def _request_values(step: Step, request: Request) -> tuple[dict[str, Any], list[Any]]:
    """The step's path/query/header/cookie values, validated, or the errors."""
    assert step.validator is not None
    assert step.extract is not None
    try:
        # Validated straight into a fresh dict keyed by parameter name.
        return step.validator.validate_python(step.extract(request)), []
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


async def read_form(ctx: Context, plan: Plan) -> None:
    """Read a form body into `ctx.json`: the keys the plan reads, as FastAPI hands them on.

    An empty string is no value (the field's default, or `missing`); a key read
    as a list gets every value; a file read as `bytes` is read now. The form's
    files are closed when the request ends (`Request.close()`).

    Raises:
        MalformedForm: a 400 for a body that is not a well-formed form.
        BodyTooLarge: a 413 past the body limit.
    """
    form = await ctx.request.form()
    values: dict[str, Any] = {}
    for field in plan.form_fields or ():
        found = [value for value in form.getlist(field.key) if value != ""]
        if not found:
            default = _stand_in(field)
            if default is not None:  # FastAPI leaves a `None` default out too
                values[field.key] = default
            continue
        if field.as_bytes:
            found = [await _as_bytes(value) for value in found]
        values[field.key] = found if field.many else found[-1]
    if plan.form_extras:
        # What no field reads, under its own name: one value as it is, a repeated
        # key as the list of its values.
        read = {field.key for field in plan.form_fields or ()}
        for key in form:
            if key not in read:
                sent = form.getlist(key)
                values[key] = sent[0] if len(sent) == 1 else sent
    ctx.json = values


def _stand_in(field: FormField) -> Any:
    """A fresh copy of the default of a form model's absent field, or `None`."""
    if field.default is None:
        return None
    return copy.deepcopy(field.default.get_default(call_default_factory=True))


async def _as_bytes(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8")
    read = getattr(value, "read", None)
    return await read() if read is not None else value


async def read_body(ctx: Context) -> None:
    """Read the request body into the context and parse it; refuse one that is not JSON.

    Both refusals happen here, before any dependency runs, so a body of the
    wrong content type and a body that does not parse get the same treatment:
    a 422 with no dependency called and nothing of the temporal response sent
    (FastAPI also rejects undecodable JSON before solving dependencies). The
    parsed value is validated later, per step (`body_values`): parsed to Python
    objects, then validated, because `validate_json` would first build a tree
    of the whole document, about 18x the body in memory against 4.6x this way.

    Raises:
        RequestValidationError: if the body's `Content-Type` is not JSON, or
            the body is not JSON.
    """
    ctx.body = body = await ctx.request.body()
    if body:
        content_errors = _content_type_error(ctx.request, ctx.strict_content_type)
        if content_errors:
            raise RequestValidationError(content_errors, body=body)
        try:
            ctx.json = pydantic_core.from_json(body)
        except ValueError as exc:
            raise RequestValidationError([json_error(body, str(exc))], body=body) from None


async def collect_errors(plan: Plan, ctx: Context, results: list[Any], start: int) -> NoReturn:
    """Report every invalid value of a request, from the first invalid step on.

    A compiled runner (`transom.di.compile`) hands over here when the values of
    step `start` are invalid, with the `results` of the steps before it (one
    slot per step). From `start` on, a step whose values are invalid, or that
    needs a step that failed, does not run; any other step still runs (once),
    since what it raises, such as a dependency's 401, wins over a 422. The
    handler never runs, but its values are validated so that their errors are
    reported too.

    Raises:
        RequestValidationError: with every error found.
    """
    steps = plan.steps
    last = len(steps) - 1
    failed = [False] * len(steps)
    errors: list[Any] = []
    for index in range(start, len(steps)):
        step = steps[index]
        if index != last and any(failed[need] for need in step.needs):
            failed[index] = True
            continue
        kwargs, step_errors = _validated(step, plan, ctx)
        if step_errors:
            # A field two steps declare (a shared body parameter) is reported once.
            errors += [error for error in step_errors if error not in errors]
            failed[index] = True
        elif index != last:
            _bind(step, kwargs, ctx, results)
            results[index] = await _call(step, kwargs, ctx)
    raise RequestValidationError(errors, body=_parsed_body(ctx))


def _validated(step: Step, plan: Plan, ctx: Context) -> tuple[dict[str, Any], list[Any]]:
    """The step's validated request and body values, or every error in them."""
    kwargs: dict[str, Any] = {}
    errors: list[Any] = []
    if step.validator is not None:
        kwargs, errors = _request_values(step, ctx.request)
    if step.body_inputs:
        body_kwargs, body_errors = body_values(step, plan, ctx)
        kwargs.update(body_kwargs)
        errors += body_errors
    return kwargs, errors


def _bind(step: Step, kwargs: dict[str, Any], ctx: Context, results: list[Any]) -> None:
    """Add the step's non-validated arguments to `kwargs`, as `ARGUMENT_FIELDS` says."""
    for name, kind, ref in step.args:
        if kind is ArgKind.DEPENDENCY:
            kwargs[name] = results[ref]
        elif kind is ArgKind.SECURITY_SCOPES:
            kwargs[name] = SecurityScopes(list(step.scopes))
        else:
            kwargs[name] = getattr(ctx, ARGUMENT_FIELDS[kind])


async def _call(step: Step, kwargs: dict[str, Any], ctx: Context) -> Any:
    if step.mode is CallMode.ASYNC:
        value = await step.call(**kwargs)
    else:
        value = await call_step(step, kwargs, ctx)
    if value.__class__ is CoroutineType:
        missing_await(step, value, handler=False)
    return value


def missing_await(step: Step, value: Coroutine[Any, Any, Any], *, handler: bool) -> NoReturn:
    """Raise `MissingAwaitError` for a step that returned the coroutine `value`.

    The coroutine is closed first, so Python does not warn later, far from the
    cause, that it was never awaited.
    """
    coroutine = f"{getattr(value, '__qualname__', 'a coroutine')}()"
    value.close()
    name = call_name(step.call)
    who = f"{step.label}: handler {name}" if handler else step.label
    fix = (
        f"write `return await {coroutine[:-2]}(...)`"
        if step.mode is CallMode.ASYNC
        else f"make {name} `async def` and write `return await {coroutine[:-2]}(...)`"
    )
    raise MissingAwaitError(
        f"{who} ({_where(step.call)}) returned the coroutine {coroutine} instead of its "
        f"value: did you forget `await`? To use its value, {fix}."
    )


def _where(call: Any) -> str:
    """`file.py:12`, where `call` is defined, or `?` if Python cannot say."""
    target = inspect.unwrap(call)
    method = getattr(target, "__call__", None)  # noqa: B004 - a callable instance's method
    code = getattr(target, "__code__", None) or getattr(method, "__code__", None)
    if code is None:
        return "?"
    return f"{code.co_filename.rpartition('/')[2]}:{code.co_firstlineno}"


def _parsed_body(ctx: Context) -> Any:
    """The body for `RequestValidationError.body`: the parsed JSON or form, `None` without one.

    `read_body` has parsed any body that reaches validation (or refused it).
    """
    return None if ctx.json is _MISSING else ctx.json
