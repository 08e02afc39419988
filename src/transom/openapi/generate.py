"""The OpenAPI 3.1 document of an app, generated from its route plans.

Only path operations (`APIRoute`) are documented, each method as one
operation; plain `Route`s and `Mount`s (the docs pages among them) are not.
An operation's `callbacks=` (routes of a router that is never served) are
documented inside it, keyed by the callback's name and its URL expression; the
app's webhooks (`app.webhooks`) under the document's `webhooks`, keyed by name.
The document follows FastAPI's: the same operation ids, summaries, parameter
and body schemas, `422` validation error responses and component names, so
clients generated from a FastAPI app keep working. On top of that, the headers
and cookies a route declares (`response_headers=`, `response_cookies=`) are
documented on the responses they apply to (`transom.openapi.headers`).

Schemas are collected while the document is assembled and generated together
at the end (`transom.openapi.schemas`). This module never runs a request; it is
called once, by `Transom.openapi()`, which keeps the result.
"""

from __future__ import annotations

import copy
import http
import inspect
import re
import warnings
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, TypeAdapter, create_model
from pydantic.fields import FieldInfo

from transom.di.plan import BodyMode, Input, Plan, clean_annotation
from transom.encoders import jsonable_encoder
from transom.openapi.headers import add_declared_headers
from transom.openapi.schemas import REF_PREFIX, VALIDATION_ERROR_DEFINITIONS, SchemaRegistry
from transom.openapi.security import operation_security
from transom.params import BodyParam, FileParam, Param, ParamSource
from transom.responses import JSONResponse, Response, body_allowed
from transom.routing.api import APIRoute
from transom.routing.router import BaseRoute
from transom.sse import EVENT_SCHEMA
from transom.streams import StreamKind, StreamPlan

if TYPE_CHECKING:
    from transom.applications import Transom

__all__ = ["OPENAPI_VERSION", "build_openapi", "openapi_document", "operation_id", "unique_id"]

OPENAPI_VERSION = "3.1.0"

#: The order operations of one path appear in.
_METHOD_ORDER = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")

_STATUS_RANGES = {
    "1XX": "Information",
    "2XX": "Success",
    "3XX": "Redirection",
    "4XX": "Client Error",
    "5XX": "Server Error",
    "default": "Default Response",
}


def build_openapi(app: Transom) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `app`, as a JSON-ready dict (see `openapi_document`)."""
    return openapi_document(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        terms_of_service=app.terms_of_service,
        contact=app.contact,
        license_info=app.license_info,
        routes=app.routes,
        webhooks=app.webhooks.routes,
        tags=app.openapi_tags,
        servers=app.servers,
        external_docs=app.openapi_external_docs,
        separate_input_output_schemas=app.separate_input_output_schemas,
    )


def openapi_document(
    *,
    title: str,
    version: str,
    routes: Sequence[BaseRoute],
    openapi_version: str = OPENAPI_VERSION,
    summary: str | None = None,
    description: str | None = None,
    tags: list[dict[str, Any]] | None = None,
    servers: list[dict[str, Any]] | None = None,
    terms_of_service: str | None = None,
    contact: dict[str, Any] | None = None,
    license_info: dict[str, Any] | None = None,
    separate_input_output_schemas: bool = True,
    external_docs: dict[str, Any] | None = None,
    webhooks: Sequence[BaseRoute] | None = None,
) -> dict[str, Any]:
    """The OpenAPI document of `routes` (and of `webhooks`), as a JSON-ready dict.

    With `separate_input_output_schemas=False`, a model whose input and output
    schemas differ is documented once, by its input schema, as FastAPI does.

    Raises:
        ValueError: if a route's `responses=` has a key that is not a status
            code, a range like `"4XX"`, or `"default"`.
    """
    operations = _Operations(SchemaRegistry(separate=separate_input_output_schemas))
    paths = operations.paths(routes)
    webhook_paths = operations.paths(webhooks or ())
    schemas = operations.registry.resolve([paths, webhook_paths])
    info: dict[str, Any] = {"title": title, "version": version}
    optional = {
        "summary": summary,
        "description": description,
        "termsOfService": terms_of_service,
        "contact": contact,
        "license": license_info,
    }
    info.update({key: value for key, value in optional.items() if value})
    document: dict[str, Any] = {"openapi": openapi_version, "info": info}
    if servers:
        document["servers"] = servers
    document["paths"] = paths
    if webhook_paths:
        document["webhooks"] = webhook_paths
    components: dict[str, Any] = {}
    if schemas:
        components["schemas"] = schemas
    if operations.security_schemes:
        components["securitySchemes"] = operations.security_schemes
    if components:
        document["components"] = components
    if tags:
        document["tags"] = tags
    if external_docs:
        document["externalDocs"] = external_docs
    result: dict[str, Any] = jsonable_encoder(document)
    return result


class _Operations:
    """What the operations of one document share: the schema registry, the
    operation ids given so far (a repeated one warns), the security schemes used."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self.seen: set[str] = set()
        self.security_schemes: dict[str, Any] = {}

    def paths(self, routes: Sequence[BaseRoute]) -> dict[str, dict[str, Any]]:
        """The path items of `routes`' documented path operations, by path."""
        paths: dict[str, dict[str, Any]] = {}
        for route in routes:
            if isinstance(route, APIRoute):
                paths.setdefault(route.template.format, {}).update(self.path_item(route))
        return {path: operations for path, operations in paths.items() if operations}

    def path_item(self, route: APIRoute) -> dict[str, Any]:
        """One operation per method of `route`, by method; none if it is not documented."""
        if not route.options.get("include_in_schema", True):
            return {}
        schemes, security = operation_security(route.plan)
        self.security_schemes.update(schemes)
        return {
            method.lower(): _operation(route, method, self, security)
            for method in _ordered(route.methods)
        }

    def check_unique(self, op_id: str, route: APIRoute) -> None:
        """Warn about an operation id already used: generated clients would clash, as
        FastAPI warns."""
        if op_id in self.seen:
            warnings.warn(
                f"Duplicate Operation ID {op_id!r} for {route.label}: generated clients need "
                "unique ids; set operation_id= or a generate_unique_id_function that gives one.",
                stacklevel=2,
            )
        self.seen.add(op_id)

    def callbacks(self, route: APIRoute) -> dict[str, Any]:
        """An operation's `callbacks`: each callback route's operations, by its name and
        URL expression (`{"invoice_paid": {"{$callback_url}/invoices": {"post": ...}}}`)."""
        documented: dict[str, Any] = {}
        for callback in route.callbacks:
            if isinstance(callback, APIRoute):
                documented[callback.name or ""] = {callback.path: self.path_item(callback)}
        return documented


