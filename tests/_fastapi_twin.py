"""A ported example run on FastAPI: its module with the imports turned back.

The documentation examples under `tests/docs_examples/` differ from FastAPI's only
in their imports (`transom` for `fastapi`, `Transom` for `FastAPI`), so turning
those back gives FastAPI's own example, which the tests run beside ours to show a
client sees the same from both.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any

import httpx

TWIN_PREFIX = "fastapi_twin_"


def on_fastapi(module: types.ModuleType) -> types.ModuleType:
    """A fresh copy of `module` with FastAPI's imports (and names) for Transom's."""
    source = inspect.getsource(module).replace("transom", "fastapi").replace("Transom", "FastAPI")
    name = TWIN_PREFIX + module.__name__.rpartition(".")[2]
    twin = types.ModuleType(name)
    sys.modules[name] = twin  # pydantic resolves the models' annotations in their module
    exec(compile(source, f"<{name}>", "exec"), twin.__dict__)
    return twin


def forget_twins() -> None:
    for name in [name for name in sys.modules if name.startswith(TWIN_PREFIX)]:
        del sys.modules[name]


def seen(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    """What a client sees of a response: status, headers in order, body."""
    return response.status_code, list(response.headers.multi_items()), response.content


def document(app: Any) -> dict[str, Any]:
    """The app's OpenAPI document without its `info` (titled Transom or FastAPI)."""
    return {**app.openapi(), "info": None}
