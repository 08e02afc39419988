"""The default exception handlers, under FastAPI's module name.

A handler registered with `@app.exception_handler(...)` can log, then hand the
exception on to the default one, as FastAPI's docs show:

    from transom.exception_handlers import http_exception_handler

    @app.exception_handler(HTTPException)
    async def logged(request, exc):
        print("HTTP error:", exc.status_code)
        return await http_exception_handler(request, exc)

They are defined with the exception layer (`transom.middleware.exceptions`);
this module only names them where a port from FastAPI looks.
"""

from transom.middleware.exceptions import (
    http_exception_handler,
    request_validation_exception_handler,
    websocket_exception_handler,
    websocket_request_validation_exception_handler,
)

__all__ = [
    "http_exception_handler",
    "request_validation_exception_handler",
    "websocket_exception_handler",
    "websocket_request_validation_exception_handler",
]
