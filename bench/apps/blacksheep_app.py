"""BlackSheep: its router, bindings (`FromJSON`, `FromHeader`, `FromForm`) and `Response` cookies.

BlackSheep has no response model: handlers convert to the public model
themselves. Its documented way to give several handlers extra response
behaviour is a decorator around the handler (used for S3's `X-Dep`).
"""

# No `from __future__ import annotations`: BlackSheep binds a dataclass's fields
# (S6's form) by `field.type`, which that import would turn into a string.
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from blacksheep import (
    Application,
    Content,
    Cookie,
    FromForm,
    FromHeader,
    FromJSON,
    Response,
    json,
)
from blacksheep.contents import FileBuffer
from blacksheep.cookies import CookieSameSiteMode
from pydantic import TypeAdapter

from apps.models import S5_ROUTES, Item, ItemWithSecret, Order
from apps.revalidation import body_etag, not_modified

app = Application()
router = app.router

Handler = Callable[..., Awaitable[Response]]


# S1: a path parameter and a pydantic model (serialised by BlackSheep's json()).
@router.get("/s1/items/{int:id}")
async def s1_item(id: int) -> Response:
    return json(Item(id=id, name=f"item {id}", price=9.5))


# S2: 2 cookies and 2 headers on the response; the handler drops `secret`.
@router.get("/s2/items/{int:id}")
async def s2_item(id: int) -> Response:
    full = ItemWithSecret(id=id, name=f"item {id}", price=9.5, secret="s3cr3t")
    response = json(Item.model_validate(full.model_dump(include={"id", "name", "price"})))
    response.set_cookie(
        Cookie("session", "abc123", path="/", http_only=True, same_site=CookieSameSiteMode.LAX)
    )
    response.set_cookie(Cookie("theme", "dark", path="/", max_age=3600))
    response.add_header(b"X-Request-Id", b"42")
    response.add_header(b"X-Cache", b"miss")
    return response


# S3: a decorator shapes the response; query and header bindings.
def mark_dependency(handler: Handler) -> Handler:
    @wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Response:
        response = await handler(*args, **kwargs)
        response.add_header(b"X-Dep", b"1")
        return response

    return wrapper


class XToken(FromHeader[str]):
    name = "X-Token"


@router.get("/s3/search")
@mark_dependency
async def s3_search(q: str, x_token: XToken) -> Response:
    return json({"q": q, "token": x_token.value})


# S4: a JSON body validated by a model and echoed back.
@router.post("/s4/orders")
async def s4_order(order: FromJSON[Order]) -> Response:
    return json(order.value)


# S6: a multipart form, three text fields and a file, bound to a dataclass.
@dataclass
class Upload:
    a: str
    b: str
    c: str
    file: FileBuffer


@router.post("/s6/upload")
async def s6_upload(form: FromForm[Upload]) -> Response:
    data = form.value
    return json({"a": len(data.a), "b": len(data.b), "c": len(data.c), "size": data.file.size})


# S10: BlackSheep tags only static files, so the handler hashes the serialised body and
# compares If-None-Match itself.
ITEM = TypeAdapter(Item)


class IfNoneMatch(FromHeader[str]):
    name = "If-None-Match"


@router.get("/s10/items/{int:id}")
async def s10_item(id: int, if_none_match: IfNoneMatch | None = None) -> Response:
    body = ITEM.dump_json(Item(id=id, name=f"item {id}", price=9.5))
    etag = body_etag(body).encode()
    if not_modified(if_none_match.value if if_none_match else None, etag.decode()):
        return Response(304, [(b"ETag", etag)])
    return Response(200, [(b"ETag", etag)], Content(b"application/json", body))


# S5: 100 static and 100 parameterised routes.
def _static(i: int) -> Handler:
    async def endpoint() -> Response:
        return json({"r": i})

    return endpoint


def _param(i: int) -> Handler:
    async def endpoint(x: str) -> Response:
        return json({"r": i, "x": x})

    return endpoint


for _i in range(S5_ROUTES):
    router.add_get(f"/s5/static/r{_i}", _static(_i))
    router.add_get(f"/s5/param/r{_i}/{{x}}", _param(_i))
