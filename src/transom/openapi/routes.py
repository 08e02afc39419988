"""The routes that serve `/openapi.json`, `/docs` (Swagger UI) and `/redoc`.

Each path is configurable on `Transom(...)` and disabled with `None`. The
pages reference only the app's own URLs: their assets are served from the
installed package (see `transom.openapi.docs`), never from a CDN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from transom.openapi import docs
from transom.requests import Request
from transom.responses import HTMLResponse, JSONResponse, Response

if TYPE_CHECKING:
    from transom.applications import Transom

__all__ = ["add_docs_routes"]


def add_docs_routes(app: Transom) -> None:
    """Register the OpenAPI document and the docs pages on `app`, as configured."""
    openapi_url = app.openapi_url
    if not openapi_url:  # None or "" (FastAPI's documented switch) turn the document off
        return

    def openapi_document(request: Request) -> Response:
        return JSONResponse(with_root_server(app.openapi(), request, app.root_path_in_servers))

    app.add_route(openapi_url, openapi_document, ["GET"], name="openapi")
    if app.docs_url is None and app.redoc_url is None:
        return
    assets = (app.docs_url or app.redoc_url or "/docs").rstrip("/") + "/assets"

    def asset(request: Request) -> Response:
        return docs.asset_response(request.path_params["name"])

    app.add_route(assets + "/{name:path}", asset, ["GET"], name="docs-assets")
    pages = (
        (app.docs_url, docs.swagger_ui_html, "Swagger UI", "swagger-ui"),
        (app.redoc_url, docs.redoc_html, "ReDoc", "redoc"),
    )
    for url, render, label, name in pages:
        if url is not None:
            app.add_route(
                url,
                _page(render, f"{app.title} - {label}", openapi_url, assets),
                ["GET"],
                name=name,
            )


def with_root_server(document: dict[str, Any], request: Request, enabled: bool) -> dict[str, Any]:
    """The document with this request's root path as its first server, as FastAPI serves it.

    The kept document never changes: a root path a client sent is not shown to
    the next one.
    """
    root = str(request.scope.get("root_path", "")).rstrip("/")
    servers = document.get("servers") or []
    if not root or not enabled or any(server.get("url") == root for server in servers):
        return document
    return {**document, "servers": [{"url": root}, *servers]}


def _page(
    render: Callable[..., str], title: str, openapi_url: str, assets: str
) -> Callable[[Request], Response]:
    """An endpoint rendering one docs page, with URLs below the request's root path."""

    def page(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        return HTMLResponse(
            render(title=title, openapi_url=root + openapi_url, assets_url=root + assets)
        )

    return page
