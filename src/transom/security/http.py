"""HTTP authentication in the `Authorization` header: `HTTPBasic`, `HTTPBearer`, `HTTPDigest`.

Each is a dependency. `HTTPBasic` gives `HTTPBasicCredentials` (the username and
the password, which may contain `:`); `HTTPBearer`, `HTTPDigest` and the generic
`HTTPBase` give `HTTPAuthorizationCredentials` (the scheme as sent and the rest
of the header). The scheme name is matched without regard to case. A missing
header or another scheme is a 401 whose `WWW-Authenticate` names the scheme
(`Basic realm="..."` when a realm is given), or `None` with `auto_error=False`.
A `Basic` header that does not decode to `username:password` is a 401 even
with `auto_error=False`: the client did try to authenticate, and failed.
Checking the credentials is the application's work (`secrets.compare_digest`).
"""

from __future__ import annotations

import base64

from pydantic import BaseModel

from transom.exceptions import HTTPException
from transom.requests import Request
from transom.security.base import SecurityBase
from transom.security.models import HTTPBase as HTTPBaseModel
from transom.security.models import HTTPBearer as HTTPBearerModel
from transom.security.utils import get_authorization_scheme_param

__all__ = [
    "HTTPAuthorizationCredentials",
    "HTTPBase",
    "HTTPBasic",
    "HTTPBasicCredentials",
    "HTTPBearer",
    "HTTPDigest",
]


class HTTPBasicCredentials(BaseModel):
    """What `HTTPBasic` gives: the username and the password, as sent."""

    username: str
    password: str


class HTTPAuthorizationCredentials(BaseModel):
    """What `HTTPBearer` and `HTTPDigest` give.

    For `Authorization: Bearer abc123`, `scheme` is `"Bearer"` (as sent) and
    `credentials` is `"abc123"`.
    """

    scheme: str
    credentials: str


class HTTPBase(SecurityBase):
    """A scheme of HTTP authentication, by name; the base of the others.

    Args:
        scheme: The scheme's name in OpenAPI (`basic`, `bearer`, `digest`, ...).
        scheme_name: The scheme's key in OpenAPI (default: the class name).
        description: Its description in OpenAPI.
        auto_error: Answer 401 without credentials (default), or give `None`.
    """

    model: HTTPBaseModel

    def __init__(
        self,
        *,
        scheme: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = HTTPBaseModel(scheme=scheme, description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def make_authenticate_headers(self) -> dict[str, str]:
        """The challenge sent with a 401: the scheme's name, capitalised."""
        return {"WWW-Authenticate": self.model.scheme.title()}

    def make_not_authenticated_error(self) -> HTTPException:
        """The 401 for a request without valid credentials; override to answer otherwise."""
        return HTTPException(401, "Not authenticated", headers=self.make_authenticate_headers())

    def _credentials(
        self, request: Request, expected: str | None
    ) -> HTTPAuthorizationCredentials | None:
        """The header's scheme and credentials, if both are there (and the scheme is
        `expected`, when given); else the 401, or `None` with `auto_error=False`."""
        scheme, credentials = get_authorization_scheme_param(request.headers.get("Authorization"))
        if not (scheme and credentials) or (expected and scheme.lower() != expected):
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request, None)


class HTTPBasic(HTTPBase):
    """HTTP Basic authentication (RFC 7617): `Authorization: Basic base64(user:password)`.

    Args:
        scheme_name: The scheme's key in OpenAPI (default: the class name).
        realm: Sent in the challenge: `WWW-Authenticate: Basic realm="..."`.
        description: Its description in OpenAPI.
        auto_error: Answer 401 without a `Basic` header (default), or give `None`.
    """

    def __init__(
        self,
        *,
        scheme_name: str | None = None,
        realm: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            scheme="basic", scheme_name=scheme_name, description=description, auto_error=auto_error
        )
        self.realm = realm

    def make_authenticate_headers(self) -> dict[str, str]:
        if self.realm:
            return {"WWW-Authenticate": f'Basic realm="{self.realm}"'}
        return {"WWW-Authenticate": "Basic"}

    async def __call__(self, request: Request) -> HTTPBasicCredentials | None:  # type: ignore[override]
        authorization = request.headers.get("Authorization")
        scheme, encoded = get_authorization_scheme_param(authorization)
        if scheme.lower() != "basic":
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        try:
            decoded = base64.b64decode(encoded).decode("ascii")
        except ValueError:  # bad base64 (binascii.Error) or not ASCII (UnicodeDecodeError)
            raise self.make_not_authenticated_error() from None
        username, colon, password = decoded.partition(":")
        if not colon:
            raise self.make_not_authenticated_error()
        return HTTPBasicCredentials(username=username, password=password)


class HTTPBearer(HTTPBase):
    """HTTP Bearer authentication: `Authorization: Bearer <token>`.

    Args:
        bearerFormat: A hint in OpenAPI of the token's format, e.g. `"JWT"`.
        scheme_name: The scheme's key in OpenAPI (default: the class name).
        description: Its description in OpenAPI.
        auto_error: Answer 401 without a bearer token (default), or give `None`.
    """

    def __init__(
        self,
        *,
        bearerFormat: str | None = None,  # noqa: N803 - FastAPI's name
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = HTTPBearerModel(bearerFormat=bearerFormat, description=description)
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request, "bearer")


class HTTPDigest(HTTPBase):
    """HTTP Digest authentication, documented only: the credentials are handed on unchecked.

    Verifying a digest (RFC 7616) is left to a subclass or the application.

    Args:
        scheme_name: The scheme's key in OpenAPI (default: the class name).
        description: Its description in OpenAPI.
        auto_error: Answer 401 without `Digest` credentials (default), or give `None`.
    """

    def __init__(
        self,
        *,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            scheme="digest", scheme_name=scheme_name, description=description, auto_error=auto_error
        )

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        return self._credentials(request, "digest")
