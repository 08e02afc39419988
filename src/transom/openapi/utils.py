"""`get_openapi`: FastAPI's function for building an OpenAPI document from routes.

Apps that customise their document (`app.openapi = custom_openapi`) call it
with the app's metadata and routes, then edit the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from transom.openapi.generate import OPENAPI_VERSION, openapi_document
from transom.routing.router import BaseRoute

__all__ = ["get_openapi"]


def get_openapi(
    *,
    title: str,
    version: str,
    openapi_version: str = OPENAPI_VERSION,
    summary: str | None = None,
    description: str | None = None,
    routes: Sequence[BaseRoute],
    webhooks: Sequence[BaseRoute] | None = None,
    tags: list[dict[str, Any]] | None = None,
    servers: list[dict[str, Any]] | None = None,
    terms_of_service: str | None = None,
    contact: dict[str, Any] | None = None,
    license_info: dict[str, Any] | None = None,
    separate_input_output_schemas: bool = True,
    external_docs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The OpenAPI document of `routes` with this metadata, as a JSON-ready dict.

    The same document `app.openapi()` builds, for the same arguments; only
    path operations are documented. `webhooks` (`app.webhooks.routes`) are listed
    under the document's `webhooks`.
    """
    return openapi_document(
        title=title,
        version=version,
        openapi_version=openapi_version,
        summary=summary,
        description=description,
        routes=routes,
        webhooks=webhooks,
        tags=tags,
        servers=servers,
        terms_of_service=terms_of_service,
        contact=contact,
        license_info=license_info,
        separate_input_output_schemas=separate_input_output_schemas,
        external_docs=external_docs,
    )
