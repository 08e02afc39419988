"""The `transom` command: `transom run` and `transom dev` serve an app with uvicorn.

The target is a file (`main.py`, `path/to/app.py`), a package folder, or a
module (`examples.app`), optionally followed by `:attribute`. Without an
attribute the app is found as FastAPI's CLI finds it: the attribute `app`,
then `api`, then the module's only `Transom` instance. Without a target the
usual file names are tried (`DEFAULT_FILES`).

The target is imported here, before uvicorn starts, so that a mistake (a file
or module that does not exist, a missing attribute, something that is not an
ASGI app) ends in one sentence and exit status 2, not in a traceback from
inside the server. An exception raised by the module's own code is shown with
its traceback (the user's lines, without the import machinery's) and exit
status 1. `transom dev` sets `TRANSOM_ENV=development` unless it is set.
uvicorn is imported only here.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from transom import __version__
from transom.applications import Transom

__all__ = ["DEFAULT_FILES", "Target", "TargetError", "build_parser", "find_target", "main"]

#: Tried in this order when no target is given, as FastAPI's CLI does.
DEFAULT_FILES = ("main.py", "app.py", "api.py", "app/main.py", "app/app.py", "app/api.py")
#: The attribute names looked for first in a module.
PREFERRED_NAMES = ("app", "api")

ASGI_SHAPE = (
    "an ASGI app is `async def app(scope, receive, send)` or an object with such a "
    "`__call__`, such as `Transom()`"
)


class TargetError(Exception):
    """The target names no importable ASGI app; the message says why and what to do."""


class ImportFailed(Exception):
    """The target's module raised while being imported; the message is its traceback."""


@dataclasses.dataclass(frozen=True)
class Target:
    """An app found from the command line: where it lives and the object itself."""

    module: str
    attribute: str
    #: The folder put first on `sys.path` to import `module`.
    app_dir: Path
    app: Any

    @property
    def import_string(self) -> str:
        """`module:attribute`, what uvicorn imports (again, in each worker or reload)."""
        return f"{self.module}:{self.attribute}"


def is_asgi_app(obj: Any) -> bool:
    """Whether `obj` can be called as an ASGI 3 app (`await obj(scope, receive, send)`)."""
    if inspect.isclass(obj) or not callable(obj):
        return False
    if inspect.iscoroutinefunction(obj):
        return True
    return inspect.iscoroutinefunction(getattr(obj, "__call__", None))  # noqa: B004


def _describe(obj: Any) -> str:
    if inspect.isclass(obj):
        return f"the class {obj.__qualname__}"
    if inspect.isroutine(obj):
        name = getattr(obj, "__qualname__", repr(obj))
        if inspect.iscoroutinefunction(obj):
            return f"the async function {name}"
        return f"the function {name} (a plain def)"
    return f"a {type(obj).__qualname__}"


def _split(spec: str) -> tuple[str, str | None]:
    """`where[:attribute]`; a colon followed by a path (`C:\\app.py`) is not a separator."""
    where, colon, attribute = spec.rpartition(":")
    if not colon or not where or any(sep in attribute for sep in "/\\") or not attribute:
        return spec, None
    return where, attribute


def _is_path(where: str) -> bool:
    return where.endswith(".py") or "/" in where or "\\" in where or Path(where).is_dir()


def module_from_path(path: Path) -> tuple[str, Path]:
    """The dotted module name of a file or package folder, and the folder to import it from.

    Parent folders with an `__init__.py` are packages, as FastAPI's CLI reads them:
    `examples/app.py` in a checkout where `examples/` has one is `examples.app`,
    imported from the checkout.
    """
    path = path.resolve()
    if path.is_dir():
        if not (path / "__init__.py").is_file():
            raise TargetError(f"{path} is a folder without an __init__.py, not a package.")
        parts, folder = [path.name], path.parent
    elif path.suffix != ".py":
        raise TargetError(f"{path} is not a Python file (.py).")
    elif path.stem == "__init__":
        parts, folder = [path.parent.name], path.parent.parent
    else:
        parts, folder = [path.stem], path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def _import(name: str, app_dir: Path) -> ModuleType:
    if str(app_dir) not in sys.path:
        sys.path.insert(0, str(app_dir))
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise TargetError(
                f"Cannot import {name!r}: there is no module named {exc.name!r} in {app_dir} "
                "(change the folder with --app-dir) or on the Python path. For a file, "
                "pass its path instead: transom run path/to/app.py."
            ) from None
        raise ImportFailed(_user_traceback(exc, name)) from exc
    except Exception as exc:
        raise ImportFailed(_user_traceback(exc, name)) from exc


