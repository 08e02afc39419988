"""The security part of the OpenAPI document: `components.securitySchemes` and each
operation's `security`.

A route's security schemes are the steps of its plan whose callable is a
`SecurityBase`, however deep in its dependencies (its route, router and app
`dependencies=[...]` included). Each is described under its `scheme_name`, and
the operation requires each scheme once, with every scope `Security()`
declared on the way to any of its uses, in the order they were met: what
FastAPI documents for the same app.
"""

from __future__ import annotations

from typing import Any

from transom.di.plan import Plan
from transom.security.base import SecurityBase

__all__ = ["operation_security"]


def operation_security(plan: Plan) -> tuple[dict[str, Any], list[dict[str, list[str]]]]:
    """The schemes the plan uses, by name, and the operation's `security` requirements."""
    schemes: dict[str, Any] = {}
    required: dict[str, list[str]] = {}
    for step in plan.steps[:-1]:  # the handler itself is never a scheme
        scheme = step.original
        if not isinstance(scheme, SecurityBase):
            continue
        schemes[scheme.scheme_name] = scheme.model.model_dump(
            mode="json", by_alias=True, exclude_none=True
        )
        scopes = required.setdefault(scheme.scheme_name, [])
        scopes += [scope for scope in dict.fromkeys(step.scopes) if scope not in scopes]
    return schemes, [{name: scopes} for name, scopes in required.items()]
