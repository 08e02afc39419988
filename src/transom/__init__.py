"""Transom: an ASGI framework for HTTP APIs that shapes responses correctly and fast."""

from transom import status
from transom.background import BackgroundTask, BackgroundTasks
from transom.exceptions import HTTPException
from transom.http.cookies import CookieError
from transom.http.headers import HeaderError, Headers, MutableHeaders
from transom.requests import Request
from transom.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

__version__ = "0.1.0"

__all__ = [
    "BackgroundTask",
    "BackgroundTasks",
    "CookieError",
    "FileResponse",
    "HTMLResponse",
    "HTTPException",
    "HeaderError",
    "Headers",
    "JSONResponse",
    "MutableHeaders",
    "PlainTextResponse",
    "RedirectResponse",
    "Request",
    "Response",
    "StreamingResponse",
    "status",
]
