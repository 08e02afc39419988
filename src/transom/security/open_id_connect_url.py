"""`OpenIdConnect`: documents an OpenID Connect provider; the value is the `Authorization` header.

It checks nothing beyond the header being there (a 401 with
`WWW-Authenticate: Bearer` if not, or `None` with `auto_error=False`):
verifying the token against the provider is the application's work.
"""

from __future__ import annotations

from transom.exceptions import HTTPException
from transom.requests import Request
from transom.security.base import SecurityBase
from transom.security.models import OpenIdConnect as OpenIdConnectModel

__all__ = ["OpenIdConnect"]


class OpenIdConnect(SecurityBase):
    """OpenID Connect, discovered at `openIdConnectUrl`.

    Args:
        openIdConnectUrl: The provider's discovery document
            (`.../.well-known/openid-configuration`).
        scheme_name: The scheme's key in OpenAPI (default: the class name).
        description: Its description in OpenAPI.
        auto_error: Answer 401 without an `Authorization` header (default), or give `None`.
    """

    model: OpenIdConnectModel

    def __init__(
        self,
        *,
        openIdConnectUrl: str,  # noqa: N803 - FastAPI's name
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = OpenIdConnectModel(openIdConnectUrl=openIdConnectUrl, description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """The 401 for a request without a token; override it to answer otherwise."""
        return HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})

    async def __call__(self, request: Request) -> str | None:
        authorization: str | None = request.headers.get("Authorization")
        if authorization:
            return authorization
        if self.auto_error:
            raise self.make_not_authenticated_error()
        return None
