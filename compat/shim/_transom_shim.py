"""Forward a FastAPI or Starlette module's names to the Transom module of the same name.

Every module of this shim is a thin alias: `fastapi.security.X` is
`transom.security.X`, `starlette.responses.X` is `transom.responses.X`. Nothing is
implemented here. A name Transom does not have raises `AttributeError`, which
`from fastapi.security import X` turns into the usual
`ImportError: cannot import name 'X' from 'fastapi.security'`, so only the test
module that needs the name fails, and the runner reports it as missing.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["forward"]


def _load(target: str) -> ModuleType | None:
    """The Transom module `target`, or `None` when Transom has no such module."""
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as error:
        # Only the target itself (or a parent) being absent means "missing";
        # a dependency that fails to import is a real error and propagates.
        if error.name is not None and (target == error.name or target.startswith(error.name + ".")):
            return None
        raise


def forward(shim_name: str, target: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module `__getattr__` and `__dir__` for the shim module `shim_name`.

    Args:
        shim_name: The shim module's own name (`__name__`).
        target: The Transom module whose names it exposes.
    """

    def getattr_(name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"module {shim_name!r} has no attribute {name!r}")
        module = _load(target)
        if module is None or not hasattr(module, name):
            raise AttributeError(
                f"module {shim_name!r} has no attribute {name!r}: Transom has no {target}.{name}"
            )
        value = getattr(module, name)
        sys.modules[shim_name].__dict__[name] = value
        return value

    def dir_() -> list[str]:
        module = _load(target)
        own = list(sys.modules[shim_name].__dict__)
        return sorted(set(own) | set(dir(module) if module is not None else []))

    return getattr_, dir_
