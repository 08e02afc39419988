"""Compiling a `Plan` into one specialised function per route, run per request.

A route's plan never changes between requests (until `dependency_overrides`
does), so every decision about how to run it is taken once: `compile_plan`
writes the plan out as the source of one async function (the way `dataclasses`
writes `__init__`) in which every step is a few straight lines: read each value
from where it lives (the step's own `reads`, inlined), validate all of the
step's values in one pydantic-core call, call the step.

The compiled function is the happy path only. At the first step whose values
are invalid it hands over to `collect_errors`, with the results of the steps
already run, so the error handling (which steps still run, every error
collected in one 422) stays in one place. Nothing user-controlled reaches the
source: names and lookups are embedded with `repr`, callables and validators
are passed in. The runner is debuggable as ordinary code (`di/codegen.py`): a
traceback through it names the route and shows the generated line, and
`inspect.getsource(runner)` returns its source.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import CoroutineType
from typing import Any

import pydantic_core

from transom.di.codegen import define
from transom.di.extract import DEFAULTS, SEALED, prologue
from transom.di.plan import ArgKind, BodyMode, CallMode, Plan, Step
from transom.di.solve import (
    ARGUMENT_FIELDS,
    Context,
    body_values,
    call_step,
    collect_errors,
    missing_await,
    read_body,
    read_form,
)
from transom.requests import Request
from transom.security.oauth2 import SecurityScopes
from transom.temporal import TemporalResponse

__all__ = ["Runner", "compile_plan", "needs_context"]

#: `runner(request, temporal, ctx)`; `ctx` is `None` for plans that need none.
Runner = Callable[[Request, TemporalResponse | None, Context | None], Awaitable[Any]]

#: The `Context` fields that are the runner's own parameters; the others are read from `ctx`.
_PARAMETERS = frozenset({"request", "temporal"})


def needs_context(plan: Plan) -> bool:
    """Whether a request for this plan needs a `Context` (body, stacks, background, threads)."""
    return (
        plan.body_mode is not BodyMode.NONE
        or plan.uses_background
        or any(step.mode is not CallMode.ASYNC for step in plan.steps)
    )


def compile_plan(plan: Plan) -> Runner:
    """The plan as one function: `await runner(request, temporal, ctx)` returns the handler's value.

    Raises:
        RequestValidationError: if a value is invalid (raised by `collect_errors`).
    """
    namespace: dict[str, Any] = {
        "plan": plan,
        "collect_errors": collect_errors,
        "read_body": read_body,
        "read_form": read_form,
        "body_values": body_values,
        "call_step": call_step,
        "missing_await": missing_await,
        "CoroutineType": CoroutineType,
        "Context": Context,
        "ValidationError": pydantic_core.ValidationError,
        "SecurityScopes": SecurityScopes,
        "sealed": SEALED,
        "defaults": DEFAULTS,
    }
    views: set[str] = set()
    body: list[str] = []
    if plan.body_mode is not BodyMode.NONE:
        body.append(
            "await read_form(ctx, plan)" if plan.form_fields is not None else "await read_body(ctx)"
        )
    for index, step in enumerate(plan.steps):
        namespace[f"step_{index}"] = step
        namespace[f"call_{index}"] = step.call
        if step.validator is not None:
            namespace[f"validate_{index}"] = step.validator.validate_python
        body += _step_lines(plan, index, step, views)
    runner: Runner = define(
        "async def run(request, temporal, ctx):",
        [*prologue(views), *body],
        kind="plan",
        owner=plan.label,
        namespace=namespace,
        runs=plan.steps[-1].call,
    )
    return runner


def _step_lines(plan: Plan, index: int, step: Step, views: set[str]) -> list[str]:
    """Lines that run the step: `r{index}` is its result, the handler's is returned.

    `views` gains the request views the lines read. A coroutine coming back is a
    forgotten `await` (`missing_await`); checked here, once per step, because a
    dependency's coroutine would otherwise reach the next step as a value.
    """
    last = index == len(plan.steps) - 1
    result = "result" if last else f"r{index}"
    if step.reads is None and not step.body_inputs and step.mode is CallMode.ASYNC:
        # Nothing to validate: call with the arguments spelled out.
        arguments = ", ".join(
            f"{name}={_argument(kind, ref, index)}" for name, kind, ref in step.args
        )
        lines = [f"{result} = await call_{index}({arguments})"]
    else:
        lines = _validation_lines(plan, index, step, views)
        lines += [
            f"kwargs[{name!r}] = {_argument(kind, ref, index)}" for name, kind, ref in step.args
        ]
        if step.mode is CallMode.ASYNC:
            lines.append(f"{result} = await call_{index}(**kwargs)")
        else:
            lines.append(f"{result} = await call_step(step_{index}, kwargs, ctx)")
    lines += [
        f"if {result}.__class__ is CoroutineType:",
        f"    missing_await(step_{index}, {result}, handler={last})",
    ]
    return [*lines, "return result"] if last else lines


def _validation_lines(plan: Plan, index: int, step: Step, views: set[str]) -> list[str]:
    """Lines that set `kwargs` to the step's validated values, or hand over if one is invalid."""
    handover = f"    {_handover(plan, index)}"
    lines: list[str] = []
    if step.reads is not None:
        views.update(step.reads.views)
        lines += [
            *step.reads.lines,
            "try:",
            f"    kwargs = validate_{index}(data)",
            "except ValidationError:",
            handover,
        ]
    if step.body_inputs:
        # `body_values` returns a fresh dict: with no request values, it is `kwargs`.
        target = "kwargs" if step.reads is None else "body_kwargs"
        lines += [f"{target}, body_errors = body_values(step_{index}, plan, ctx)"]
        lines += ["if body_errors:", handover]
        if step.reads is not None:
            lines.append("kwargs.update(body_kwargs)")
    return lines or ["kwargs = {}"]


def _handover(plan: Plan, index: int) -> str:
    """The call to `collect_errors` from step `index`, with the results so far."""
    results = [f"r{i}" for i in range(index)] + ["None"] * (len(plan.steps) - index)
    ctx = "ctx" if needs_context(plan) else "Context(request, temporal, None)"
    return f"await collect_errors(plan, {ctx}, [{', '.join(results)}], {index})"


def _argument(kind: ArgKind, ref: int, index: int) -> str:
    """The expression for a non-validated argument of step `index`: a result, the
    step's scopes, or a `Context` field."""
    if kind is ArgKind.DEPENDENCY:
        return f"r{ref}"
    if kind is ArgKind.SECURITY_SCOPES:
        return f"SecurityScopes(list(step_{index}.scopes))"
    field = ARGUMENT_FIELDS[kind]
    return field if field in _PARAMETERS else f"ctx.{field}"