def _ordered(methods: frozenset[str]) -> list[str]:
    known = [method for method in _METHOD_ORDER if method in methods]
    return known + sorted(methods.difference(_METHOD_ORDER))


def unique_id(route: APIRoute, method: str) -> str:
    """The route's `generate_unique_id_function(route)`, else FastAPI's generated
    operation id: `read_item_items__item_id__get`."""
    generate = route.options.get("generate_unique_id_function")
    if generate is not None:
        return generate(route)
    name = re.sub(r"\W", "_", f"{route.name or ''}{route.template.format}")
    return f"{name}_{method.lower()}"


def operation_id(route: APIRoute, method: str) -> str:
    """The route's `operation_id=` option, or its generated `unique_id`."""
    return route.options.get("operation_id") or unique_id(route, method)


def _title(name: str) -> str:
    """FastAPI's title of a generated name: `Response_read_item` -> `Response Read Item`."""
    return name.title().replace("_", " ")


def _operation(
    route: APIRoute, method: str, operations: _Operations, security: list[dict[str, list[str]]]
) -> dict[str, Any]:
    options = route.options
    registry = operations.registry
    op_id = operation_id(route, method)
    operations.check_unique(op_id, route)
    operation: dict[str, Any] = {}
    tags = options.get("tags")
    if tags:
        operation["tags"] = [tag.value if isinstance(tag, Enum) else tag for tag in tags]
    operation["summary"] = options.get("summary") or (route.name or "").replace("_", " ").title()
    description = options.get("description") or _docstring(route.endpoint)
    if description:
        operation["description"] = description
    operation["operationId"] = op_id
    parameters = _parameters(route.plan, registry)
    if parameters:
        operation["parameters"] = parameters
    body = _request_body(route.plan, op_id, registry)
    if body is not None:
        operation["requestBody"] = body
    if route.callbacks:
        operation["callbacks"] = operations.callbacks(route)
    operation["responses"] = _responses(route, op_id, registry)
    if options.get("deprecated"):
        operation["deprecated"] = True
    if security:
        operation["security"] = [dict(requirement) for requirement in security]
    extra = options.get("openapi_extra")
    if extra:
        _deep_update(operation, extra)
    responses = operation.get("responses")
    if isinstance(responses, dict):
        add_declared_headers(responses, route, registry)
    return operation


