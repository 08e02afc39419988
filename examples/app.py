"""The example app served by the README's first command.

Until routing lands this is a pure ASGI app built from transom's requests and
responses: it greets by cookie, remembers the name you give it, and shows how a
response carries cookies and headers that are checked when they are set.
"""

from __future__ import annotations

from transom import JSONResponse, PlainTextResponse, Request
from transom._types import Receive, Scope, Send


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """`GET /` greets you; `GET /login?name=ada` sets a cookie; `GET /logout` deletes it."""
    if scope["type"] != "http":
        return
    request = Request(scope, receive)
    path = request.url.path
    if path == "/":
        name = request.cookies.get("name", "stranger")
        response = JSONResponse({"hello": name})
        response.headers["X-Greeting"] = "transom"
    elif path == "/login":
        name = request.query_params.get("name", "ada")
        response = JSONResponse({"logged_in": name})
        response.set_cookie("name", name, httponly=True, max_age=3600)
    elif path == "/logout":
        response = JSONResponse({"logged_out": True})
        response.delete_cookie("name")
    else:
        response = PlainTextResponse("Not Found", status_code=404)
    await response(scope, receive, send)
