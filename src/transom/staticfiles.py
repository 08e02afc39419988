"""`StaticFiles`: serve a directory's files, mounted under a path.

```python
app.mount("/static", StaticFiles(directory="static"), name="static")
app.url_path_for("static", path="/css/site.css")  # "/static/css/site.css"
```

Files are sent by `FileResponse` (so `Range` requests work) with `ETag` and
`Last-Modified`; a request whose `If-None-Match` or `If-Modified-Since` still
holds gets a 304. A path can never leave the directory: a `..` segment, a
backslash, a NUL, or a name too long for the file system is a 404 (the path
the server hands over is already percent-decoded, so `%2e%2e` and `%2f` are
seen as what they decode to), and a symlink whose target lies outside the
directory is a 404 unless `follow_symlink=True`. A link whose real path stays
inside the directory is served either way, as in Starlette 1.x.

With `html=True` a directory is answered with its `index.html` (a path without
the trailing slash is redirected to it), and a miss with `404.html` and status
404 when the directory has one.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import stat
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import anyio.to_thread

from transom._types import Receive, Scope, Send
from transom.exceptions import HTTPException
from transom.http.caching import not_modified, not_modified_headers
from transom.http.urls import URL, route_path
from transom.responses import FileResponse, RedirectResponse, Response

__all__ = ["NotModifiedResponse", "Resource", "StaticFiles", "safe_parts"]

PathLike = str | os.PathLike[str]

_Found = tuple[str, os.stat_result] | None


class Resource(NamedTuple):
    """A file found for a request path: its full path, its `stat`, and whether it is a
    folder's `index.html`."""

    path: str
    stat_result: os.stat_result
    is_index: bool


class NotModifiedResponse(Response):
    """A 304 carrying the validators and caching headers of the response it replaces."""

    def __init__(self, response: Response) -> None:
        super().__init__(status_code=304)
        self.raw_headers = not_modified_headers(response.raw_headers)


def _package_directory(package: str | tuple[str, str]) -> str:
    name, folder = package if isinstance(package, tuple) else (package, "statics")
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"StaticFiles: package {name!r} could not be found.")
    directory = os.path.normpath(os.path.join(spec.origin, "..", folder))
    if not os.path.isdir(directory):
        raise RuntimeError(f"StaticFiles: package {name!r} has no directory {folder!r}.")
    return directory


class StaticFiles:
    """An ASGI app serving the files under `directory` (and the `packages`' static folders).

    Args:
        directory: The folder to serve.
        packages: Packages whose `statics` folder (or `(package, folder)`) is
            served too, after `directory`.
        html: Answer directories with `index.html` and misses with `404.html`.
        check_dir: Raise now if `directory` does not exist.
        follow_symlink: Serve symlinks that point outside the directory.

    Raises:
        RuntimeError: if the directory or a package folder is missing.
    """

    def __init__(
        self,
        *,
        directory: PathLike | None = None,
        packages: Sequence[str | tuple[str, str]] | None = None,
        html: bool = False,
        check_dir: bool = True,
        follow_symlink: bool = False,
    ) -> None:
        self.directory = directory
        self.packages = packages
        self.html = html
        self.follow_symlink = follow_symlink
        self.all_directories: list[str] = [os.fspath(directory)] if directory is not None else []
        self.all_directories += [_package_directory(package) for package in packages or ()]
        if check_dir and directory is not None and not os.path.isdir(directory):
            raise RuntimeError(f"StaticFiles: directory {os.fspath(directory)!r} does not exist.")
        self._checked = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        if not self._checked:
            self._check_directory()
            self._checked = True
        response = await self.get_response(route_path(scope), scope)
        await response(scope, receive, send)

    def _check_directory(self) -> None:
        if self.directory is None:
            return
        where = os.fspath(self.directory)
        if not os.path.exists(where):
            raise RuntimeError(f"StaticFiles: directory {where!r} does not exist.")
        if not os.path.isdir(where):
            raise RuntimeError(f"StaticFiles: {where!r} is not a directory.")

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The response for `path` (below the mount), or an `HTTPException`."""
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        parts = safe_parts(path)
        resource = None if parts is None else await self.resource(parts)
        if resource is not None:
            return self.answer(resource, scope)
        if self.html:
            missing = await self.find(["404.html"])
            if missing is not None and stat.S_ISREG(missing[1].st_mode):
                return self.file_response(*missing, scope, status_code=404)
        raise HTTPException(404)

    async def resource(self, parts: list[str]) -> Resource | None:
        """The file `parts` names, or with `html` its folder's `index.html`; else `None`."""
        found = await self.find(parts)
        if found is not None and stat.S_ISREG(found[1].st_mode):
            return Resource(*found, is_index=False)
        if found is None or not self.html or not stat.S_ISDIR(found[1].st_mode):
            return None
        index = await self.find([*parts, "index.html"])
        if index is None or not stat.S_ISREG(index[1].st_mode):
            return None
        return Resource(*index, is_index=True)

    def answer(self, resource: Resource, scope: Scope) -> Response:
        """The file, or for a folder's index asked without the trailing slash a redirect."""
        if resource.is_index and not scope["path"].endswith("/"):
            url = URL(scope=scope)
            return RedirectResponse(str(url.replace(path=url.path + "/")))
        return self.file_response(resource.path, resource.stat_result, scope)

    async def find(self, parts: list[str]) -> _Found:
        """`lookup_path` in a worker thread."""
        return await anyio.to_thread.run_sync(self.lookup_path, parts)

    def lookup_path(self, parts: list[str]) -> _Found:
        """The first file (or folder) named by `parts` in the served directories, if any."""
        for directory in self.all_directories:
            joined = os.path.join(directory, *parts)
            if self.follow_symlink:
                full, root = os.path.abspath(joined), os.path.abspath(directory)
            else:
                full, root = os.path.realpath(joined), os.path.realpath(directory)
            if os.path.commonpath([full, root]) != root:
                continue  # a link out of the directory
            try:
                return full, os.stat(full)
            except (FileNotFoundError, NotADirectoryError, PermissionError):
                continue
            except OSError as exc:
                if exc.errno == errno.ENAMETOOLONG:
                    return None
                raise
        return None

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The file as a `FileResponse`, or a 304 when the request's validators still hold."""
        response = FileResponse(
            full_path, status_code=status_code, headers=headers, stat_result=stat_result
        )
        if status_code == 200 and not_modified(
            scope["method"], scope["headers"], response.raw_headers
        ):
            return NotModifiedResponse(response)
        return response


def safe_parts(path: str) -> list[str] | None:
    """The segments of `path`, or `None` if one could leave the directory or name nothing."""
    parts = [part for part in path.split("/") if part and part != "."]
    for part in parts:
        if part == ".." or "\\" in part or "\0" in part or (os.sep != "/" and os.sep in part):
            return None
    return parts