def _docstring(endpoint: Any) -> str:
    """The endpoint's docstring, cleaned; text after a form feed is left out, as in FastAPI."""
    doc = inspect.cleandoc(getattr(endpoint, "__doc__", None) or "")
    return doc.split("\f")[0].strip()


def _sent_as(item: Input, in_model: bool) -> tuple[str, str]:
    """A parameter's documented name and the name its title comes from, as in FastAPI.

    A header is documented as it is sent: its alias as written, or its name with
    `-` for `_` (`last_event_id` -> `last-event-id`, titled `Last-Event-Id`); a
    parameter model's header field keeps its field's title (`X Token`)."""
    param = item.param
    if item.source is not ParamSource.HEADER:
        return item.lookup, param.request_name or item.name
    convert = getattr(param, "convert_underscores", True)
    name = param.request_name or (item.name.replace("_", "-") if convert else item.name)
    return name, (param.request_name or item.name) if in_model else name


def _parameters(plan: Plan, registry: SchemaRegistry) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    # A parameter model is documented as its fields, one parameter each.
    fields = [
        (field, bool(given.fields)) for given in plan.inputs for field in given.fields or (given,)
    ]
    for item, in_model in fields:
        param = item.param
        if not param.include_in_schema:
            continue
        annotated: Any = Annotated[(clean_annotation(item.annotation), param.field_info())]
        name, titled = _sent_as(item, in_model)
        title = param.constraints.get("title") or _title(titled)
        parameter: dict[str, Any] = {"name": name, "in": item.source.value}
        if param.description:
            parameter["description"] = param.description
        parameter["required"] = item.source is ParamSource.PATH or param.required
        if param.deprecated:
            parameter["deprecated"] = True
        if item.sealed is not None:
            # On the wire a signed or encrypted cookie is an opaque string.
            parameter["schema"] = {"type": "string", "title": title}
        else:
            adapter = TypeAdapter(annotated)
            deprecated = bool(param.deprecated)
            parameter["schema"] = registry.slot(adapter, "validation", title, deprecated=deprecated)
        parameter.update(_examples(param))
        parameters.append(parameter)
    return parameters


def _request_body(plan: Plan, op_id: str, registry: SchemaRegistry) -> dict[str, Any] | None:
    if plan.body_mode is BodyMode.NONE:
        return None
    inputs = plan.body_inputs
    if plan.body_mode is BodyMode.SINGLE and plan.single_body is not None:
        item = plan.single_body
        adapter = plan.single_body_adapter or TypeAdapter(clean_annotation(item.annotation))
        title = item.param.constraints.get("title") or _title(item.param.request_name or item.name)
        deprecated = bool(item.param.deprecated)
        schema: Any = registry.slot(adapter, "validation", title, deprecated=deprecated)
        examples = _examples(item.param)
    else:
        model = _body_model(f"Body_{op_id}", inputs)
        schema = registry.slot(TypeAdapter(model), "validation")
        examples = {}
    body: dict[str, Any] = {}
    if plan.body_required:
        body["required"] = True
    first = inputs[0].param
    media_type = first.media_type if isinstance(first, BodyParam) else "application/json"
    if any(isinstance(item.param, FileParam) for item in inputs):
        media_type = "multipart/form-data"  # a form with a file is always multipart
    body["content"] = {media_type: {"schema": schema, **examples}}
    return body


def _examples(param: Param) -> dict[str, Any]:
    """`openapi_examples=` as the OpenAPI `examples`, else the deprecated `example=`."""
    if param.openapi_examples:
        return {"examples": jsonable_encoder(param.openapi_examples)}
    if param.has_example:
        return {"example": jsonable_encoder(param.example)}
    return {}


def _body_model(name: str, inputs: list[Input]) -> type[BaseModel]:
    """The object an embedded body is: one field per body parameter, keyed by its name."""
    fields: dict[str, tuple[Any, FieldInfo]] = {}
    seen: set[str] = set()
    for item in inputs:
        if item.lookup in seen:
            continue
        seen.add(item.lookup)
        field_name = item.name if item.name not in fields else f"{item.name}_{len(fields)}"
        field = item.param.field_info(alias=item.lookup)
        if item.param.deprecated:  # documented on the body's field, as in FastAPI
            field = FieldInfo.merge_field_infos(field, deprecated=True)
        fields[field_name] = (clean_annotation(item.annotation), field)
    model: type[BaseModel] = create_model(name, **fields)  # type: ignore[call-overload]
    return model


