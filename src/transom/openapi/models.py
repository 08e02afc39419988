"""Pydantic models of parts of the OpenAPI document, under FastAPI's names.

Today these are the Security Scheme Objects (defined in
`transom.security.models`, which the schemes use), so that a custom scheme
ported from FastAPI (`OAuth2(flows=OAuthFlows(password=...))`) keeps its imports.
"""

from transom.security.models import (
    APIKey,
    APIKeyIn,
    HTTPBase,
    HTTPBearer,
    OAuth2,
    OAuthFlow,
    OAuthFlowAuthorizationCode,
    OAuthFlowClientCredentials,
    OAuthFlowImplicit,
    OAuthFlowPassword,
    OAuthFlows,
    OpenIdConnect,
    SecurityBase,
    SecuritySchemeType,
)

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
