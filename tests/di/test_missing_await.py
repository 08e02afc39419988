"""A handler or dependency that returns a coroutine: a forgotten `await`, named as such."""

from __future__ import annotations

import gc
from typing import Annotated, Any

import pytest

from transom import Depends, Query, Transom
from transom.exceptions import MissingAwaitError
from transom.testclient import TestClient


async def fetch_total() -> int:
    return 3


def sync_handler() -> Any:
    return fetch_total()


async def async_handler() -> Any:
    return fetch_total()


def sync_dependency() -> Any:
    return fetch_total()


def needs_limit(limit: Annotated[int, Query()]) -> int:
    raise AssertionError("not reached")  # pragma: no cover


def app_with(path: str, endpoint: Any) -> Transom:
    app = Transom()
    app.get(path)(endpoint)
    return app


def test_a_sync_handler_returning_a_coroutine_is_a_missing_await() -> None:
    client = TestClient(app_with("/total", sync_handler))
    with pytest.raises(MissingAwaitError) as excinfo:
        client.get("/total")
    line = sync_handler.__code__.co_firstlineno
    assert str(excinfo.value) == (
        f"route GET /total: handler sync_handler (test_missing_await.py:{line}) returned the "
        "coroutine fetch_total() instead of its value: did you forget `await`? To use its "
        "value, make sync_handler `async def` and write `return await fetch_total(...)`."
    )
    assert excinfo.value.__notes__ == ["Request: GET /total (answered with a 500)."]


def test_an_async_handler_returning_a_coroutine_is_a_missing_await() -> None:
    client = TestClient(app_with("/total", async_handler))
    with pytest.raises(MissingAwaitError, match=r"handler async_handler \(") as excinfo:
        client.get("/total")
    assert str(excinfo.value).endswith(
        "did you forget `await`? To use its value, write `return await fetch_total(...)`."
    )


def test_a_dependency_returning_a_coroutine_names_the_dependency() -> None:
    def total(value: Annotated[Any, Depends(sync_dependency)]) -> Any:
        raise AssertionError("not reached")  # pragma: no cover

    client = TestClient(app_with("/total", total))
    with pytest.raises(MissingAwaitError) as excinfo:
        client.get("/total")
    line = sync_dependency.__code__.co_firstlineno
    assert str(excinfo.value).startswith(
        f"route GET /total: dependency sync_dependency (test_missing_await.py:{line}) returned "
        "the coroutine fetch_total() instead of its value: did you forget `await`?"
    )


def test_a_dependency_run_while_errors_are_collected_is_checked_too() -> None:
    # `limit` is invalid, so the runner hands over to `collect_errors` at the first
    # dependency, which still runs the next one: it does not need `limit`.
    def total(
        first: Annotated[int, Depends(needs_limit)],
        value: Annotated[Any, Depends(sync_dependency)],
    ) -> Any:
        raise AssertionError("not reached")  # pragma: no cover

    client = TestClient(app_with("/total", total))
    with pytest.raises(MissingAwaitError, match="dependency sync_dependency"):
        client.get("/total", params={"limit": "many"})


def test_the_500_is_the_plain_one_and_the_coroutine_is_closed() -> None:
    client = TestClient(app_with("/total", sync_handler), raise_server_exceptions=False)
    response = client.get("/total")
    assert (response.status_code, response.text) == (500, "Internal Server Error")
    gc.collect()  # an unclosed coroutine would warn "never awaited" here (an error in tests)
