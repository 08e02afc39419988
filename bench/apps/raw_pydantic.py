"""The floor for pydantic frameworks: raw_asgi.py plus the pydantic work they must do.

Routing and sending are hand-written as in raw_asgi.py; inputs and outputs go
through the same pydantic calls a framework makes: the body is validated from
JSON bytes, each return value is validated against its response type and
serialised with `TypeAdapter.dump_json`. S6's form is parsed as in raw_asgi.py,
S7's session is raw_asgi.py's hand-written signed cookie, S10's ETag and
`If-None-Match` check raw_asgi.py's hand-written ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from pydantic import TypeAdapter, ValidationError

from apps.models import S5_ROUTES, Item, ItemWithSecret, Order
from apps.raw_asgi import (
    S2_EXTRA,
    S3_EXTRA,
    Headers,
    Receive,
    Scope,
    Send,
    lifespan,
    read_body,
    read_form_sizes,
    send_tagged,
    session_app,
)

ITEM = TypeAdapter(Item)
ORDER = TypeAdapter(Order)
STR_DICT = TypeAdapter(dict[str, str])
INT_DICT = TypeAdapter(dict[str, int])
PARAM_DICT = TypeAdapter(dict[str, int | str])
NOT_FOUND = b'{"detail":"Not Found"}'


async def send_bytes(
    send: Send, status: int, body: bytes, extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _respond(adapter: TypeAdapter[Any], value: Any) -> bytes:
    """Validate a return value against its response type and serialise it."""
    return adapter.dump_json(adapter.validate_python(value, from_attributes=True))


async def s4_order(scope: Scope, receive: Receive, send: Send) -> None:
    try:
        order = ORDER.validate_json(await read_body(receive))
    except ValidationError as exc:
        await send_bytes(send, 422, exc.json().encode())
        return
    await send_bytes(send, 200, _respond(ORDER, order))


async def s6_upload(scope: Scope, receive: Receive, send: Send) -> None:
    form = await read_form_sizes(scope, receive)
    if form is None:
        await send_bytes(send, 422, b'{"detail":"invalid form"}')
    else:
        await send_bytes(send, 200, _respond(INT_DICT, form))


async def s1_item(scope: Scope, send: Send, item_id: int) -> None:
    item = Item(id=item_id, name=f"item {item_id}", price=9.5)
    await send_bytes(send, 200, _respond(ITEM, item))


async def s2_item(scope: Scope, send: Send, item_id: int) -> None:
    full = ItemWithSecret(id=item_id, name=f"item {item_id}", price=9.5, secret="s3cr3t")
    await send_bytes(send, 200, _respond(ITEM, full), S2_EXTRA)


async def s10_item(scope: Scope, send: Send, item_id: int) -> None:
    item = Item(id=item_id, name=f"item {item_id}", price=9.5)
    await send_tagged(scope, send, _respond(ITEM, item))


#: `/{key}/items/{id}`: S1, S2 and S10.
ITEM_ROUTES: dict[str, Callable[[Scope, Send, int], Awaitable[None]]] = {
    "s1": s1_item,
    "s2": s2_item,
    "s10": s10_item,
}
POST_ROUTES: dict[str, Callable[[Scope, Receive, Send], Awaitable[None]]] = {
    "/s4/orders": s4_order,
    "/s6/upload": s6_upload,
}
STATIC = {f"/s5/static/r{i}": i for i in range(S5_ROUTES)}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    path: str = scope["path"]
    method: str = scope["method"]
    parts = path.split("/")
    if method == "GET" and len(parts) == 4 and parts[2] == "items" and parts[3].isdigit():
        route = ITEM_ROUTES.get(parts[1])
        if route is not None:
            await route(scope, send, int(parts[3]))
            return
    elif method == "GET" and path == "/s3/search":
        query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        token = next((v for k, v in scope["headers"] if k == b"x-token"), None)
        if "q" in query and token is not None:
            result = {"q": query["q"], "token": token.decode("latin-1")}
            await send_bytes(send, 200, _respond(STR_DICT, result), S3_EXTRA)
        else:
            await send_bytes(send, 422, b'{"detail":"missing q or x-token"}')
        return
    elif method == "POST" and path in POST_ROUTES:
        await POST_ROUTES[path](scope, receive, send)
        return
    elif method == "GET" and path in STATIC:
        await send_bytes(send, 200, _respond(INT_DICT, {"r": STATIC[path]}))
        return
    elif method == "GET" and len(parts) == 5 and parts[2] == "param" and parts[4]:
        number = parts[3][1:]
        if parts[1] == "s5" and parts[3][:1] == "r" and number.isdigit():
            i = int(number)
            if i < S5_ROUTES:
                await send_bytes(send, 200, _respond(PARAM_DICT, {"r": i, "x": parts[4]}))
                return
    await send_bytes(send, 404, NOT_FOUND)


# S7: raw_asgi.py's signed session; the body goes through pydantic.
async def _s7_respond(send: Send, body: dict[str, int], extra: Headers) -> None:
    await send_bytes(send, 200, _respond(INT_DICT, body), extra)


s7_app = session_app(_s7_respond)
