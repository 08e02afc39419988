"""Plan building: each step's reads and `extract` are made with the plan, which never changes."""

import dataclasses
import inspect
from typing import Annotated, Any

import pytest

from transom import Cookie, Depends, Header, Query
from transom.di.compile import compile_plan
from transom.di.plan import Plan, build_plan
from transom.requests import Request


async def session(sid: Annotated[str, Cookie()], x_trace: Annotated[list[str], Header()]) -> str:
    return sid


async def handler(
    item_id: int, user: Annotated[str, Depends(session)], q: Annotated[str | None, Query()] = None
) -> str:
    return user


def plan_of_handler() -> Plan:
    return build_plan(
        handler,
        label="route GET /plans/{item_id}",
        path_params=frozenset({"item_id"}),
        dependencies=[],
        overrides={},
    )


def request() -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/plans/7",
            "query_string": b"other=1",
            "headers": [(b"cookie", b"sid=abc"), (b"x-trace", b"1"), (b"x-trace", b"2")],
            "path_params": {"item_id": "7"},
        }
    )


def test_every_step_with_a_validator_has_its_extract_from_the_start() -> None:
    session_step, handler_step = plan_of_handler().steps
    assert session_step.validator is not None
    assert session_step.extract is not None
    assert session_step.extract(request()) == {"sid": "abc", "x_trace": ["1", "2"]}
    assert handler_step.extract is not None
    # Absent values are left out, for pydantic to default or report.
    assert handler_step.extract(request()) == {"item_id": "7"}


def test_extract_is_the_reads_of_the_step_as_a_named_function() -> None:
    step = plan_of_handler().steps[0]
    assert step.reads is not None
    assert step.extract is not None
    source = inspect.getsource(step.extract)
    for line in step.reads.lines:
        assert f"    {line}\n" in source
    label = "route GET /plans/{item_id}: dependency session"
    assert step.extract.__code__.co_filename == f"<transom extract: {label}>"
    assert step.extract.__qualname__ == f"extract of {label}"


def field_values(plan: Plan) -> list[object]:
    """Every field of the plan and of its steps, as objects (compared by identity)."""
    holders: list[Any] = [plan, *plan.steps]
    return [getattr(held, f.name) for held in holders for f in dataclasses.fields(held)]


def test_compiling_leaves_the_plan_as_built() -> None:
    plan = plan_of_handler()
    before = field_values(plan)
    compile_plan(plan)
    after = field_values(plan)
    assert len(after) == len(before)
    assert all(new is old for new, old in zip(after, before, strict=True))


def test_plan_and_steps_refuse_assignment() -> None:
    plan = plan_of_handler()
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.steps[0].extract = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.uses_temporal = True  # type: ignore[misc]
