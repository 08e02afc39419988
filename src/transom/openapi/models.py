"""Pydantic models of the OpenAPI 3.1 document, under FastAPI's names.

Code ported from FastAPI imports them from `fastapi.openapi.models`: to build
part of a document by hand (`Operation`, `Response`, `Schema`), or to check a
whole one (`OpenAPI.model_validate(app.openapi())`). Field names are the
specification's own (camelCase); a name that is a Python keyword or a JSON
Schema `$` keyword has a trailing `_` and the spelled name as its alias
(`in_` is `in`, `ref` is `$ref`), so dump with `model_dump(by_alias=True,
exclude_none=True)`. Every object accepts extra keys (`x-...` extensions).

Transom builds its documents as plain dicts and does not pass them through
these models; the test suite checks that each document it builds validates.

The Security Scheme Objects are defined in `transom.security.models` (the
schemes hold them) and named here too.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

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
    "XML",
    "APIKey",
    "APIKeyIn",
    "Components",
    "Contact",
    "Discriminator",
    "Encoding",
    "Example",
    "ExternalDocumentation",
    "HTTPBase",
    "HTTPBearer",
    "Header",
    "Info",
    "License",
    "Link",
    "MediaType",
    "OAuth2",
    "OAuthFlow",
    "OAuthFlowAuthorizationCode",
    "OAuthFlowClientCredentials",
    "OAuthFlowImplicit",
    "OAuthFlowPassword",
    "OAuthFlows",
    "OpenAPI",
    "OpenIdConnect",
    "Operation",
    "Parameter",
    "ParameterBase",
    "ParameterInType",
    "PathItem",
    "Reference",
    "RequestBody",
    "Response",
    "Schema",
    "SchemaOrBool",
    "SchemaType",
    "SecurityBase",
    "SecurityScheme",
    "SecuritySchemeType",
    "Server",
    "ServerVariable",
    "Tag",
]


class _Object(BaseModel):
    """An OpenAPI object: extensions (`x-...`) and unknown keys are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


# Metadata ---------------------------------------------------------------------------------


class Contact(_Object):
    name: str | None = None
    url: str | None = None
    email: str | None = None


class License(_Object):
    name: str
    identifier: str | None = None  # an SPDX expression, instead of `url`
    url: str | None = None


class Info(_Object):
    title: str
    summary: str | None = None
    description: str | None = None
    termsOfService: str | None = None
    contact: Contact | None = None
    license: License | None = None
    version: str


class ServerVariable(_Object):
    enum: list[str] | None = None
    default: str
    description: str | None = None


class Server(_Object):
    url: str
    description: str | None = None
    variables: dict[str, ServerVariable] | None = None


class ExternalDocumentation(_Object):
    description: str | None = None
    url: str


class Tag(_Object):
    name: str
    description: str | None = None
    externalDocs: ExternalDocumentation | None = None


class Reference(BaseModel):
    """`{"$ref": "#/components/..."}`, with the summary and description 3.1 allows."""

    model_config = ConfigDict(populate_by_name=True)

    ref: str = Field(alias="$ref")
    summary: str | None = None
    description: str | None = None


# Schemas (JSON Schema 2020-12, with OpenAPI's additions) ------------------------------------

#: The values of a schema's `type`.
SchemaType = Literal["array", "boolean", "integer", "null", "number", "object", "string"]


class Discriminator(BaseModel):
    """Which property tells the members of a `oneOf`/`anyOf` apart."""

    propertyName: str
    mapping: dict[str, str] | None = None


class XML(_Object):
    name: str | None = None
    namespace: str | None = None
    prefix: str | None = None
    attribute: bool | None = None
    wrapped: bool | None = None


