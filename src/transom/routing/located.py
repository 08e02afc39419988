"""Where an endpoint is: the `endpoint_ctx` a route puts on the validation errors it raises.

The endpoint's file and line are looked up once per route, on its first error
(`inspect` reads the source file); the request's method and its route path
(a mounted app's prefix included) are added per error.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from transom._types import Scope
from transom.exceptions import EndpointContext

__all__ = ["endpoint_location", "located"]


def endpoint_location(endpoint: Callable[..., Any]) -> EndpointContext:
    """The endpoint's name, and the file and line that define it when they can be found."""
    location = EndpointContext()
    name = getattr(endpoint, "__name__", None)
    if isinstance(name, str):
        location["function"] = name
    try:
        file = inspect.getsourcefile(endpoint)
        line = inspect.getsourcelines(endpoint)[1]
    except (OSError, TypeError):  # a builtin, a callable object, code typed in a REPL
        return location
    if file is not None:
        location["file"] = file
        location["line"] = line
    return location


def located(location: EndpointContext, method: str, scope: Scope, path: str) -> EndpointContext:
    """`location` with the `path` of this request's route: `"GET /sub/items/{id}"`."""
    mount = str(scope.get("root_path", "")).rstrip("/")
    return {**location, "path": f"{method} {mount}{path}"}
