"""`transom run module:app`: serve an app with uvicorn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of `transom` and `python -m transom`."""
    parser = argparse.ArgumentParser(prog="transom", description="Serve a Transom app.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="Serve an app with uvicorn.")
    run.add_argument("app", help="The app to serve, as 'module:attribute' (e.g. 'main:app').")
    run.add_argument("--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1).")
    run.add_argument("--port", type=int, default=8000, help="Port to bind (default 8000).")
    run.add_argument("--reload", action="store_true", help="Restart when the code changes.")
    run.add_argument("--workers", type=int, default=None, help="Number of worker processes.")
    run.add_argument("--app-dir", default=".", help="Folder to import the app from (default .).")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and serve the app."""
    args = build_parser().parse_args(argv)
    try:
        import uvicorn
    except ImportError:
        raise SystemExit("transom run needs uvicorn: pip install 'transom[server]'.") from None
    uvicorn.run(
        args.app,
        host=args.host,
        port=args.port,
        reload=args.reload,
        workers=args.workers,
        app_dir=args.app_dir,
    )