class Schema(_Object):
    """A JSON Schema; subschemas may be `True` or `False` (`SchemaOrBool`)."""

    # The core vocabulary: identifiers and references.
    schema_: str | None = Field(default=None, alias="$schema")
    id_: str | None = Field(default=None, alias="$id")
    ref: str | None = Field(default=None, alias="$ref")
    dynamicRef: str | None = Field(default=None, alias="$dynamicRef")
    anchor: str | None = Field(default=None, alias="$anchor")
    dynamicAnchor: str | None = Field(default=None, alias="$dynamicAnchor")
    vocabulary: dict[str, bool] | None = Field(default=None, alias="$vocabulary")
    defs: dict[str, SchemaOrBool] | None = Field(default=None, alias="$defs")
    comment: str | None = Field(default=None, alias="$comment")
    # Applying subschemas.
    allOf: list[SchemaOrBool] | None = None
    anyOf: list[SchemaOrBool] | None = None
    oneOf: list[SchemaOrBool] | None = None
    not_: SchemaOrBool | None = Field(default=None, alias="not")
    if_: SchemaOrBool | None = Field(default=None, alias="if")
    then: SchemaOrBool | None = None
    else_: SchemaOrBool | None = Field(default=None, alias="else")
    dependentSchemas: dict[str, SchemaOrBool] | None = None
    prefixItems: list[SchemaOrBool] | None = None
    items: SchemaOrBool | None = None
    contains: SchemaOrBool | None = None
    properties: dict[str, SchemaOrBool] | None = None
    patternProperties: dict[str, SchemaOrBool] | None = None
    additionalProperties: SchemaOrBool | None = None
    propertyNames: SchemaOrBool | None = None
    unevaluatedItems: SchemaOrBool | None = None
    unevaluatedProperties: SchemaOrBool | None = None
    # Validation.
    type: SchemaType | list[SchemaType] | None = None
    enum: list[Any] | None = None
    const: Any | None = None
    multipleOf: float | None = Field(default=None, gt=0)
    maximum: float | None = None
    exclusiveMaximum: float | None = None
    minimum: float | None = None
    exclusiveMinimum: float | None = None
    maxLength: int | None = Field(default=None, ge=0)
    minLength: int | None = Field(default=None, ge=0)
    pattern: str | None = None
    maxItems: int | None = Field(default=None, ge=0)
    minItems: int | None = Field(default=None, ge=0)
    uniqueItems: bool | None = None
    maxContains: int | None = Field(default=None, ge=0)
    minContains: int | None = Field(default=None, ge=0)
    maxProperties: int | None = Field(default=None, ge=0)
    minProperties: int | None = Field(default=None, ge=0)
    required: list[str] | None = None
    dependentRequired: dict[str, list[str]] | None = None
    format: str | None = None
    # String-encoded content.
    contentEncoding: str | None = None
    contentMediaType: str | None = None
    contentSchema: SchemaOrBool | None = None
    # Annotations.
    title: str | None = None
    description: str | None = None
    default: Any | None = None
    deprecated: bool | None = None
    readOnly: bool | None = None
    writeOnly: bool | None = None
    examples: list[Any] | None = None
    # What OpenAPI adds (`example` is deprecated in 3.1 for `examples`).
    discriminator: Discriminator | None = None
    xml: XML | None = None
    externalDocs: ExternalDocumentation | None = None
    example: Any | None = None


#: A JSON Schema is an object or a boolean (`True` accepts anything, `False` nothing).
SchemaOrBool = Schema | bool


# Parameters, bodies and responses -------------------------------------------------------


class Example(TypedDict, total=False):
    """An Example Object: a `value` (or an `externalValue` URL) with words about it."""

    summary: str | None
    description: str | None
    value: Any | None
    externalValue: str | None


class ParameterInType(enum.Enum):
    """Where a parameter is sent."""

    query = "query"
    header = "header"
    path = "path"
    cookie = "cookie"


class Encoding(_Object):
    contentType: str | None = None
    headers: dict[str, Header | Reference] | None = None
    style: str | None = None
    explode: bool | None = None
    allowReserved: bool | None = None


