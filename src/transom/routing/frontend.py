"""Frontends: a static build (a single-page app's `dist/`) served below a prefix.

```python
app.frontend("/", directory="dist")                  # fallback="auto"
router.frontend("/", directory="admin/dist", fallback="index.html")
app.include_router(router, prefix="/admin")
```

A frontend is a fallback route of its router (`FallbackRoute`): it is asked only
when no route took the request, after the router's 405 and slash redirect, and
of several frontends the one with the longest prefix that holds the path wins.
The path below the prefix names a file in the directory (`StaticFiles` finds
it, so it can never leave the directory); a folder is answered with its
`index.html` (redirected to the trailing slash first). A path that names
nothing gets the fallback:

- `"404.html"`: the directory's `404.html`, status 404;
- `"index.html"`: the directory's `index.html`, status 200, but only to a page
  navigation (an `Accept` naming `text/html` or `application/xhtml+xml`), so a
  missing script or an API call still gets a 404;
- `"auto"`: `404.html` if the directory has one, else `index.html` if it has
  one, as above;
- `None`: the app's 404.

`GET` and `HEAD` run the dependencies of the routers above the frontend, as a
path operation does (`FrontendRoute`, `transom.routing.api`); other methods get
405 (with `Allow: GET, HEAD`) where a file exists and 404 elsewhere, and run no
dependency. Declaration mistakes raise when `frontend()` is called.
"""

from __future__ import annotations

import os
import stat
import warnings
from typing import TYPE_CHECKING, Literal

from transom._types import Receive, Scope, Send
from transom.exceptions import DeclarationError, HTTPException
from transom.http.media import accepts_html
from transom.http.urls import route_path
from transom.requests import Request
from transom.responses import Response
from transom.routing.router import FallbackRoute
from transom.staticfiles import PathLike, StaticFiles, safe_parts

if TYPE_CHECKING:
    from transom.routing.api import FrontendRoute

__all__ = [
    "ENV_VARIABLE",
    "PATH_KEY",
    "CheckDir",
    "Fallback",
    "Frontend",
    "FrontendFiles",
    "frontend_path",
    "resolve_check_dir",
]

Fallback = Literal["auto", "index.html", "404.html"] | None
CheckDir = bool | Literal["auto"]

#: `check_dir="auto"` skips the check when this variable is `development` (`transom dev`).
ENV_VARIABLE = "TRANSOM_ENV"
#: The scope key holding the request path below the frontend's prefix.
PATH_KEY = "transom.frontend_path"

_FALLBACKS: tuple[Fallback, ...] = ("auto", "index.html", "404.html", None)
_ALLOW = {"Allow": "GET, HEAD"}
_VARY = {"Vary": "Accept"}


