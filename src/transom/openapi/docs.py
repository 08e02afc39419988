"""The Swagger UI and ReDoc pages, with assets served by the app itself.

The JavaScript and CSS come from the npm packages `swagger-ui-dist` and `redoc`:
the build hook (`hatch_build.py`) fetches pinned, hash-checked versions into
`static/` next to this module when the wheel (or an editable install) is built,
so an installed Transom needs no network and no CDN. The pages reference only
the URLs they are given: the OpenAPI document and the assets route.

If the assets were not installed (the build machine had no npm), the pages say
so instead of loading scripts, and the assets route answers 404 with the same
explanation; the app logs that once, when it first runs.

ReDoc's bundle has one URL of another host: the attribution logo in its sidebar
(`REWRITES`). The assets route serves the bundle with that URL pointed at an
empty inline image, so the page asks nothing of another host and the browser
logs no Content-Security-Policy error; the "API docs by Redocly" link stays.

FastAPI's functions for docs routes of one's own (`get_swagger_ui_html`,
`get_redoc_html`, `get_swagger_ui_oauth2_redirect_html`) render the same pages
with the URLs they are given; their defaults are the app's own assets.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from transom.encoders import jsonable_encoder
from transom.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

__all__ = [
    "ASSETS",
    "DEFAULT_ASSETS_URL",
    "STATIC_DIR",
    "asset_response",
    "get_redoc_html",
    "get_swagger_ui_html",
    "get_swagger_ui_oauth2_redirect_html",
    "oauth2_redirect_page",
    "redoc_html",
    "redoc_page",
    "swagger_ui_default_parameters",
    "swagger_ui_html",
    "swagger_ui_page",
]

#: Where the build hook puts the assets.
STATIC_DIR = Path(__file__).with_name("static")

#: Every name the assets route serves, with its media type; anything else is a 404.
ASSETS: Mapping[str, str] = MappingProxyType(
    {
        "swagger-ui-bundle.js": "text/javascript",
        "swagger-ui.css": "text/css",
        "oauth2-redirect.js": "text/javascript",
        "redoc.standalone.js": "text/javascript",
        "LICENSE-swagger-ui": "text/plain",
        "NOTICE-swagger-ui": "text/plain",
        "swagger-ui-bundle.js.LICENSE.txt": "text/plain",
        "redoc.standalone.js.LICENSE.txt": "text/plain",
        "LICENSE-redoc": "text/plain",
    }
)

#: Byte rewrites applied when serving an asset: ReDoc's sidebar logo comes from its
#: vendor's CDN, which the page's policy blocks (a console error); an empty SVG instead.
REWRITES: Mapping[str, tuple[bytes, bytes]] = MappingProxyType(
    {
        "redoc.standalone.js": (
            b'"https://cdn.redoc.ly/redoc/logo-mini.svg"',
            b"\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'"
            b" width='0' height='0'/>\"",
        ),
    }
)

#: Where the app serves the assets unless `docs_url` (or, without it, `redoc_url`)
#: moves them: the default asset URLs of `get_swagger_ui_html` and `get_redoc_html`.
DEFAULT_ASSETS_URL = "/docs/assets"

#: The Swagger UI settings of every page; `swagger_ui_parameters` are merged over
#: them (FastAPI's, plus no online validator: the default would send the document
#: to an external service).
swagger_ui_default_parameters: dict[str, Any] = {
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
    "validatorUrl": None,
}

#: The pages' icon: an empty `data:` URL, so the browser requests none.
NO_FAVICON = "data:,"

#: The script of the OAuth2 redirect page, from swagger-ui-dist.
OAUTH2_REDIRECT_JS = "oauth2-redirect.js"

#: ReDoc's fonts, only with `get_redoc_html(with_google_fonts=True)`.
GOOGLE_FONTS_CSS = (
    "https://fonts.googleapis.com/css?family=Montserrat:300,400,700|Roboto:300,400,700"
)
GOOGLE_FONTS_FILES = "https://fonts.gstatic.com"

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


def assets_installed() -> bool:
    """Whether every asset the built-in pages load is installed."""
    return all(_stat(name) is not None for name in (*_SWAGGER_ASSETS, *_REDOC_ASSETS))


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


def _js_single(value: str) -> str:
    """`value` as a single-quoted JavaScript string literal, safe inside `<script>`."""
    inner = _json(value)[1:-1]  # JSON escapes are JavaScript escapes, `\"` included
    return "'" + inner.replace("'", "\\u0027") + "'"


def _json(value: Any) -> str:
    """`value` as JSON (through `jsonable_encoder`), safe inside a `<script>` element."""
    encoded = json.dumps(jsonable_encoder(value))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        encoded = encoded.replace(char, escape)
    return encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _head(title: str, policy: str, favicon_url: str = NO_FAVICON) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f'<meta http-equiv="Content-Security-Policy" content="{_attr(policy)}">\n'
        f'<link rel="icon" href="{_attr(favicon_url)}">\n'
    )


def _origin(url: str) -> str | None:
    """The CSP source of the host `url` is on, or `None` for the page's own origin."""
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme else parts.netloc


