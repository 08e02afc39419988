"""The routes that serve `/openapi.json`, `/docs` (Swagger UI) and `/redoc`.

Each path is configurable on `Transom(...)` and disabled with `None`. The
pages reference only the app's own URLs: their assets are served from the
installed package (see `transom.openapi.docs`), never from a CDN.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from transom.openapi import docs
from transom.requests import Request
from transom.responses import HTMLResponse, JSONResponse, Response

if TYPE_CHECKING:
    from transom.applications import Transom

__all__ = ["add_docs_routes", "warn_if_assets_missing"]

logger = logging.getLogger("transom")


def add_docs_routes(app: Transom) -> None:
    """Register the OpenAPI document and the docs pages on `app`, as configured.

    The assets route is there whenever the document is, so that docs pages of
    one's own (`get_swagger_ui_html()` with its defaults) find the assets at
    `/docs/assets/` with the built-in pages turned off.
    """
    openapi_url = app.openapi_url
    if not openapi_url:  # None or "" (FastAPI's documented switch) turn the document off
        return

    def openapi_document(request: Request) -> Response:
        return JSONResponse(with_root_server(app.openapi(), request, app.root_path_in_servers))

    app.add_route(openapi_url, openapi_document, ["GET"], name="openapi")
    assets = (app.docs_url or app.redoc_url or "/docs").rstrip("/") + "/assets"

    def asset(request: Request) -> Response:
        return docs.asset_response(request.path_params["name"])

    app.add_route(assets + "/{name:path}", asset, ["GET"], name="docs-assets")
    if app.docs_url is not None:
        app.add_route(
            app.docs_url, _swagger_ui(app, openapi_url, assets), ["GET"], name="swagger-ui"
        )
        redirect_url = app.swagger_ui_oauth2_redirect_url
        if redirect_url:
            app.add_route(
                redirect_url, _oauth2_redirect, ["GET"], name="swagger-ui-oauth2-redirect"
            )
    if app.redoc_url is not None:
        app.add_route(app.redoc_url, _redoc(app, openapi_url, assets), ["GET"], name="redoc")


def warn_if_assets_missing(app: Transom) -> None:
    """Log one warning if the app serves docs pages but their assets are not installed.

    Called once, when the app first runs (its lifespan under a server): the build
    hook's own warning is printed during `pip install`, which shows a build's
    output only with `-v`, so this line is where a user sees it.
    """
    pages = [url for url in (app.docs_url, app.redoc_url) if url]
    if not app.openapi_url or not pages or docs.assets_installed():
        return
    logger.warning(
        "%s will show no API docs: %s",
        " and ".join(pages),
        docs.MISSING_HELP,
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


def _swagger_ui(app: Transom, openapi_url: str, assets: str) -> Callable[[Request], Response]:
    """The Swagger UI endpoint, with URLs below the request's root path."""
    title = f"{app.title} - Swagger UI"

    def page(request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        redirect_url = app.swagger_ui_oauth2_redirect_url
        return HTMLResponse(
            docs.swagger_ui_html(
                title=title,
                openapi_url=root + openapi_url,
                assets_url=root + assets,
                oauth2_redirect_url=root + redirect_url if redirect_url else None,
                init_oauth=app.swagger_ui_init_oauth,
                parameters=app.swagger_ui_parameters,
            )
        )

    return page


def _redoc(app: Transom, openapi_url: str, assets: str) -> Callable[[Request], Response]:
    """The ReDoc endpoint, with URLs below the request's root path."""
    title = f"{app.title} - ReDoc"

    def page(request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        return HTMLResponse(
            docs.redoc_html(title=title, openapi_url=root + openapi_url, assets_url=root + assets)
        )

    return page


def _oauth2_redirect(request: Request) -> Response:
    return HTMLResponse(docs.oauth2_redirect_page())
