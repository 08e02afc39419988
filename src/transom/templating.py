"""`Jinja2Templates`: HTML pages rendered with Jinja2 (the `templates` extra).

```python
templates = Jinja2Templates(directory="templates")

@app.get("/items/{id}", response_class=HTMLResponse)
async def read_item(request: Request, id: str):
    return templates.TemplateResponse(request, "item.html", {"id": id})
```

Templates ending in `.html`, `.htm` or `.xml` are autoescaped. Every template
gets `request` and `url_for(name, **params)`, the absolute URL of a route or a
named mount (`url_for('static', path='/site.css')`), as `request.url_for` gives
it. The response is an `HTMLResponse`, so the temporal response's headers and
cookies are merged into it like into any returned response.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

try:
    import jinja2
except ImportError as error:  # pragma: no cover - the extra is installed in tests
    raise ImportError("Jinja2Templates needs jinja2: pip install 'transom[templates]'.") from error

from transom._types import Receive, Scope, Send
from transom.background import BackgroundTask
from transom.http.urls import URL
from transom.requests import HTTPConnection, Request
from transom.responses import HTMLResponse

__all__ = ["Jinja2Templates", "TemplateResponse"]

ContextProcessor = Callable[[Request], dict[str, Any]]

#: The ASGI extension under which a test client receives the template and its context.
DEBUG_EXTENSION = "http.response.debug"


class TemplateResponse(HTMLResponse):
    """A rendered template; `template` and `context` stay available to tests."""

    sends_through_start_path = True

    def __init__(
        self,
        template: jinja2.Template,
        context: dict[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.template = template
        self.context = context
        super().__init__(template.render(context), status_code, headers, media_type, background)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if DEBUG_EXTENSION in (scope.get("extensions") or {}):
            info = {"template": self.template, "context": self.context}
            await send({"type": DEBUG_EXTENSION, "info": info})
        await super().__call__(scope, receive, send)


@jinja2.pass_context
def _url_for(context: Mapping[str, Any], name: str, /, **params: Any) -> URL:
    request: HTTPConnection = context["request"]
    return request.url_for(name, **params)


class Jinja2Templates:
    """Renders templates from `directory` (or a given Jinja2 `env`) into responses.

    Args:
        directory: A folder (or several) of templates.
        context_processors: `f(request) -> dict` merged into every context.
        env: A configured `jinja2.Environment` instead of `directory`.

    Raises:
        TypeError: unless exactly one of `directory` and `env` is given.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
        *,
        context_processors: list[ContextProcessor] | None = None,
        env: jinja2.Environment | None = None,
    ) -> None:
        if (directory is None) == (env is None):
            raise TypeError("Jinja2Templates needs either directory= or env=, not both or neither.")
        self.context_processors = list(context_processors or ())
        if env is None:
            loader = jinja2.FileSystemLoader(directory)  # type: ignore[arg-type]
            env = jinja2.Environment(loader=loader, autoescape=jinja2.select_autoescape())
        self.env = env
        env.globals.setdefault("url_for", _url_for)

    def get_template(self, name: str) -> jinja2.Template:
        """The template called `name` (`jinja2.TemplateNotFound` if there is none)."""
        return self.env.get_template(name)

    def TemplateResponse(  # noqa: N802 - Starlette's and FastAPI's name
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> TemplateResponse:
        """Render template `name` with `context` (plus `request`) into an HTML response.

        Raises:
            TypeError: if the request is not the first argument (the old
                `TemplateResponse(name, {"request": request})` form).
        """
        if not isinstance(request, HTTPConnection):
            raise TypeError(
                "TemplateResponse(request, name, context): the request comes first, got "
                f"{type(request).__name__} {request!r}."
            )
        context = dict(context or {})
        context.setdefault("request", request)
        for processor in self.context_processors:
            context.update(processor(request))
        return TemplateResponse(
            self.get_template(name), context, status_code, headers, media_type, background
        )
