"""Transom: an ASGI framework for HTTP APIs that shapes responses correctly and fast."""

from transom import status
from transom.applications import Transom
from transom.background import BackgroundTask, BackgroundTasks
from transom.datastructures import UploadFile
from transom.di.analysis import DeclarationError
from transom.exceptions import HTTPException, RequestValidationError, ResponseValidationError
from transom.http.caching import CacheControl
from transom.http.cookies import CookieError
from transom.http.headers import HeaderError, Headers, MutableHeaders
from transom.http.policy import CookiePolicy
from transom.keyring import Keyring
from transom.metadata import ResponseCookie, ResponseHeader
from transom.params import Body, Cookie, Depends, File, Form, Header, Path, Query, Security
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
from transom.routing import APIRouter
from transom.temporal import TemporalResponse
from transom.websockets import WebSocket, WebSocketDisconnect, WebSocketException

__version__ = "0.1.0"

__all__ = [
    "APIRouter",
    "BackgroundTask",
    "BackgroundTasks",
    "Body",
    "CacheControl",
    "Cookie",
    "CookieError",
    "CookiePolicy",
    "DeclarationError",
    "Depends",
    "File",
    "FileResponse",
    "Form",
    "HTMLResponse",
    "HTTPException",
    "Header",
    "HeaderError",
    "Headers",
    "JSONResponse",
    "Keyring",
    "MutableHeaders",
    "Path",
    "PlainTextResponse",
    "Query",
    "RedirectResponse",
    "Request",
    "RequestValidationError",
    "Response",
    "ResponseCookie",
    "ResponseHeader",
    "ResponseValidationError",
    "Security",
    "StreamingResponse",
    "TemporalResponse",
    "Transom",
    "UploadFile",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "status",
]