def _user_traceback(exc: BaseException, name: str) -> str:
    """The traceback of an import that failed, without the import machinery's frames."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith("<frozen importlib")
        and frame.filename != importlib.__file__
        and frame.filename != __file__
    ]
    lines = (
        ["Traceback (most recent call last):\n", *traceback.format_list(frames)] if frames else []
    )
    lines += traceback.format_exception_only(exc)
    return f"Importing {name!r} failed:\n" + "".join(lines)


def _candidates(module: ModuleType) -> str:
    found = [
        f"{name} ({_describe(value)})"
        for name, value in vars(module).items()
        if not name.startswith("_") and (is_asgi_app(value) or isinstance(value, Transom))
    ]
    if not found:
        return "It has no ASGI app at all."
    return "Its ASGI apps: " + ", ".join(found) + "."


def find_app(module: ModuleType, attribute: str | None, spelled: str = "") -> tuple[str, Any]:
    """The attribute naming the app in `module`, and the app; see the module docstring.

    `spelled` is the target as the command line gave it, for the messages.
    """
    where = module.__name__
    spelled = spelled or where
    if attribute is not None:
        if not hasattr(module, attribute):
            raise TargetError(
                f"Module {where!r} has no attribute {attribute!r}. {_candidates(module)}"
            )
        app = getattr(module, attribute)
        if not is_asgi_app(app):
            raise TargetError(
                f"{where}:{attribute} is {_describe(app)}, not an ASGI app; {ASGI_SHAPE}. "
                f"{_candidates(module)}"
            )
        return attribute, app
    for name in PREFERRED_NAMES:
        if is_asgi_app(getattr(module, name, None)):
            return name, getattr(module, name)
    apps: dict[int, str] = {}
    for name, value in vars(module).items():
        if isinstance(value, Transom) and not name.startswith("_"):
            apps.setdefault(id(value), name)
    if len(apps) == 1:
        name = next(iter(apps.values()))
        return name, getattr(module, name)
    if apps:
        names = ", ".join(apps.values())
        raise TargetError(
            f"Module {where!r} has several Transom apps ({names}); name one: "
            f"transom run {spelled}:{next(iter(apps.values()))}."
        )
    not_apps = [
        f"{name!r} is {_describe(getattr(module, name))}, not an ASGI app. "
        for name in PREFERRED_NAMES
        if hasattr(module, name)
    ]
    raise TargetError(
        f"No app found in module {where!r}: looked for an ASGI app named "
        f"{' or '.join(map(repr, PREFERRED_NAMES))}, then for a Transom instance. "
        f"{''.join(not_apps)}{_candidates(module)} Name the app: transom run {spelled}:name."
    )


def _default_file() -> str:
    for name in DEFAULT_FILES:
        if Path(name).is_file():
            return name
    raise TargetError(
        "No app given, and none of the usual files is here ("
        + ", ".join(DEFAULT_FILES)
        + "). Pass a file or a module: transom run path/to/app.py, or "
        "transom run package.module:app."
    )


def find_target(spec: str | None, attribute: str | None = None, app_dir: str = ".") -> Target:
    """Import the app that `spec` (and `--app`) name.

    Raises:
        TargetError: the file, module or attribute does not exist, or is no ASGI app.
        ImportFailed: the module's own code raised while it was imported.
    """
    where, named = _split(spec if spec is not None else _default_file())
    if named is not None and attribute is not None and named != attribute:
        raise TargetError(f"The target names the app {named!r} and --app names {attribute!r}.")
    attribute = named or attribute
    if _is_path(where):
        path = Path(where)
        if not path.exists():
            raise TargetError(f"File {where!r} does not exist (relative to {Path.cwd()}).")
        name, folder = module_from_path(path)
        module = _import(name, folder)
        _check_not_shadowed(module, path)
    else:
        folder = Path(app_dir).resolve()
        name = where
        module = _import(name, folder)
    found, app = find_app(module, attribute, where)
    return Target(module=name, attribute=found, app_dir=folder, app=app)


def _check_not_shadowed(module: ModuleType, path: Path) -> None:
    """A file named like a module imported before (`json.py`) would serve that module."""
    imported = getattr(module, "__file__", None)
    expected = path.resolve()
    if expected.is_dir():
        expected = expected / "__init__.py"
    if imported is None or Path(imported).resolve() != expected:
        raise TargetError(
            f"{path} is imported as {module.__name__!r}, which is another module "
            f"({imported or 'built in'}); rename the file."
        )


def _browser_host(host: str) -> str:
    """The host a browser on this machine can reach for a bind address."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def docs_line(app: Any, host: str, port: int) -> str:
    """`Docs: http://127.0.0.1:8000/docs`, or what to do if the app has no docs page."""
    origin = f"http://{_browser_host(host)}:{port}"
    if not isinstance(app, Transom):
        return f"Docs: none (not a Transom app); the app is at {origin}"
    if app.docs_url is None:
        return f"Docs: off (docs_url=None); the app is at {origin}"
    return f"Docs: {origin}{app.docs_url}"


