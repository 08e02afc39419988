"""The Swagger UI and ReDoc pages, with assets served by the app itself.

The JavaScript and CSS come from the npm packages `swagger-ui-dist` and `redoc`:
the build hook (`hatch_build.py`) fetches pinned, hash-checked versions into
`static/` next to this module when the wheel (or an editable install) is built,
so an installed Transom needs no network and no CDN. The pages reference only
the URLs they are given: the OpenAPI document and the assets route.

If the assets were not installed (the build machine had no npm), the pages say
so instead of loading scripts, and the assets route answers 404 with the same
explanation.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from transom.responses import FileResponse, PlainTextResponse, Response

__all__ = ["ASSETS", "STATIC_DIR", "asset_response", "redoc_html", "swagger_ui_html"]

#: Where the build hook puts the assets.
STATIC_DIR = Path(__file__).with_name("static")

#: Every name the assets route serves, with its media type; anything else is a 404.
ASSETS: Mapping[str, str] = MappingProxyType(
    {
        "swagger-ui-bundle.js": "text/javascript",
        "swagger-ui.css": "text/css",
        "redoc.standalone.js": "text/javascript",
        "LICENSE-swagger-ui": "text/plain",
        "NOTICE-swagger-ui": "text/plain",
        "swagger-ui-bundle.js.LICENSE.txt": "text/plain",
        "redoc.standalone.js.LICENSE.txt": "text/plain",
        "LICENSE-redoc": "text/plain",
    }
)

#: Pages add a `?v=` stamp of the installed file, so a long lifetime is safe.
CACHE_CONTROL = "public, max-age=604800"

MISSING_HELP = (
    "The Swagger UI and ReDoc assets are not installed. Transom fetches them with npm "
    "(the packages swagger-ui-dist and redoc, pinned and hash-checked) when its wheel or "
    "editable install is built, and the machine that built this installation had no "
    "working npm. Install Node.js (which includes npm) and reinstall Transom from "
    "source, e.g. `pip install -e .` in a checkout, or `pip install --force-reinstall "
    "--no-deps --no-binary transom transom`. Set TRANSOM_DOCS_ASSETS=require to make "
    "such a build fail instead. The OpenAPI document itself does not need them."
)

#: What the pages may load: scripts, styles, images and fonts from the app itself only
#: (inline code and `data:`/`blob:` URLs are made by the bundles). This also stops the
#: attribution logo that ReDoc's sidebar loads from its vendor's CDN. Requests made by
#: "Try it out" (`connect-src`) are not restricted: they go where the API's servers are.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src *; object-src 'none'; base-uri 'self'"
)

_SWAGGER_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")
_REDOC_ASSETS = ("redoc.standalone.js",)


def _stat(name: str) -> os.stat_result | None:
    try:
        result = (STATIC_DIR / name).stat()
    except OSError:
        return None
    return result if stat.S_ISREG(result.st_mode) else None


def _stamp(result: os.stat_result) -> str:
    """A short tag that changes when the installed file changes (cache busting)."""
    key = f"{result.st_size}:{result.st_mtime_ns}".encode("ascii")
    return hashlib.blake2b(key, digest_size=6).hexdigest()


def _asset_urls(assets_url: str, names: tuple[str, ...]) -> dict[str, str] | None:
    """`{name: url}` for installed assets, or `None` if any of them is missing."""
    urls: dict[str, str] = {}
    base = assets_url.rstrip("/")
    for name in names:
        result = _stat(name)
        if result is None:
            return None
        urls[name] = f"{base}/{name}?v={_stamp(result)}"
    return urls


def _js(value: str) -> str:
    """`value` as a JavaScript string literal that is safe inside a `<script>` element."""
    encoded = json.dumps(value)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        encoded = encoded.replace(char, escape)
    return encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _head(title: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_attr(CONTENT_SECURITY_POLICY)}">\n'
        # No favicon request at all (the app has none to offer).
        '<link rel="icon" href="data:,">\n'
    )


def _missing_page(title: str, openapi_url: str) -> str:
    return (
        _head(title)
        + "<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}code{background:#f2f2f2;padding:0 .2em}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f'<p id="docs-assets-missing">{html.escape(MISSING_HELP)}</p>\n'
        f'<p>The OpenAPI document: <a href="{_attr(openapi_url)}">'
        f"{html.escape(openapi_url)}</a></p>\n"
        "</body>\n</html>\n"
    )


def swagger_ui_html(*, title: str, openapi_url: str, assets_url: str) -> str:
    """The Swagger UI page for the document at `openapi_url`, assets from `assets_url`."""
    urls = _asset_urls(assets_url, _SWAGGER_ASSETS)
    if urls is None:
        return _missing_page(title, openapi_url)
    return (
        _head(title) + f'<link rel="stylesheet" href="{_attr(urls["swagger-ui.css"])}">\n'
        "</head>\n<body>\n"
        '<div id="swagger-ui"><noscript>Swagger UI needs JavaScript; the OpenAPI '
        f'document is at <a href="{_attr(openapi_url)}">{html.escape(openapi_url)}</a>.'
        "</noscript></div>\n"
        f'<script src="{_attr(urls["swagger-ui-bundle.js"])}"></script>\n'
        "<script>\n"
        "window.ui = SwaggerUIBundle({\n"
        f"  url: {_js(openapi_url)},\n"
        '  dom_id: "#swagger-ui",\n'
        '  layout: "BaseLayout",\n'
        "  deepLinking: true,\n"
        "  showExtensions: true,\n"
        "  showCommonExtensions: true,\n"
        "  presets: [SwaggerUIBundle.presets.apis],\n"
        # The default would send the document to an external validator.
        "  validatorUrl: null,\n"
        "});\n"
        "</script>\n"
        "</body>\n</html>\n"
    )


def redoc_html(*, title: str, openapi_url: str, assets_url: str) -> str:
    """The ReDoc page for the document at `openapi_url`, assets from `assets_url`.

    ReDoc uses its default font stacks; no web font is loaded.
    """
    urls = _asset_urls(assets_url, _REDOC_ASSETS)
    if urls is None:
        return _missing_page(title, openapi_url)
    return (
        _head(title) + "<style>body{margin:0;padding:0}</style>\n"
        "</head>\n<body>\n"
        '<div id="redoc"><noscript>ReDoc needs JavaScript; the OpenAPI document is at '
        f'<a href="{_attr(openapi_url)}">{html.escape(openapi_url)}</a>.</noscript></div>\n'
        f'<script src="{_attr(urls["redoc.standalone.js"])}"></script>\n'
        "<script>\n"
        f'Redoc.init({_js(openapi_url)}, {{}}, document.getElementById("redoc"));\n'
        "</script>\n"
        "</body>\n</html>\n"
    )


def asset_response(name: str) -> Response:
    """Serve one allow-listed asset file; any other name is a 404.

    `name` is only ever used as a key of `ASSETS`, so no path in it reaches the
    file system.
    """
    media_type = ASSETS.get(name)
    if media_type is None:
        return PlainTextResponse("Not Found", status_code=404)
    result = _stat(name)
    if result is None:
        return PlainTextResponse(
            f"{name} is not installed.\n\n{MISSING_HELP}\n",
            status_code=404,
            headers={"Cache-Control": "no-store"},
        )
    return FileResponse(
        STATIC_DIR / name,
        media_type=media_type,
        headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
        stat_result=result,
    )
