"""The floor: a hand-written ASGI app, no framework and no pydantic.

It does the minimum a correct app must: route, convert and check the inputs,
build the JSON with the standard library and send exact headers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from apps.models import S5_ROUTES

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

S2_EXTRA: Headers = [
    (b"set-cookie", b"session=abc123; HttpOnly; SameSite=Lax; Path=/"),
    (b"set-cookie", b"theme=dark; Max-Age=3600; Path=/"),
    (b"x-request-id", b"42"),
    (b"x-cache", b"miss"),
]
S3_EXTRA: Headers = [(b"x-dep", b"1")]
ORDER_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (int,),
    "customer": (str,),
    "amount": (float, int),
    "paid": (bool,),
    "tags": (list,),
}


async def send_json(
    send: Send, status: int, data: Any, extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    body = _dumps(data).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _item(raw_id: str) -> dict[str, Any] | None:
    if not raw_id.isdigit():
        return None
    item_id = int(raw_id)
    return {"id": item_id, "name": f"item {item_id}", "price": 9.5}


def _valid_order(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    for name, types in ORDER_FIELDS.items():
        value = data.get(name)
        if not isinstance(value, types) or (name != "paid" and isinstance(value, bool)):
            return False
    return all(isinstance(tag, str) for tag in data["tags"])


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


STATIC: dict[str, dict[str, Any]] = {f"/s5/static/r{i}": {"r": i} for i in range(S5_ROUTES)}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    path: str = scope["path"]
    method: str = scope["method"]
    parts = path.split("/")
    if method == "GET" and len(parts) == 4 and parts[2] == "items":
        item = _item(parts[3])
        if item is not None and parts[1] == "s1":
            await send_json(send, 200, item)
            return
        if item is not None and parts[1] == "s2":
            await send_json(send, 200, item, S2_EXTRA)
            return
    elif method == "GET" and path == "/s3/search":
        query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        token = next((v for k, v in scope["headers"] if k == b"x-token"), None)
        if "q" in query and token is not None:
            await send_json(send, 200, {"q": query["q"], "token": token.decode()}, S3_EXTRA)
        else:
            await send_json(send, 422, {"detail": "missing q or x-token"})
        return
    elif method == "POST" and path == "/s4/orders":
        try:
            data = json.loads(await read_body(receive))
        except ValueError:
            data = None
        if _valid_order(data):
            await send_json(send, 200, data)
        else:
            await send_json(send, 422, {"detail": "invalid order"})
        return
    elif method == "GET" and path in STATIC:
        await send_json(send, 200, STATIC[path])
        return
    elif method == "GET" and len(parts) == 5 and parts[2] == "param" and parts[4]:
        number = parts[3][1:]
        if parts[1] == "s5" and parts[3][:1] == "r" and number.isdigit():
            i = int(number)
            if i < S5_ROUTES:
                await send_json(send, 200, {"r": i, "x": parts[4]})
                return
    await send_json(send, 404, {"detail": "Not Found"})