def _add_serve_options(parser: argparse.ArgumentParser, *, dev: bool) -> None:
    parser.add_argument(
        "target",
        nargs="?",
        help="The app: a file (path/to/app.py), a package folder or a module (package.module), "
        "optionally with :attribute. Default: the first of " + ", ".join(DEFAULT_FILES) + ".",
    )
    parser.add_argument(
        "--app", help="The attribute holding the app (default: app, api, or the only Transom)."
    )
    parser.add_argument("--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1).")
    parser.add_argument("--port", type=int, default=8000, help="Port to bind (default 8000).")
    parser.add_argument(
        "--reload",
        action=argparse.BooleanOptionalAction,
        default=dev,
        help=f"Restart when a file changes (default {'on' if dev else 'off'}).",
    )
    if not dev:
        parser.add_argument("--workers", type=int, default=None, help="Worker processes.")
    parser.add_argument(
        "--root-path", default="", help="The path prefix a proxy serves the app under."
    )
    parser.add_argument(
        "--proxy-headers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (default on).",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="Proxies whose forwarded headers are trusted, comma-separated, or '*' "
        "(default: uvicorn's, 127.0.0.1).",
    )
    parser.add_argument(
        "--app-dir", default=".", help="Folder to import a module target from (default .)."
    )


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of `transom` and `python -m transom`."""
    parser = argparse.ArgumentParser(prog="transom", description="Serve a Transom app.")
    parser.add_argument("--version", action="version", version=f"transom {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command")
    run = commands.add_parser(
        "run", help="Serve an app (reload off).", description="Serve an app with uvicorn."
    )
    _add_serve_options(run, dev=False)
    run.set_defaults(parser=run)
    dev = commands.add_parser(
        "dev",
        help="Serve an app for development (reload on, 127.0.0.1).",
        description="Serve an app with uvicorn, restarting when a file changes.",
    )
    _add_serve_options(dev, dev=True)
    dev.set_defaults(parser=dev, workers=None)
    return parser


def _fail(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    parser.print_usage(sys.stderr)
    parser.exit(2, f"{parser.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and serve the app."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        # A bare `transom` is a usage error (exit 2, as argparse's own), answered with the help.
        parser.print_help(sys.stderr)
        parser.exit(2)
    command: argparse.ArgumentParser = args.parser
    if args.reload and args.workers is not None:
        _fail(command, "--reload and --workers cannot be used together; pick one.")
    try:
        import uvicorn
    except ImportError:
        parser.exit(1, "transom: serving needs uvicorn: pip install 'transom[server]'.\n")
    if args.command == "dev":
        # Read while the app is declared (`frontend(check_dir="auto")`), here and in
        # the reloader's processes, which inherit it.
        os.environ.setdefault("TRANSOM_ENV", "development")
    try:
        target = find_target(args.target, args.app, args.app_dir)
    except TargetError as error:
        _fail(command, str(error))
    except ImportFailed as error:
        parser.exit(1, f"transom: {error}")
    print(f"Serving {target.import_string} at http://{_browser_host(args.host)}:{args.port}")
    print(docs_line(target.app, args.host, args.port))
    if args.command == "dev":
        print("Development mode: restarts when a file changes; in production use `transom run`.")
    sys.stdout.flush()
    options: dict[str, Any] = {}
    if args.forwarded_allow_ips is not None:
        options["forwarded_allow_ips"] = args.forwarded_allow_ips
    if args.reload:
        options["reload_dirs"] = [str(target.app_dir)]
    uvicorn.run(
        target.import_string,
        host=args.host,
        port=args.port,
        reload=args.reload,
        workers=args.workers,
        root_path=args.root_path,
        proxy_headers=args.proxy_headers,
        app_dir=str(target.app_dir),
        **options,
    )
