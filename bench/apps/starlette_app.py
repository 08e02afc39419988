"""Starlette: endpoint functions that validate and serialise with pydantic by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from apps.models import S5_ROUTES, S7_SECRET, Item, ItemWithSecret, Order
from apps.revalidation import body_etag, not_modified

ITEM = TypeAdapter(Item)
ORDER = TypeAdapter(Order)
STR_DICT = TypeAdapter(dict[str, str])
INT_DICT = TypeAdapter(dict[str, int])
OPT_INT_DICT = TypeAdapter(dict[str, int | None])


def json_response(adapter: TypeAdapter[Any], value: Any, status_code: int = 200) -> Response:
    """Serialise `value` as `adapter`'s type (a subclass's extra fields are dropped)."""
    return Response(adapter.dump_json(value), status_code, media_type="application/json")


async def s1_item(request: Request) -> Response:
    item_id: int = request.path_params["id"]
    return json_response(ITEM, Item(id=item_id, name=f"item {item_id}", price=9.5))


async def s2_item(request: Request) -> Response:
    item_id: int = request.path_params["id"]
    full = ItemWithSecret(id=item_id, name=f"item {item_id}", price=9.5, secret="s3cr3t")
    response = json_response(ITEM, full)
    response.set_cookie("session", "abc123", httponly=True, samesite="lax")
    response.set_cookie("theme", "dark", max_age=3600, samesite=None)
    response.headers["X-Request-Id"] = "42"
    response.headers["X-Cache"] = "miss"
    return response


def mark_dependency(response: Response) -> None:
    """What a dependency does in the other apps; Starlette has no DI, so it is a call."""
    response.headers["X-Dep"] = "1"


async def s3_search(request: Request) -> Response:
    q = request.query_params.get("q")
    token = request.headers.get("x-token")
    if q is None or token is None:
        return Response(b'{"detail":"missing q or x-token"}', 422, media_type="application/json")
    response = json_response(STR_DICT, {"q": q, "token": token})
    mark_dependency(response)
    return response


async def s4_order(request: Request) -> Response:
    try:
        order = ORDER.validate_json(await request.body())
    except ValidationError as exc:
        return Response(exc.json(), 422, media_type="application/json")
    return json_response(ORDER, order)


async def s6_upload(request: Request) -> Response:
    async with request.form() as form:  # closes the spooled file on exit
        a, b, c, file = form.get("a"), form.get("b"), form.get("c"), form.get("file")
        if not (isinstance(a, str) and isinstance(b, str) and isinstance(c, str)) or not (
            isinstance(file, UploadFile)
        ):
            return Response(
                b'{"detail":"missing a, b, c or file"}', 422, media_type="application/json"
            )
        sizes = {"a": len(a), "b": len(b), "c": len(c), "size": file.size}
    return json_response(OPT_INT_DICT, sizes)


async def s10_item(request: Request) -> Response:
    """A strong ETag of the serialised body, by hand; a matching If-None-Match gets a 304."""
    item_id: int = request.path_params["id"]
    body = ITEM.dump_json(Item(id=item_id, name=f"item {item_id}", price=9.5))
    etag = body_etag(body)
    if not_modified(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})


def _static(i: int) -> Callable[[Request], Awaitable[Response]]:
    body = TypeAdapter(dict[str, int])

    async def endpoint(request: Request) -> Response:
        return json_response(body, {"r": i})

    return endpoint


def _param(i: int) -> Callable[[Request], Awaitable[Response]]:
    body = TypeAdapter(dict[str, int | str])

    async def endpoint(request: Request) -> Response:
        return json_response(body, {"r": i, "x": request.path_params["x"]})

    return endpoint


routes = [
    Route("/s1/items/{id:int}", s1_item),
    Route("/s2/items/{id:int}", s2_item),
    Route("/s3/search", s3_search),
    Route("/s4/orders", s4_order, methods=["POST"]),
    Route("/s6/upload", s6_upload, methods=["POST"]),
    Route("/s10/items/{id:int}", s10_item),
]
for _i in range(S5_ROUTES):
    routes.append(Route(f"/s5/static/r{_i}", _static(_i)))
    routes.append(Route(f"/s5/param/r{_i}/{{x}}", _param(_i)))

app = Starlette(routes=routes)


# S7: a signed session read and re-written per request (SessionMiddleware, itsdangerous).
# Session middleware wraps a whole app, so S7 has an app of its own.
async def s7_session(request: Request) -> Response:
    count: int = request.session.get("count", 0) + 1
    request.session["count"] = count
    return json_response(INT_DICT, {"count": count})


s7_app = Starlette(
    routes=[Route("/s7/session", s7_session)],
    middleware=[Middleware(SessionMiddleware, secret_key=S7_SECRET)],
)
