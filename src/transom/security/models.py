"""How each security scheme describes itself in OpenAPI (`components.securitySchemes`).

These are pydantic models of the OpenAPI 3.1 Security Scheme Object: a scheme
holds one as its `model`, and the document is `model_dump(by_alias=True,
exclude_none=True)` of it. They accept extra keys (`x-...` extensions), and
validate what a scheme is given, so an OAuth2 flow without its `tokenUrl`
fails when the scheme is created, not when the document is built. The same
classes are importable from `transom.openapi.models`, under FastAPI's names.
"""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "APIKey",
    "APIKeyIn",
    "HTTPBase",
    "HTTPBearer",
    "OAuth2",
    "OAuthFlow",
    "OAuthFlowAuthorizationCode",
    "OAuthFlowClientCredentials",
    "OAuthFlowImplicit",
    "OAuthFlowPassword",
    "OAuthFlows",
    "OpenIdConnect",
    "SecurityBase",
    "SecuritySchemeType",
]


class SecuritySchemeType(enum.Enum):
    """The `type` of a security scheme."""

    apiKey = "apiKey"  # noqa: N815 - the OpenAPI spelling
    http = "http"
    oauth2 = "oauth2"
    openIdConnect = "openIdConnect"  # noqa: N815


class APIKeyIn(enum.Enum):
    """Where an API key is sent."""

    query = "query"
    header = "header"
    cookie = "cookie"


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class SecurityBase(_Open):
    """What every security scheme has: its `type` and a `description`."""

    type_: SecuritySchemeType = Field(alias="type")
    description: str | None = None


class APIKey(SecurityBase):
    """An API key in a query parameter, header or cookie called `name`."""

    type_: SecuritySchemeType = Field(default=SecuritySchemeType.apiKey, alias="type")
    in_: APIKeyIn = Field(alias="in")
    name: str


class HTTPBase(SecurityBase):
    """An HTTP authentication scheme (`basic`, `digest`, ...) in `Authorization`."""

    type_: SecuritySchemeType = Field(default=SecuritySchemeType.http, alias="type")
    scheme: str


class HTTPBearer(HTTPBase):
    """HTTP `Bearer` authentication; `bearerFormat` hints at the token's format."""

    scheme: Literal["bearer"] = "bearer"
    bearerFormat: str | None = None  # noqa: N815


class OAuthFlow(_Open):
    """What every OAuth2 flow has: an optional `refreshUrl` and the `scopes` it knows."""

    refreshUrl: str | None = None  # noqa: N815
    scopes: dict[str, str] = {}


class OAuthFlowImplicit(OAuthFlow):
    authorizationUrl: str  # noqa: N815


class OAuthFlowPassword(OAuthFlow):
    tokenUrl: str  # noqa: N815


class OAuthFlowClientCredentials(OAuthFlow):
    tokenUrl: str  # noqa: N815


class OAuthFlowAuthorizationCode(OAuthFlow):
    authorizationUrl: str  # noqa: N815
    tokenUrl: str  # noqa: N815


class OAuthFlows(_Open):
    """The OAuth2 flows a scheme supports, each optional."""

    implicit: OAuthFlowImplicit | None = None
    password: OAuthFlowPassword | None = None
    clientCredentials: OAuthFlowClientCredentials | None = None  # noqa: N815
    authorizationCode: OAuthFlowAuthorizationCode | None = None  # noqa: N815


class OAuth2(SecurityBase):
    """An OAuth2 scheme and its flows."""

    type_: SecuritySchemeType = Field(default=SecuritySchemeType.oauth2, alias="type")
    flows: OAuthFlows


class OpenIdConnect(SecurityBase):
    """OpenID Connect discovery at `openIdConnectUrl`."""

    type_: SecuritySchemeType = Field(default=SecuritySchemeType.openIdConnect, alias="type")
    openIdConnectUrl: str  # noqa: N815
