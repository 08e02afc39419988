"""API keys in a query parameter (`APIKeyQuery`), a header (`APIKeyHeader`) or a cookie
(`APIKeyCookie`).

Each is a dependency whose value is the key as sent. A missing or empty key is
a 401 with `WWW-Authenticate: APIKey` (HTTP requires a challenge on every
401, and API keys have no standard one), or `None` with `auto_error=False`.
Checking the key is the application's work.
"""

from __future__ import annotations

from transom.exceptions import HTTPException
from transom.requests import Request
from transom.security.base import SecurityBase
from transom.security.models import APIKey, APIKeyIn

__all__ = ["APIKeyBase", "APIKeyCookie", "APIKeyHeader", "APIKeyQuery"]


class APIKeyBase(SecurityBase):
    """What the three API key schemes share: the key's `name` and where it is sent."""

    model: APIKey

    def __init__(
        self,
        location: APIKeyIn,
        name: str,
        description: str | None,
        scheme_name: str | None,
        auto_error: bool,
    ) -> None:
        self.model = APIKey.model_validate(
            {"in": location, "name": name, "description": description}
        )
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """The 401 for a request without the key; override it to answer otherwise."""
        return HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "APIKey"})

    def check_api_key(self, api_key: str | None) -> str | None:
        """The key, or the 401 (`None` with `auto_error=False`) when it is missing or empty."""
        if api_key:
            return api_key
        if self.auto_error:
            raise self.make_not_authenticated_error()
        return None


class APIKeyQuery(APIKeyBase):
    """An API key in the query parameter `name`, e.g. `?api_key=...`.

    Args:
        name: The query parameter.
        scheme_name: The scheme's name in OpenAPI (default: the class name).
        description: Its description in OpenAPI.
        auto_error: Answer 401 when the key is missing (default), or give `None`.
    """

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(APIKeyIn.query, name, description, scheme_name, auto_error)

    async def __call__(self, request: Request) -> str | None:
        return self.check_api_key(request.query_params.get(self.model.name))


class APIKeyHeader(APIKeyBase):
    """An API key in the header `name`, e.g. `X-API-Key`.

    Args:
        name: The header (matched without regard to case).
        scheme_name: The scheme's name in OpenAPI (default: the class name).
        description: Its description in OpenAPI.
        auto_error: Answer 401 when the key is missing (default), or give `None`.
    """

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(APIKeyIn.header, name, description, scheme_name, auto_error)

    async def __call__(self, request: Request) -> str | None:
        return self.check_api_key(request.headers.get(self.model.name))


class APIKeyCookie(APIKeyBase):
    """An API key in the cookie `name`, e.g. a session id.

    Args:
        name: The cookie.
        scheme_name: The scheme's name in OpenAPI (default: the class name).
        description: Its description in OpenAPI.
        auto_error: Answer 401 when the cookie is missing (default), or give `None`.
    """

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(APIKeyIn.cookie, name, description, scheme_name, auto_error)

    async def __call__(self, request: Request) -> str | None:
        return self.check_api_key(request.cookies.get(self.model.name))
