"""Litestar: handlers with its DI (`Provide`), `Parameter`, a DTO, `Response` cookies, `Body`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import Cookie, UploadFile
from litestar.di import Provide
from litestar.dto import DTOConfig
from litestar.enums import MediaType, RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.params import Body, Parameter
from litestar.plugins.pydantic import PydanticDTO
from pydantic import TypeAdapter

from apps.models import S5_ROUTES, S7_SECRET, Item, ItemWithSecret, Order
from apps.revalidation import body_etag, not_modified


# S1: a path parameter and a pydantic return type.
@get("/s1/items/{id:int}")
async def s1_item(id: int) -> Item:
    return Item(id=id, name=f"item {id}", price=9.5)


# S2: a Response with 2 cookies and 2 headers; the return DTO drops `secret`.
class PublicItem(PydanticDTO[ItemWithSecret]):
    config = DTOConfig(exclude={"secret"})


@get("/s2/items/{id:int}", return_dto=PublicItem)
async def s2_item(id: int) -> Response[ItemWithSecret]:
    return Response(
        ItemWithSecret(id=id, name=f"item {id}", price=9.5, secret="s3cr3t"),
        headers={"X-Request-Id": "42", "X-Cache": "miss"},
        cookies=[
            Cookie(key="session", value="abc123", httponly=True, samesite="lax"),
            # Litestar types samesite as always set; None leaves the attribute out.
            Cookie(key="theme", value="dark", max_age=3600, samesite=None),  # type: ignore[arg-type]
        ],
    )


# S3: a provided dependency contributes a header; query and header parameters.
async def dependency_headers() -> dict[str, str]:
    return {"X-Dep": "1"}


@get("/s3/search", dependencies={"dep_headers": Provide(dependency_headers)})
async def s3_search(
    q: str,
    x_token: Annotated[str, Parameter(header="x-token")],
    dep_headers: dict[str, str],
) -> Response[dict[str, str]]:
    return Response({"q": q, "token": x_token}, headers=dep_headers)


# S4: a JSON body validated by a model and echoed back (200, not Litestar's default 201).
@post("/s4/orders", status_code=200)
async def s4_order(data: Order) -> Order:
    return data


# S6: a multipart form, three text fields and a file, into a dataclass.
@dataclass
class Upload:
    a: str
    b: str
    c: str
    file: UploadFile


@post("/s6/upload", status_code=200)
async def s6_upload(
    data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> dict[str, int]:
    size = len(await data.file.read())  # Litestar's UploadFile keeps no size; it closes the file
    return {"a": len(data.a), "b": len(data.b), "c": len(data.c), "size": size}


# S10: Litestar's `etag=` route option sends a fixed value and nothing answers
# If-None-Match, so the handler hashes the serialised body and compares it.
ITEM = TypeAdapter(Item)


@get("/s10/items/{id:int}")
async def s10_item(
    id: int, if_none_match: Annotated[str | None, Parameter(header="if-none-match")] = None
) -> Response[bytes]:
    body = ITEM.dump_json(Item(id=id, name=f"item {id}", price=9.5))
    etag = body_etag(body)
    if not_modified(if_none_match, etag):
        return Response(b"", status_code=304, headers={"ETag": etag})
    return Response(body, media_type=MediaType.JSON, headers={"ETag": etag})


# S5: 100 static and 100 parameterised routes.
def _static(i: int) -> HTTPRouteHandler:
    async def endpoint() -> dict[str, int]:
        return {"r": i}

    return get(f"/s5/static/r{i}", name=f"s5_static_{i}")(endpoint)


def _param(i: int) -> HTTPRouteHandler:
    async def endpoint(x: str) -> dict[str, Any]:
        return {"r": i, "x": x}

    return get(f"/s5/param/r{i}/{{x:str}}", name=f"s5_param_{i}")(endpoint)


handlers: list[HTTPRouteHandler] = [s1_item, s2_item, s3_search, s4_order, s6_upload, s10_item]
for _i in range(S5_ROUTES):
    handlers += [_static(_i), _param(_i)]

app = Litestar(route_handlers=handlers)


# S7: a session read and re-written per request. Litestar's cookie sessions are
# encrypted (AES-GCM, the secret is the key); it has no signed-only cookie backend.
# Session middleware wraps a whole app, so S7 has an app of its own.
@get("/s7/session")
async def s7_session(request: Request[Any, Any, Any]) -> dict[str, int]:
    count: int = request.session.get("count", 0) + 1
    request.session["count"] = count
    return {"count": count}


s7_app = Litestar(
    route_handlers=[s7_session],
    middleware=[CookieBackendConfig(secret=S7_SECRET.encode()).middleware],
)
