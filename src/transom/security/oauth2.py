"""OAuth2: the password flow's form and bearer token, the other flows, and `SecurityScopes`.

`OAuth2PasswordRequestForm` is a dependency class that reads the password
flow's form (`username`, `password`, `scope`, ...); the `Strict` variant also
requires `grant_type=password`, as RFC 6749 does. `OAuth2PasswordBearer` and
`OAuth2AuthorizationCodeBearer` are dependencies whose value is the bearer
token of the `Authorization` header; `OAuth2` is their base, for any set of
flows, and gives the whole header. Without a header (or, for the bearer
classes, with another scheme) they answer 401 with `WWW-Authenticate: Bearer`,
or give `None` with `auto_error=False`. `Authorization: Bearer` with no token
gives the empty string, which the application then refuses, as FastAPI 0.141
does.

A dependency that declares a `SecurityScopes` parameter receives the scopes
that `Security(..., scopes=[...])` declared on the way to it, outermost first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from transom.exceptions import HTTPException
from transom.params import Form
from transom.requests import Request
from transom.security.base import SecurityBase
from transom.security.models import OAuth2 as OAuth2Model
from transom.security.models import OAuthFlows
from transom.security.utils import get_authorization_scheme_param

__all__ = [
    "OAuth2",
    "OAuth2AuthorizationCodeBearer",
    "OAuth2PasswordBearer",
    "OAuth2PasswordRequestForm",
    "OAuth2PasswordRequestFormStrict",
    "SecurityScopes",
]

_PASSWORD_FORMAT = {"format": "password"}


class OAuth2PasswordRequestForm:
    """The form of the OAuth2 password flow, as a dependency: `Annotated[..., Depends()]`.

    Reads the form fields `username`, `password`, `scope` (space-separated
    scopes, given as the list `scopes`), and the optional `grant_type` (which
    must be `password` when sent), `client_id` and `client_secret`.
    """

    def __init__(
        self,
        *,
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        username: Annotated[str, Form()],
        password: Annotated[str, Form(json_schema_extra=_PASSWORD_FORMAT)],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form(json_schema_extra=_PASSWORD_FORMAT)] = None,
    ) -> None:
        self.grant_type = grant_type
        self.username = username
        self.password = password
        self.scopes = scope.split()
        self.client_id = client_id
        self.client_secret = client_secret


class OAuth2PasswordRequestFormStrict(OAuth2PasswordRequestForm):
    """`OAuth2PasswordRequestForm` that requires `grant_type=password` (RFC 6749, 4.3.2)."""

    def __init__(
        self,
        grant_type: Annotated[str, Form(pattern="^password$")],
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )


class OAuth2(SecurityBase):
    """OAuth2 with any `flows`; the value is the whole `Authorization` header.

    Args:
        flows: The flows, as `OAuthFlows` or a dict like
            `{"password": {"tokenUrl": "token", "scopes": {...}}}`.
        scheme_name: The scheme's key in OpenAPI (default: the class name).
        description: Its description in OpenAPI.
        auto_error: Answer 401 without an `Authorization` header (default), or give `None`.

    Raises:
        pydantic.ValidationError: if a flow lacks a URL it needs.
    """

    model: OAuth2Model

    def __init__(
        self,
        *,
        flows: OAuthFlows | Mapping[str, Mapping[str, Any]] | None = None,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = OAuth2Model.model_validate(
            {"flows": OAuthFlows() if flows is None else flows, "description": description}
        )
        self.scheme_name = scheme_name or type(self).__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """The 401 for a request without a token; OAuth2 names no challenge, so `Bearer`."""
        return HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})

    async def __call__(self, request: Request) -> str | None:
        authorization: str | None = request.headers.get("Authorization")
        if authorization:
            return authorization
        if self.auto_error:
            raise self.make_not_authenticated_error()
        return None

    def _bearer_token(self, request: Request) -> str | None:
        scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() == "bearer":
            return token
        if self.auto_error:
            raise self.make_not_authenticated_error()
        return None


class OAuth2PasswordBearer(OAuth2):
    """The bearer token of the OAuth2 password flow; the token is obtained at `tokenUrl`.

    Args:
        tokenUrl: Where a client posts the password form (`OAuth2PasswordRequestForm`),
            relative to the docs page (`"token"`) or absolute (`"/auth/token"`).
        scheme_name: The scheme's key in OpenAPI (default: the class name).
        scopes: The scopes the flow knows, `{name: description}`.
        description: Its description in OpenAPI.
        auto_error: Answer 401 without a bearer token (default), or give `None`.
        refreshUrl: Where a token is refreshed, if anywhere.
    """

    def __init__(
        self,
        tokenUrl: str,  # noqa: N803 - FastAPI's names
        scheme_name: str | None = None,
        scopes: Mapping[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
        refreshUrl: str | None = None,  # noqa: N803
    ) -> None:
        flow = {"tokenUrl": tokenUrl, "refreshUrl": refreshUrl, "scopes": dict(scopes or {})}
        super().__init__(
            flows={"password": flow},
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )

    async def __call__(self, request: Request) -> str | None:
        return self._bearer_token(request)


class OAuth2AuthorizationCodeBearer(OAuth2):
    """The bearer token of the OAuth2 authorization code flow.

    Args:
        authorizationUrl: Where the user authorises the client.
        tokenUrl: Where the client exchanges the code for a token.
        refreshUrl: Where a token is refreshed, if anywhere.
        scheme_name: The scheme's key in OpenAPI (default: the class name).
        scopes: The scopes the flow knows, `{name: description}`.
        description: Its description in OpenAPI.
        auto_error: Answer 401 without a bearer token (default), or give `None`.
    """

    def __init__(
        self,
        authorizationUrl: str,  # noqa: N803 - FastAPI's names
        tokenUrl: str,  # noqa: N803
        refreshUrl: str | None = None,  # noqa: N803
        scheme_name: str | None = None,
        scopes: Mapping[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        flow = {
            "authorizationUrl": authorizationUrl,
            "tokenUrl": tokenUrl,
            "refreshUrl": refreshUrl,
            "scopes": dict(scopes or {}),
        }
        super().__init__(
            flows={"authorizationCode": flow},
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )

    async def __call__(self, request: Request) -> str | None:
        return self._bearer_token(request)


class SecurityScopes:
    """The OAuth2 scopes required on the way to a dependency; declare it as a parameter.

    `Security(dependency, scopes=[...])` adds scopes; a dependency with a
    `security_scopes: SecurityScopes` parameter receives all of those on the
    chain from the route to it, outermost first, each once.

    Attributes:
        scopes: The scopes, as a list.
        scope_str: The same, separated by spaces, as OAuth2 writes them
            (e.g. in `WWW-Authenticate: Bearer scope="..."`).
    """

    def __init__(self, scopes: list[str] | None = None) -> None:
        self.scopes: list[str] = scopes or []
        self.scope_str: str = " ".join(self.scopes)

    def __repr__(self) -> str:
        return f"SecurityScopes(scopes={self.scopes!r})"
