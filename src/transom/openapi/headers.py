"""Declared response headers and cookies, as OpenAPI response `headers`.

A route's declarations come in layers, outermost first: the app, each router
it was included through, then the route itself (`transom.metadata`). For each
status an operation documents, the declarations that apply to that status are
picked layer by layer, so a closer layer replaces a farther one by name (header
names compared case-insensitively); within one layer a declaration for
specific statuses replaces one for every status.

Headers become header objects with their schema; cookies are documented
together as one `Set-Cookie` header whose description lists each cookie with
its attributes. A header the document already gives for a status (from
`responses=` or `openapi_extra`) is left as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic_core import to_jsonable_python

from transom.metadata import ResponseCookie, ResponseHeader, applies_to
from transom.openapi.schemas import SchemaRegistry

if TYPE_CHECKING:
    from transom.routing.api import APIRoute

__all__ = ["add_declared_headers"]

D = TypeVar("D", ResponseHeader, ResponseCookie)


def _applicable(layers: Iterable[Sequence[D]], status: str) -> dict[str, D]:
    """The declarations that apply to `status`, closest layer winning, by key."""
    chosen: dict[str, D] = {}
    for layer in layers:
        # Declarations for every status first, so specific ones of a layer replace them.
        for item in sorted(layer, key=lambda item: item.statuses is not None):
            if applies_to(item.statuses, status):
                chosen[item.key] = item
    return chosen


def _header_object(header: ResponseHeader, registry: SchemaRegistry) -> dict[str, Any]:
    entry: dict[str, Any] = {"description": header.description, "required": header.required}
    if header.deprecated:
        entry["deprecated"] = True
    entry["schema"] = registry.slot_for(header.annotation, "serialization")
    if header.example is not None:
        entry["example"] = to_jsonable_python(header.example, fallback=str)
    return entry


def _cookie_description(cookies: Iterable[ResponseCookie]) -> str:
    """A Markdown list of `cookies`: name, description and `Set-Cookie` attributes."""
    lines = ["Cookies this response may set:", ""]
    for cookie in cookies:
        text = f"{cookie.description} " if cookie.description else ""
        lines.append(f"- `{cookie.name}`: {text}`{cookie.describe()}`")
    return "\n".join(lines)


def _headers_of(response: dict[str, Any]) -> dict[str, Any]:
    """The response's `headers`, added right after its description if missing."""
    headers = response.get("headers")
    if isinstance(headers, dict):
        return headers
    headers = {}
    entries = list(response.items())
    response.clear()
    for key, value in entries:
        response[key] = value
        if key == "description":  # the OpenAPI field order: description, headers, content
            response["headers"] = headers
    response.setdefault("headers", headers)
    return headers


def add_declared_headers(
    responses: dict[str, Any], route: APIRoute, registry: SchemaRegistry
) -> None:
    """Add the route's declared headers and cookies to each documented response."""
    header_layers, cookie_layers = route.header_layers, route.cookie_layers
    for status, response in responses.items():
        if not isinstance(response, dict) or "$ref" in response:
            continue
        headers = _applicable(header_layers, status)
        cookies = _applicable(cookie_layers, status)
        if not headers and not cookies:
            continue
        target = _headers_of(response)
        given = {name.lower() for name in target}
        for header in headers.values():
            if header.key not in given:
                target[header.name] = _header_object(header, registry)
        if cookies and "set-cookie" not in given:
            target["Set-Cookie"] = {
                "description": _cookie_description(cookies.values()),
                "schema": {"type": "string"},
            }