def frontend_path(path: str) -> str:
    """A frontend's path as declared, checked, without its trailing slash (`"/"` stays).

    Raises:
        DeclarationError: if it does not start with `/` or holds a `{`.
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise DeclarationError(
            f"A frontend path must start with '/', got {path!r}: "
            "use '/' to serve the build at the root of the app or router."
        )
    if "{" in path or "}" in path:
        raise DeclarationError(
            f"A frontend path is a plain prefix and cannot hold parameters, got {path!r}."
        )
    return path.rstrip("/") or "/"


def resolve_check_dir(directory: PathLike, check_dir: CheckDir, *, stacklevel: int) -> bool:
    """Whether to check the directory now: `check_dir`, or for `"auto"` unless in development.

    In development (`TRANSOM_ENV=development`, which `transom dev` sets) a missing
    directory is a warning pointing at the caller, since the build may come later.
    """
    if check_dir != "auto":
        return bool(check_dir)
    if os.environ.get(ENV_VARIABLE) != "development":
        return True
    if not os.path.isdir(directory):
        warnings.warn(_missing_directory(directory), UserWarning, stacklevel=stacklevel + 1)
    return False


def _missing_directory(directory: PathLike) -> str:
    where = os.fspath(directory)
    return (
        f"Frontend directory {where!r} does not exist (resolved: {os.path.realpath(where)!r}); "
        "build the frontend first, or pass check_dir=False to check on the first request."
    )


class FrontendFiles(StaticFiles):
    """The files of a frontend build, with its fallback (see the module's docstring).

    Args:
        directory: The build's folder.
        fallback: What a path that names no file gets.
        check_dir: Check now that the directory exists, and that an explicit
            fallback file is in it.

    Raises:
        DeclarationError: if `fallback` is not one of the four choices.
        RuntimeError: with `check_dir`, if the directory or the fallback file is missing.
    """

    def __init__(self, directory: PathLike, *, fallback: Fallback, check_dir: bool) -> None:
        if fallback not in _FALLBACKS:
            raise DeclarationError(
                f"A frontend's fallback must be 'auto', 'index.html', '404.html' or None, "
                f"got {fallback!r}."
            )
        super().__init__(directory=directory, html=True, check_dir=False)
        self.fallback = fallback
        if check_dir:
            self._check_directory()
            self._checked = True
            if fallback in ("index.html", "404.html"):
                self._check_fallback(self.lookup_path([fallback]), fallback)

    def _check_directory(self) -> None:
        where = os.fspath(self.all_directories[0])
        if not os.path.exists(where):
            raise RuntimeError(_missing_directory(where))
        if not os.path.isdir(where):
            raise RuntimeError(f"Frontend directory {where!r} is not a directory.")

    def _check_fallback(
        self, found: tuple[str, os.stat_result] | None, name: str
    ) -> tuple[str, os.stat_result]:
        if found is None or not stat.S_ISREG(found[1].st_mode):
            where = self.all_directories[0]
            raise RuntimeError(
                f"Frontend fallback file {name!r} does not exist in directory {where!r} "
                f"(resolved: {os.path.realpath(where)!r}); add it to the build, or choose "
                "another fallback."
            )
        return found

    async def serve(self, request: Request) -> Response:
        """The endpoint of the frontend's route: the answer for the path below its prefix."""
        scope = request.scope
        if not self._checked:
            self._check_directory()
            self._checked = True
        return await self.get_response(scope[PATH_KEY], scope)

    async def refusal(self, path: str) -> HTTPException:
        """What a method other than `GET` and `HEAD` gets: 405 where a file is, else 404."""
        parts = safe_parts(path)
        if parts is not None and await self.resource(parts) is not None:
            return HTTPException(405, headers=_ALLOW)
        return HTTPException(404)

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file `path` names (a folder: its `index.html`), else the fallback, else a 404."""
        if scope["method"] not in ("GET", "HEAD"):
            raise await self.refusal(path)
        parts = safe_parts(path)
        resource = None if parts is None else await self.resource(parts)
        if resource is not None:
            return self.answer(resource, scope)
        fallback = self.fallback
        if fallback is None:
            raise HTTPException(404)
        if fallback != "index.html":
            missing = await self.find(["404.html"])
            if fallback == "404.html" or _is_file(missing):
                found = self._check_fallback(missing, "404.html")
                return self.file_response(*found, scope, status_code=404)
        return await self._index(scope, explicit=fallback == "index.html")

    async def _index(self, scope: Scope, *, explicit: bool) -> Response:
        """`index.html` for a page navigation; a 404 for anything else.

        Both answers depend on the request's `Accept`, so both say so in `Vary`
        (a cache must not answer a browser with the 404 a script got).
        """
        index = await self.find(["index.html"])
        if not explicit and not _is_file(index):
            raise HTTPException(404)  # "auto" without an index: the same 404 for everyone
        if not _navigation(scope):
            raise HTTPException(404, headers=_VARY)
        found = self._check_fallback(index, "index.html")
        return self.file_response(*found, scope, headers=_VARY)


def _is_file(found: tuple[str, os.stat_result] | None) -> bool:
    return found is not None and stat.S_ISREG(found[1].st_mode)


def _navigation(scope: Scope) -> bool:
    """Whether the request is a browser's page navigation: its `Accept` names HTML."""
    return any(
        name == b"accept" and accepts_html(value.decode("latin-1"))
        for name, value in scope["headers"]
    )


class Frontend(FallbackRoute):
    """A frontend build served below `prefix` when no route takes a request.

    Args:
        prefix: The full prefix, router prefixes included (`""` for the root).
        files: The build's files and fallback.
        route: What answers `GET` and `HEAD`: runs the routers' dependencies,
            then `files.serve`.
    """

    def __init__(self, prefix: str, files: FrontendFiles, route: FrontendRoute) -> None:
        self.prefix = prefix
        self.files = files
        self.route = route

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope) if scope.get("root_path") else scope["path"]
        scope[PATH_KEY] = path[len(self.prefix) :]
        if scope["method"] not in ("GET", "HEAD"):
            raise await self.files.refusal(scope[PATH_KEY])  # no dependency runs for it
        await self.route.handle(scope, receive, send)
