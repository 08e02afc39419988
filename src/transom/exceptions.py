"""Every exception Transom raises, in one tree.

What a client caused becomes a response; what a programmer declared wrong
raises at the line that did it, with a sentence naming the rule::

    Exception
    ├── HTTPException              raise it: sent as its status with a JSON `detail`
    │   ├── BodyTooLarge           the body passed `max_body_size` while read: a 413
    │   └── MalformedForm          a form body that does not parse, or passes a form limit: a 400
    ├── ClientDisconnect           the client went away while the body was read
    ├── WebSocketDisconnect        the WebSocket client closed the connection (`code`, `reason`)
    ├── WebSocketException         raise it: the WebSocket closes with its `code` and `reason`
    └── ValidationError            a list of pydantic-style errors (`errors()`)
        ├── RequestValidationError     the request does not fit the route: a 422
        ├── ResponseValidationError    the handler's data does not fit its model: a 500
        └── WebSocketRequestValidationError  a handshake does not fit its route: close 1008
    ValueError
    ├── HeaderError                a header name or value breaks RFC 9110 (set time)
    ├── CookieError                a cookie breaks RFC 6265bis (set time)
    ├── KeyringError               a key ring key is missing, too short or not text or bytes
    └── InvalidJSONBody            `await request.json()` on a body that is not JSON: a 400
    TypeError
    ├── DeclarationError           a route, parameter or dependency cannot work (startup)
    │   └── PydanticV1NotSupportedError    a `pydantic.v1` model where pydantic 2 is needed
    └── MissingAwaitError          a handler or dependency returned a coroutine (no `await`)
    UserWarning
    └── DeprecatedOptionWarning    a deprecated option (`regex=`) or class (`ORJSONResponse`)
    RuntimeError
    ├── ResponseStartedError       the temporal response changed after the start
    ├── ResponseContractError      a response lacks a header its route declared required
    └── WebSocketDisconnected      `receive`/`send` on a WebSocket that is already closed

`HeaderError` and `CookieError` are defined beside their rules in the sans-IO
`transom.http` package (which imports nothing of Transom) and re-exported here;
`CookieWarning` (a `UserWarning`, e.g. a Max-Age capped at 400 days) lives there too.
Catch any of them from `transom.exceptions` or from `transom`. `EndpointContext`,
the `endpoint_ctx` of the validation errors (where the endpoint is), is defined here.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, TypedDict

from transom.http.cookies import CookieError, CookieWarning
from transom.http.headers import HeaderError, Headers
from transom.http.websocket import check_close_reason

__all__ = [
    "BodyTooLarge",
    "ClientDisconnect",
    "CookieError",
    "CookieWarning",
    "DeclarationError",
    "DeprecatedOptionWarning",
    "EndpointContext",
    "HTTPException",
    "HeaderError",
    "InvalidJSONBody",
    "KeyringError",
    "MalformedForm",
    "MissingAwaitError",
    "PydanticV1NotSupportedError",
    "RequestValidationError",
    "ResponseContractError",
    "ResponseStartedError",
    "ResponseValidationError",
    "ValidationError",
    "WebSocketDisconnect",
    "WebSocketDisconnected",
    "WebSocketException",
    "WebSocketRequestValidationError",
]


def status_phrase(status_code: int) -> str:
    """The reason phrase of `status_code`, or an empty string if it has none."""
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""


class HTTPException(Exception):
    """Stop handling the request and send `status_code` with a JSON `detail`.

    Args:
        status_code: The HTTP status to send.
        detail: Anything JSON-serialisable; defaults to the status phrase.
        headers: Extra response headers, e.g. `WWW-Authenticate`; checked now.

    Raises:
        HeaderError: if a header name or value breaks RFC 9110.
    """

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            detail = status_phrase(status_code)
        if headers:
            Headers(headers)  # check names and values here, at the line that raised
        super().__init__(status_code, detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = headers

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, detail={self.detail!r})"


class BodyTooLarge(HTTPException):
    """The request body is larger than the route's (or app's) `max_body_size`: a 413.

    Attributes:
        limit: The limit in bytes.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"The request body is larger than the limit of {limit} bytes. Send less, or "
            "raise max_body_size= on the app or route.",
        )
        self.limit = limit