def _policy(
    *,
    scripts: Sequence[str],
    styles: Sequence[str],
    images: Sequence[str],
    fonts: Sequence[str] = (),
) -> str:
    """`CONTENT_SECURITY_POLICY`, also allowing the hosts of assets loaded from elsewhere."""
    extra = {
        "script-src": scripts,
        "style-src": styles,
        "img-src": images,
        "font-src": fonts,
    }
    directives = []
    for directive in CONTENT_SECURITY_POLICY.split("; "):
        name = directive.split(" ", 1)[0]
        hosts = [origin for url in extra.get(name, ()) if (origin := _origin(url))]
        directives.append(" ".join([directive, *dict.fromkeys(hosts)]))
    return "; ".join(directives)


def _missing_page(title: str, openapi_url: str) -> str:
    return (
        _head(title, CONTENT_SECURITY_POLICY)
        + "<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}code{background:#f2f2f2;padding:0 .2em}</style>\n"
        "</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        f'<p id="docs-assets-missing">{html.escape(MISSING_HELP)}</p>\n'
        f'<p>The OpenAPI document: <a href="{_attr(openapi_url)}">'
        f"{html.escape(openapi_url)}</a></p>\n"
        "</body>\n</html>\n"
    )


def swagger_ui_page(
    *,
    title: str,
    openapi_url: str,
    js_url: str,
    css_url: str,
    favicon_url: str = NO_FAVICON,
    oauth2_redirect_url: str | None = None,
    init_oauth: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> str:
    """The Swagger UI page: the document at `openapi_url`, the bundle and styles given.

    `parameters` are merged over `swagger_ui_default_parameters`, each written
    as a JSON value; `init_oauth` is passed to `ui.initOAuth`. Every value is
    escaped for the `<script>` element, and the page's policy lets it load from
    the app and from the hosts of the URLs given.
    """
    merged = {**swagger_ui_default_parameters, **(parameters or {})}
    config = [f"  url: {_js_single(openapi_url)},\n"]
    config += [f"  {_json(key)}: {_json(value)},\n" for key, value in merged.items()]
    if oauth2_redirect_url:
        config.append(
            f"  oauth2RedirectUrl: window.location.origin + {_js_single(oauth2_redirect_url)},\n"
        )
    script = (
        "const ui = SwaggerUIBundle({\n"
        + "".join(config)
        + "  presets: [\n    SwaggerUIBundle.presets.apis,\n  ],\n});\n"
    )
    if init_oauth:
        script += f"ui.initOAuth({_json(init_oauth)});\n"
    script += "window.ui = ui;\n"
    policy = _policy(scripts=[js_url], styles=[css_url], images=[favicon_url])
    return (
        _head(title, policy, favicon_url) + f'<link rel="stylesheet" href="{_attr(css_url)}">\n'
        "</head>\n<body>\n"
        '<div id="swagger-ui"><noscript>Swagger UI needs JavaScript; the OpenAPI '
        f'document is at <a href="{_attr(openapi_url)}">{html.escape(openapi_url)}</a>.'
        "</noscript></div>\n"
        f'<script src="{_attr(js_url)}"></script>\n'
        f"<script>\n{script}</script>\n"
        "</body>\n</html>\n"
    )


def redoc_page(
    *,
    title: str,
    openapi_url: str,
    js_url: str,
    favicon_url: str = NO_FAVICON,
    with_google_fonts: bool = False,
) -> str:
    """The ReDoc page: the document at `openapi_url`, the standalone bundle at `js_url`.

    Without `with_google_fonts`, ReDoc uses its default font stacks and no web
    font is loaded.
    """
    fonts = ""
    font_hosts: list[str] = []
    if with_google_fonts:
        fonts = f'<link rel="stylesheet" href="{_attr(GOOGLE_FONTS_CSS)}">\n'
        font_hosts = [GOOGLE_FONTS_FILES]
    policy = _policy(
        scripts=[js_url],
        styles=[GOOGLE_FONTS_CSS] if with_google_fonts else [],
        images=[favicon_url],
        fonts=font_hosts,
    )
    return (
        _head(title, policy, favicon_url) + fonts + "<style>body{margin:0;padding:0}</style>\n"
        "</head>\n<body>\n"
        '<div id="redoc"><noscript>ReDoc needs JavaScript; the OpenAPI document is at '
        f'<a href="{_attr(openapi_url)}">{html.escape(openapi_url)}</a>.</noscript></div>\n'
        f'<script src="{_attr(js_url)}"></script>\n'
        "<script>\n"
        f'Redoc.init({_json(openapi_url)}, {{}}, document.getElementById("redoc"));\n'
        "</script>\n"
        "</body>\n</html>\n"
    )


def oauth2_redirect_page() -> str:
    """The page an OAuth2 provider sends the browser back to from Swagger UI's "Authorize".

    It runs swagger-ui-dist's own `oauth2-redirect.js` (the pinned file, inlined, so
    the page works at any URL and needs no other request), which hands the result
    to the Swagger UI window that opened it and closes itself.
    """
    title = "Swagger UI: OAuth2 Redirect"
    try:
        code = (STATIC_DIR / OAUTH2_REDIRECT_JS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return _missing_page(title, "")
    if "</" in code:  # never with the pinned file; an edited one must not end the element
        code = code.replace("</", "<\\/")
    return (
        _head(title, CONTENT_SECURITY_POLICY) + "</head>\n<body>\n"
        f"<script>\n{code}\n</script>\n"
        "</body>\n</html>\n"
    )


def swagger_ui_html(
    *,
    title: str,
    openapi_url: str,
    assets_url: str,
    oauth2_redirect_url: str | None = None,
    init_oauth: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> str:
    """The app's own Swagger UI page, assets from `assets_url` (stamped for caching)."""
    urls = _asset_urls(assets_url, _SWAGGER_ASSETS)
    if urls is None:
        return _missing_page(title, openapi_url)
    return swagger_ui_page(
        title=title,
        openapi_url=openapi_url,
        js_url=urls["swagger-ui-bundle.js"],
        css_url=urls["swagger-ui.css"],
        oauth2_redirect_url=oauth2_redirect_url,
        init_oauth=init_oauth,
        parameters=parameters,
    )


def redoc_html(*, title: str, openapi_url: str, assets_url: str) -> str:
    """The app's own ReDoc page, assets from `assets_url` (stamped for caching)."""
    urls = _asset_urls(assets_url, _REDOC_ASSETS)
    if urls is None:
        return _missing_page(title, openapi_url)
    return redoc_page(title=title, openapi_url=openapi_url, js_url=urls["redoc.standalone.js"])


# --- FastAPI's functions, for docs routes of one's own ----------------------------------


def get_swagger_ui_html(
    *,
    openapi_url: str,
    title: str,
    swagger_js_url: str = DEFAULT_ASSETS_URL + "/swagger-ui-bundle.js",
    swagger_css_url: str = DEFAULT_ASSETS_URL + "/swagger-ui.css",
    swagger_favicon_url: str = NO_FAVICON,
    oauth2_redirect_url: str | None = None,
    init_oauth: dict[str, Any] | None = None,
    swagger_ui_parameters: dict[str, Any] | None = None,
) -> HTMLResponse:
    """A Swagger UI page as a response, for a docs route of your own (FastAPI's function).

    The defaults load the bundle and styles from the app's own assets route at
    `/docs/assets/` (see docs/openapi.md); pass other URLs to load them from
    elsewhere, e.g. your own static files or a CDN.

    Args:
        openapi_url: The OpenAPI document to render.
        title: The page's `<title>`.
        swagger_js_url: Swagger UI's `swagger-ui-bundle.js`.
        swagger_css_url: Swagger UI's `swagger-ui.css`.
        swagger_favicon_url: The page's icon; the default requests none.
        oauth2_redirect_url: Where an OAuth2 provider sends the browser back to
            (a path on the page's origin), e.g. `app.swagger_ui_oauth2_redirect_url`.
        init_oauth: Swagger UI's OAuth2 settings, passed to `ui.initOAuth`.
        swagger_ui_parameters: Swagger UI settings, merged over
            `swagger_ui_default_parameters`.
    """
    page = swagger_ui_page(
        title=title,
        openapi_url=openapi_url,
        js_url=swagger_js_url,
        css_url=swagger_css_url,
        favicon_url=swagger_favicon_url,
        oauth2_redirect_url=oauth2_redirect_url,
        init_oauth=init_oauth,
        parameters=swagger_ui_parameters,
    )
    return HTMLResponse(page)


def get_redoc_html(
    *,
    openapi_url: str,
    title: str,
    redoc_js_url: str = DEFAULT_ASSETS_URL + "/redoc.standalone.js",
    redoc_favicon_url: str = NO_FAVICON,
    with_google_fonts: bool = False,
) -> HTMLResponse:
    """A ReDoc page as a response, for a docs route of your own (FastAPI's function).

    Args:
        openapi_url: The OpenAPI document to render.
        title: The page's `<title>`.
        redoc_js_url: ReDoc's `redoc.standalone.js`; the default is the app's own
            asset at `/docs/assets/`.
        redoc_favicon_url: The page's icon; the default requests none.
        with_google_fonts: Load ReDoc's fonts from Google Fonts (FastAPI's default;
            off here, so the page makes no request to another host).
    """
    page = redoc_page(
        title=title,
        openapi_url=openapi_url,
        js_url=redoc_js_url,
        favicon_url=redoc_favicon_url,
        with_google_fonts=with_google_fonts,
    )
    return HTMLResponse(page)


def get_swagger_ui_oauth2_redirect_html() -> HTMLResponse:
    """The OAuth2 redirect page of Swagger UI as a response (FastAPI's function)."""
    return HTMLResponse(oauth2_redirect_page())


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
    headers = {"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"}
    if name in REWRITES:
        stamp = _stamp(result)
        response = Response(_rewritten(name, stamp), media_type=media_type, headers=headers)
        response.set_etag(stamp)
        return response
    return FileResponse(
        STATIC_DIR / name, media_type=media_type, headers=headers, stat_result=result
    )


@functools.lru_cache(maxsize=len(REWRITES))
def _rewritten(name: str, stamp: str) -> bytes:
    """The asset `name` with its rewrite applied, read once per installed version `stamp`."""
    old, new = REWRITES[name]
    return (STATIC_DIR / name).read_bytes().replace(old, new)
