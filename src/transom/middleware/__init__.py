"""Middleware: `Middleware` entries for `Transom(middleware=[...])`, and the built-ins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transom._types import ASGIApp

__all__ = ["Middleware"]


class Middleware:
    """A middleware class and its options, instantiated as `cls(app, *args, **kwargs)`."""

    __slots__ = ("args", "cls", "kwargs")

    def __init__(self, cls: Callable[..., ASGIApp], *args: Any, **kwargs: Any) -> None:
        self.cls = cls
        self.args = args
        self.kwargs = kwargs

    def build(self, app: ASGIApp) -> ASGIApp:
        """Wrap `app` in this middleware."""
        return self.cls(app, *self.args, **self.kwargs)

    def __repr__(self) -> str:
        return f"Middleware({getattr(self.cls, '__name__', self.cls)!r})"