class MalformedForm(HTTPException):
    """A form body that cannot be parsed, or that passes a form limit: a 400.

    Raised by `await request.form()` (and the form parameters built on it) for a
    broken `multipart/form-data` body (no boundary, a truncated body, bytes
    outside the syntax, a part without a name) and when a form has more files,
    more fields or a larger field than `max_files`, `max_fields` or
    `max_part_size` allow. `detail` says which.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


class InvalidJSONBody(ValueError):
    """The request body is not valid JSON (or not valid UTF-8, or nested too deeply to decode).

    Attributes:
        body: The raw body.
        reason: Why decoding failed, from the JSON decoder.
    """

    def __init__(self, body: bytes, reason: str) -> None:
        super().__init__(f"The request body is not valid JSON: {reason}.")
        self.body = body
        self.reason = reason


class KeyringError(ValueError):
    """A key ring cannot be built: no key, or a key too short or not text or bytes.

    The message names the key by its position and never shows it.
    """


class ClientDisconnect(Exception):
    """The client went away while the request body was being read."""


class DeclarationError(TypeError, AssertionError):
    """A route, parameter or dependency is declared in a way that cannot work.

    It is a `TypeError`, and an `AssertionError` too because FastAPI refuses the
    same declarations with `assert`: code ported from FastAPI that expects an
    `AssertionError` (a test's `pytest.raises(AssertionError)`) still sees one. It
    is raised explicitly, so `python -O` does not skip the check.
    """


class MissingAwaitError(TypeError):
    """A handler or dependency returned a coroutine instead of a value: a forgotten `await`.

    Raised when the value comes back, so the 500 and its log name the route, the
    callable and the coroutine; the coroutine is closed (never awaited).
    """


class DeprecatedOptionWarning(UserWarning):
    """A deprecated option (`regex=`, `example=`) or class (`ORJSONResponse`) was used.

    A `UserWarning`, so it shows.
    """


class PydanticV1NotSupportedError(DeclarationError):
    """A `pydantic.v1` model was used: declared on a route, or given to `jsonable_encoder`."""


class ResponseContractError(RuntimeError):
    """A response did not send a header its route declared as required."""


class ResponseStartedError(RuntimeError):
    """A response was changed after it had started being sent."""


class EndpointContext(TypedDict, total=False):
    """Where a validation error happened, as FastAPI's `endpoint_ctx` holds it.

    `function` is the endpoint's name, `file` and `line` where it is defined,
    `path` the method and path of the request's route (`"GET /users/{user_id}"`,
    a mounted app's prefix included; `"WS ..."` for a WebSocket).
    """

    function: str
    path: str
    file: str
    line: int


class ValidationError(Exception):
    """Base of request and response validation errors: a list of pydantic-style errors.

    Args:
        errors: The errors, each with `type`, `loc`, `msg`, `input` and maybe `ctx`.
        body: The request body (or, for a response, the handler's value).
        endpoint_ctx: Where it happened; a route sets it on the errors it raises,
            and `str()` ends with it, so a log line points at the endpoint.
    """

    def __init__(
        self,
        errors: list[dict[str, Any]],
        *,
        body: Any = None,
        endpoint_ctx: EndpointContext | None = None,
    ) -> None:
        super().__init__(errors)
        self._errors = errors
        self.body = body
        self.endpoint_ctx = endpoint_ctx

    def errors(self) -> list[dict[str, Any]]:
        """The errors, each with `type`, `loc`, `msg`, `input` and maybe `ctx`."""
        return self._errors

    @property
    def endpoint_function(self) -> str | None:
        return (self.endpoint_ctx or {}).get("function")

    @property
    def endpoint_path(self) -> str | None:
        return (self.endpoint_ctx or {}).get("path")

    @property
    def endpoint_file(self) -> str | None:
        return (self.endpoint_ctx or {}).get("file")

    @property
    def endpoint_line(self) -> int | None:
        return (self.endpoint_ctx or {}).get("line")

    def __str__(self) -> str:
        count = len(self._errors)
        lines = [f"{count} validation error{'' if count == 1 else 's'}:"]
        for error in self._errors:
            loc = " -> ".join(str(part) for part in error.get("loc", ()))
            kind, value = error.get("type"), error.get("input")
            lines.append(f"  {loc}: {error.get('msg')} [type={kind}, input={value!r}]")
        function, path = self.endpoint_function, self.endpoint_path
        file, line = self.endpoint_file, self.endpoint_line
        if function and file and line:
            # A traceback's line, so that editors and terminals link to the endpoint.
            lines.append(f'  File "{file}", line {line}, in {function}')
            if path:
                lines.append(f"    {path}")
        elif path:
            lines.append(f"  Endpoint: {path}")
        return "\n".join(lines)


class RequestValidationError(ValidationError):
    """The request does not match the route's parameters; sent as a 422 by default."""


class ResponseValidationError(ValidationError):
    """The handler returned data that does not match its response model; a 500."""


class WebSocketRequestValidationError(ValidationError):
    """A WebSocket handshake does not match its route's parameters.

    Its default handler closes the connection with 1008 (policy violation)
    before accepting it, as FastAPI does; the close reason names the first
    error. `str()` names the route.
    """

    def __init__(
        self,
        errors: list[dict[str, Any]],
        *,
        label: str = "",
        endpoint_ctx: EndpointContext | None = None,
    ) -> None:
        super().__init__(errors, endpoint_ctx=endpoint_ctx)
        self.label = label

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.label}: {text}" if self.label else text


class WebSocketDisconnect(Exception):
    """The WebSocket client closed the connection: raised by `receive_*` and `iter_*` ends.

    Attributes:
        code: The close code the client sent (1000 is a normal closure).
        reason: The close reason, `""` if none.
    """

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        super().__init__(code, reason or "")
        self.code = code
        self.reason = reason or ""

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}" if self.reason else str(self.code)


class WebSocketDisconnected(RuntimeError):
    """A WebSocket was used after its connection ended (or before it was accepted)."""


class WebSocketException(Exception):
    """Close the WebSocket with `code` and `reason`; raise it from an endpoint or dependency.

    Raised before `accept()`, the handshake is refused (the server answers 403);
    after it, the open connection closes with that code.

    Args:
        code: A close code (RFC 6455 section 7.4), e.g. `status.WS_1008_POLICY_VIOLATION`.
        reason: Text for the client, at most 123 bytes of UTF-8.
    """

    def __init__(self, code: int, reason: str | None = None) -> None:
        super().__init__(code, reason or "")
        self.code = code
        self.reason = check_close_reason(reason or "")

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, reason={self.reason!r})"