class MediaType(_Object):
    schema_: Schema | Reference | None = Field(default=None, alias="schema")
    example: Any | None = None
    examples: dict[str, Example | Reference] | None = None
    encoding: dict[str, Encoding] | None = None


class ParameterBase(_Object):
    """What a Parameter Object and a Header Object share."""

    description: str | None = None
    required: bool | None = None
    deprecated: bool | None = None
    style: str | None = None
    explode: bool | None = None
    allowReserved: bool | None = None
    schema_: Schema | Reference | None = Field(default=None, alias="schema")
    example: Any | None = None
    examples: dict[str, Example | Reference] | None = None
    content: dict[str, MediaType] | None = None


class Parameter(ParameterBase):
    name: str
    in_: ParameterInType = Field(alias="in")


class Header(ParameterBase):
    """A response header: a parameter without `name` and `in` (its key names it)."""


class RequestBody(_Object):
    description: str | None = None
    content: dict[str, MediaType]
    required: bool | None = None


class Link(_Object):
    operationRef: str | None = None
    operationId: str | None = None
    parameters: dict[str, Any] | None = None
    requestBody: Any | None = None
    description: str | None = None
    server: Server | None = None


class Response(_Object):
    description: str
    headers: dict[str, Header | Reference] | None = None
    content: dict[str, MediaType] | None = None
    links: dict[str, Link | Reference] | None = None


# Operations and the document --------------------------------------------------------------


class Operation(_Object):
    tags: list[str] | None = None
    summary: str | None = None
    description: str | None = None
    externalDocs: ExternalDocumentation | None = None
    operationId: str | None = None
    parameters: list[Parameter | Reference] | None = None
    requestBody: RequestBody | Reference | None = None
    # Keyed by status code, a range (`4XX`) or `default`.
    responses: dict[str, Response | Reference] | None = None
    callbacks: dict[str, dict[str, PathItem] | Reference] | None = None
    deprecated: bool | None = None
    security: list[dict[str, list[str]]] | None = None
    servers: list[Server] | None = None


class PathItem(_Object):
    ref: str | None = Field(default=None, alias="$ref")
    summary: str | None = None
    description: str | None = None
    get: Operation | None = None
    put: Operation | None = None
    post: Operation | None = None
    delete: Operation | None = None
    options: Operation | None = None
    head: Operation | None = None
    patch: Operation | None = None
    trace: Operation | None = None
    servers: list[Server] | None = None
    parameters: list[Parameter | Reference] | None = None


#: A Security Scheme Object (its class says which kind).
SecurityScheme = APIKey | HTTPBearer | HTTPBase | OAuth2 | OpenIdConnect


class Components(_Object):
    schemas: dict[str, SchemaOrBool | Reference] | None = None
    responses: dict[str, Response | Reference] | None = None
    parameters: dict[str, Parameter | Reference] | None = None
    examples: dict[str, Example | Reference] | None = None
    requestBodies: dict[str, RequestBody | Reference] | None = None
    headers: dict[str, Header | Reference] | None = None
    securitySchemes: dict[str, SecurityScheme | Reference] | None = None
    links: dict[str, Link | Reference] | None = None
    callbacks: dict[str, dict[str, PathItem] | Reference] | None = None
    pathItems: dict[str, PathItem | Reference] | None = None


class OpenAPI(_Object):
    """A whole OpenAPI 3.1 document, as `app.openapi()` returns it."""

    openapi: str
    info: Info
    jsonSchemaDialect: str | None = None
    servers: list[Server] | None = None
    paths: dict[str, PathItem] | None = None
    webhooks: dict[str, PathItem | Reference] | None = None
    components: Components | None = None
    security: list[dict[str, list[str]]] | None = None
    tags: list[Tag] | None = None
    externalDocs: ExternalDocumentation | None = None


for _model in (Schema, Encoding, MediaType, Operation, Components, OpenAPI):
    _model.model_rebuild()
