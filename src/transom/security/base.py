"""`SecurityBase`: what makes a dependency a security scheme.

A security scheme is an ordinary dependency (an instance with an async
`__call__(request)`) that also documents itself: `model` is its OpenAPI
Security Scheme Object and `scheme_name` its key in
`components.securitySchemes`. The OpenAPI document lists every scheme a route
depends on, directly or through other dependencies, in the operation's
`security`; the dependency system passes the OAuth2 scopes along the chain.
"""

from __future__ import annotations

from transom.security.models import SecurityBase as SecurityBaseModel

__all__ = ["SecurityBase"]


class SecurityBase:
    """The base class of every security scheme; subclass it for a scheme of your own.

    Attributes:
        model: The scheme's OpenAPI description.
        scheme_name: Its name in `components.securitySchemes` (the class name by default).
    """

    model: SecurityBaseModel
    scheme_name: str
