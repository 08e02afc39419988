"""Compiling a `Plan` into one specialised function per route, run per request.

`solve` walks any plan generically: per step it loops over the inputs, asks
each for its source, and dispatches on how the step is called. A route's plan
never changes between requests (until `dependency_overrides` does), so that
dispatch can happen once: `compile_plan` writes the plan out as the source of
one async function (the way `dataclasses` writes `__init__`) in which every
step is a few straight lines: read each value from where it lives (the step's
own `reads`, inlined), validate all of the step's values in one pydantic-core
call, call the step.

The compiled function is the happy path only. At the first step whose values
are invalid it hands over to `solve`, with the results of the steps already
run, so the error handling (which steps still run, every error collected in
one 422) stays in one place. Nothing user-controlled reaches the source: names
and lookups are embedded with `repr`, callables and validators are passed in.
The generated functions are debuggable as ordinary code (`di/codegen.py`): a
traceback through a runner names the route and shows the generated line, and
`inspect.getsource(runner)` returns its source.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pydantic_core

from transom.di.codegen import define
from transom.di.extract import prologue
from transom.di.plan import ArgKind, BodyMode, CallMode, Plan
from transom.di.solve import Context, body_values, call_step, read_body, solve
from transom.requests import Request
from transom.temporal import TemporalResponse

__all__ = ["Runner", "compile_plan", "needs_context"]

#: `runner(request, temporal, ctx)`; `ctx` is `None` for plans that need none.
Runner = Callable[[Request, TemporalResponse | None, Context | None], Awaitable[Any]]


def needs_context(plan: Plan) -> bool:
    """Whether a request for this plan needs a `Context` (body, stacks, background, threads)."""
    return (
        plan.body_mode is not BodyMode.NONE
        or plan.uses_background
        or any(step.mode is not CallMode.ASYNC for step in plan.steps)
    )


def _argument(kind: ArgKind, ref: int) -> str:
    if kind is ArgKind.DEPENDENCY:
        return f"r{ref}"
    if kind is ArgKind.REQUEST:
        return "request"
    if kind is ArgKind.RESPONSE:
        return "temporal"
    return "ctx.background"


def compile_plan(plan: Plan) -> Runner:
    """The plan as one function: `await runner(request, temporal, ctx)` returns the handler's value.

    Raises:
        RequestValidationError: if a value is invalid (raised by `solve`, see above).
    """
    namespace: dict[str, Any] = {
        "plan": plan,
        "solve": solve,
        "read_body": read_body,
        "body_values": body_values,
        "call_step": call_step,
        "Context": Context,
        "ValidationError": pydantic_core.ValidationError,
    }
    shared: set[str] = set()
    body: list[str] = []
    if plan.body_mode is not BodyMode.NONE:
        body.append("await read_body(ctx)")
    count = len(plan.steps)
    resume_context = "ctx" if needs_context(plan) else "Context(request, temporal, None)"
    for index, step in enumerate(plan.steps):
        namespace[f"step_{index}"] = step
        namespace[f"call_{index}"] = step.call
        results = ", ".join([f"r{i}" for i in range(index)] + ["None"] * (count - index))
        # Hand over to `solve` from this step, with the results so far.
        resume = f"return await solve(plan, {resume_context}, [{results}], {index})"
        if step.validator is not None and step.reads is not None:
            namespace[f"validate_{index}"] = step.validator.validate_python
            shared.update(step.reads.views)
            body += step.reads.lines
            body += [
                "try:",
                f"    kwargs = validate_{index}(data)",
                "except ValidationError:",
                f"    {resume}",
            ]
        elif not step.body_inputs and step.mode is CallMode.ASYNC:
            # Nothing to validate: call with the arguments spelled out.
            arguments = ", ".join(f"{name}={_argument(kind, ref)}" for name, kind, ref in step.args)
            body.append(f"r{index} = await call_{index}({arguments})")
            continue
        else:
            body.append("kwargs = {}")
        if step.body_inputs:
            body += [
                f"body_kwargs, body_errors = body_values(step_{index}, plan, ctx)",
                "if body_errors:",
                f"    {resume}",
                "kwargs.update(body_kwargs)",
            ]
        body += [f"kwargs[{name!r}] = {_argument(kind, ref)}" for name, kind, ref in step.args]
        if step.mode is CallMode.ASYNC:
            body.append(f"r{index} = await call_{index}(**kwargs)")
        else:
            body.append(f"r{index} = await call_step(step_{index}, kwargs, ctx)")
    body.append(f"return r{count - 1}")
    runner: Runner = define(
        "async def run(request, temporal, ctx):",
        [*prologue(shared), *body],
        kind="plan",
        owner=plan.label,
        namespace=namespace,
        runs=plan.steps[-1].call,
    )
    return runner
