"""The routes that serve `/openapi.json`, `/docs` (Swagger UI) and `/redoc`.

Each path is configurable on `Transom(...)` and disabled with `None`. The
pages reference only the app's own URLs: their assets are served from the
installed package (see `transom.openapi.docs`), never from a CDN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transom.requests import Request
from transom.responses import HTMLResponse, JSONResponse, Response

if TYPE_CHECKING:
    from transom.applications import Transom

__all__ = ["add_docs_routes"]


def add_docs_routes(app: Transom) -> None:
    """Register the OpenAPI document and the docs pages on `app`, as configured."""
    openapi_url = app.openapi_url
    if openapi_url is None:
        return

    def openapi_document(request: Request) -> Response:
        return JSONResponse(app.openapi())

    app.add_route(openapi_url, openapi_document, ["GET"], name="openapi")
    if app.docs_url is None and app.redoc_url is None:
        return
    root_openapi = openapi_url
    assets = (app.docs_url or app.redoc_url or "/docs").rstrip("/") + "/assets"

    def asset(request: Request) -> Response:
        from transom.openapi import docs

        return docs.asset_response(request.path_params["name"])

    app.add_route(assets + "/{name:path}", asset, ["GET"], name="docs-assets")
    if app.docs_url is not None:

        def swagger_ui(request: Request) -> Response:
            from transom.openapi import docs

            root = request.scope.get("root_path", "")
            html = docs.swagger_ui_html(
                title=f"{app.title} - Swagger UI",
                openapi_url=root + root_openapi,
                assets_url=root + assets,
            )
            return HTMLResponse(html)

        app.add_route(app.docs_url, swagger_ui, ["GET"], name="swagger-ui")
    if app.redoc_url is not None:

        def redoc(request: Request) -> Response:
            from transom.openapi import docs

            root = request.scope.get("root_path", "")
            html = docs.redoc_html(
                title=f"{app.title} - ReDoc",
                openapi_url=root + root_openapi,
                assets_url=root + assets,
            )
            return HTMLResponse(html)

        app.add_route(app.redoc_url, redoc, ["GET"], name="redoc")