def _default_status(response_class: type[Response]) -> int:
    """The status a response class sends by default (307 for `RedirectResponse`)."""
    try:
        parameter = inspect.signature(response_class.__init__).parameters.get("status_code")
    except (TypeError, ValueError):
        return 200
    if parameter is not None and isinstance(parameter.default, int):
        return parameter.default
    return 200


def _responses(route: APIRoute, op_id: str, registry: SchemaRegistry) -> dict[str, Any]:
    status = route.status_code or _default_status(route.response_class)
    media_type = route.response_class.media_type
    success: dict[str, Any] = {
        "description": route.options.get("response_description", "Successful Response")
    }
    if route.stream is not None and body_allowed(status):
        success["content"] = _stream_content(route.stream, op_id, registry)
    elif media_type and body_allowed(status):
        schema: Any = {"type": "string"}
        if issubclass(route.response_class, JSONResponse):
            schema = {}
            if route.response_model is not None:
                title = _title(f"Response_{op_id}")
                schema = registry.slot(route.response_model.adapter, "serialization", title)
        success["content"] = {media_type: {"schema": schema}}
    responses: dict[str, Any] = {str(status): success}
    for key, extra in (route.options.get("responses") or {}).items():
        _merge_extra_response(responses, key, extra, route, op_id, registry)
    plan = route.plan
    if (plan.inputs or plan.body_inputs) and not any(
        key in responses for key in ("422", "4XX", "default")
    ):
        responses["422"] = {
            "description": "Validation Error",
            "content": {
                "application/json": {"schema": {"$ref": REF_PREFIX + "HTTPValidationError"}}
            },
        }
        registry.define(VALIDATION_ERROR_DEFINITIONS)
    return responses


def _stream_content(stream: StreamPlan, op_id: str, registry: SchemaRegistry) -> dict[str, Any]:
    """A streamed operation's content, as FastAPI documents it: the schema of one item
    (`itemSchema`) of JSON Lines, or of one event whose data is the item as JSON."""
    item: Any = {}
    if stream.item_model is not None:
        title = _title(f"StreamItem_{op_id}")
        item = registry.slot(stream.item_model.adapter, "serialization", title)
    if stream.kind is StreamKind.JSON_LINES:
        return {"application/jsonl": {"itemSchema": item}}
    event = copy.deepcopy(EVENT_SCHEMA)
    if stream.item_model is not None:
        event["properties"]["data"] = {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": item,
        }
        event["required"] = ["data"]
    return {"text/event-stream": {"itemSchema": event}}


def _status_key(key: int | str, route: APIRoute) -> tuple[str, str | None]:
    """The response key (`"404"`, `"4XX"`, `"default"`) and its standard description."""
    text = str(key).upper()
    if text == "DEFAULT":
        return "default", _STATUS_RANGES["default"]
    if text in _STATUS_RANGES:
        return text, _STATUS_RANGES[text]
    if text.isdigit():
        try:
            return text, http.HTTPStatus(int(text)).phrase
        except ValueError:
            return text, None
    raise ValueError(
        f"{route.label}: responses= has the key {key!r}, which is not a status code, a "
        "range like '4XX', or 'default'. Use one of those."
    )


def _merge_extra_response(
    responses: dict[str, Any],
    key: int | str,
    extra: dict[str, Any],
    route: APIRoute,
    op_id: str,
    registry: SchemaRegistry,
) -> None:
    """Merge one `responses=` entry into the operation's responses, as FastAPI does."""
    status, phrase = _status_key(key, route)
    given = dict(extra)
    model = given.pop("model", None)
    response = responses.setdefault(status, {})
    if model is not None:
        # Unlike FastAPI, a model is JSON even on routes that answer HTML or text:
        # it documents an error body or another JSON answer, not the route's own.
        media_type = "application/json"
        if issubclass(route.response_class, JSONResponse) and route.response_class.media_type:
            media_type = route.response_class.media_type
        title = _title(f"Response_{key}_{op_id}")
        content = given.setdefault("content", {})
        content = given["content"] = {**content}
        content[media_type] = {
            **content.get(media_type, {}),
            "schema": registry.slot_for(model, "serialization", title),
        }
    description = (
        given.get("description") or response.get("description") or phrase or "Additional Response"
    )
    _deep_update(response, given)
    response.pop("description", None)
    responses[status] = {"description": description, **response}


def _deep_update(target: dict[str, Any], update: dict[str, Any]) -> None:
    """Merge `update` into `target`: dicts recursively, lists concatenated, else replaced."""
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _deep_update(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            target[key] = current + copy.deepcopy(value)
        else:
            target[key] = copy.deepcopy(value)
