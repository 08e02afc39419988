"""The floor: a hand-written ASGI app, no framework and no pydantic.

It does the minimum a correct app must: route, convert and check the inputs,
build the JSON with the standard library and send exact headers. For S6's
multipart form it feeds each body chunk to python-multipart's `MultipartParser`
(the parser Transom, FastAPI and Starlette use) with callbacks that keep the
text fields and count the file's bytes, without storing the file anywhere.
S7's session is a hand-written signed cookie: base64url of the JSON data and
its expiry, a dot, base64url of its HMAC-SHA256, compared in constant time.
S10's ETag is the BLAKE2b digest of the body, compared with each tag of
`If-None-Match` by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError

from apps.models import S5_ROUTES, S7_SECRET

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


def body_etag(body: bytes) -> bytes:
    """S10: the strong ETag of `body`, its BLAKE2b digest (128 bits) in hex, quoted."""
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def lists_etag(if_none_match: bytes, etag: bytes) -> bool:
    """Whether an `If-None-Match` value is `*` or lists `etag` (weak comparison)."""
    if if_none_match == etag:
        return True
    tags = [tag.strip() for tag in if_none_match.split(b",")]
    return tags == [b"*"] or any(tag.removeprefix(b"W/") == etag for tag in tags)


async def send_tagged(scope: Scope, send: Send, body: bytes) -> None:
    """S10: the JSON `body` with its ETag, or a 304 if the request's `If-None-Match` lists it."""
    etag = body_etag(body)
    for name, value in scope["headers"]:
        if name == b"if-none-match" and lists_etag(value, etag):
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]})
            await send({"type": "http.response.body", "body": b""})
            return
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"etag", etag),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
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


_BOUNDARY = re.compile(rb'boundary="?([^";]+)"?')
_NAME = re.compile(rb'(?:^|;)\s*name="([^"]*)"')


class FormSizes:
    """`MultipartParser` callbacks: each text field's value, and the file's size."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.file_size: int | None = None
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._name = ""
        self._is_file = False
        self._data = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._data.clear()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        match = _NAME.search(self._disposition)
        self._name = match.group(1).decode() if match else ""
        self._is_file = b"filename=" in self._disposition
        if self._is_file:
            self.file_size = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self.file_size = (self.file_size or 0) + end - start
        else:
            self._data += data[start:end]

    def on_part_end(self) -> None:
        if not self._is_file:
            self.fields[self._name] = self._data.decode()


async def read_form_sizes(scope: Scope, receive: Receive) -> dict[str, int] | None:
    """S6: parse the multipart body while it arrives; the sizes, or None if it is not the form."""
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    match = _BOUNDARY.search(content_type)
    if not content_type.startswith(b"multipart/form-data") or match is None:
        return None
    sizes = FormSizes()
    parser = MultipartParser(match.group(1), sizes.callbacks())  # type: ignore[arg-type]
    try:
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            parser.write(message.get("body", b""))
            if not message.get("more_body", False):
                break
        parser.finalize()
    except FormParserError:
        return None
    fields = sizes.fields
    if not {"a", "b", "c"} <= fields.keys() or sizes.file_size is None:
        return None
    return {
        "a": len(fields["a"]),
        "b": len(fields["b"]),
        "c": len(fields["c"]),
        "size": sizes.file_size,
    }


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def s4_order(scope: Scope, receive: Receive, send: Send) -> None:
    try:
        data = json.loads(await read_body(receive))
    except ValueError:
        data = None
    if _valid_order(data):
        await send_json(send, 200, data)
    else:
        await send_json(send, 422, {"detail": "invalid order"})


async def s6_upload(scope: Scope, receive: Receive, send: Send) -> None:
    form = await read_form_sizes(scope, receive)
    if form is None:
        await send_json(send, 422, {"detail": "invalid form"})
    else:
        await send_json(send, 200, form)


async def s1_item(scope: Scope, send: Send, item: dict[str, Any]) -> None:
    await send_json(send, 200, item)


async def s2_item(scope: Scope, send: Send, item: dict[str, Any]) -> None:
    await send_json(send, 200, item, S2_EXTRA)


async def s10_item(scope: Scope, send: Send, item: dict[str, Any]) -> None:
    await send_tagged(scope, send, _dumps(item).encode())


#: `/{key}/items/{id}`: S1, S2 and S10 serve the same item.
ITEM_ROUTES: dict[str, Callable[[Scope, Send, dict[str, Any]], Awaitable[None]]] = {
    "s1": s1_item,
    "s2": s2_item,
    "s10": s10_item,
}
POST_ROUTES: dict[str, Callable[[Scope, Receive, Send], Awaitable[None]]] = {
    "/s4/orders": s4_order,
    "/s6/upload": s6_upload,
}
STATIC: dict[str, dict[str, Any]] = {f"/s5/static/r{i}": {"r": i} for i in range(S5_ROUTES)}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    path: str = scope["path"]
    method: str = scope["method"]
    parts = path.split("/")
    if method == "GET" and len(parts) == 4 and parts[2] == "items" and parts[1] in ITEM_ROUTES:
        item = _item(parts[3])
        if item is not None:
            await ITEM_ROUTES[parts[1]](scope, send, item)
            return
    elif method == "GET" and path == "/s3/search":
        query = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        token = next((v for k, v in scope["headers"] if k == b"x-token"), None)
        if "q" in query and token is not None:
            await send_json(send, 200, {"q": query["q"], "token": token.decode()}, S3_EXTRA)
        else:
            await send_json(send, 422, {"detail": "missing q or x-token"})
        return
    elif method == "POST" and path in POST_ROUTES:
        await POST_ROUTES[path](scope, receive, send)
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


# S7: a signed session read and re-written per request, in an app of its own like the
# frameworks' (their session middleware wraps a whole app).
S7_KEY = S7_SECRET.encode()
S7_MAX_AGE = 14 * 24 * 60 * 60
S7_ATTRIBUTES = b"; HttpOnly; SameSite=Lax; Path=/; Max-Age=" + str(S7_MAX_AGE).encode()
Respond = Callable[[Send, dict[str, int], Headers], Awaitable[None]]


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _tag(data: bytes) -> bytes:
    return _b64(hmac.new(S7_KEY, data, hashlib.sha256).digest())


def seal_session(data: dict[str, Any]) -> bytes:
    """The cookie value: the data and its expiry, signed (the expiry with it)."""
    payload = _b64(_dumps({"e": int(time.time()) + S7_MAX_AGE, "d": data}).encode())
    return payload + b"." + _tag(payload)


def open_session(scope: Scope) -> dict[str, Any]:
    """The session in the request's `session` cookie; empty unless signed and unexpired."""
    sealed = b""
    for name, value in scope["headers"]:
        if name == b"cookie":
            for pair in value.split(b";"):
                key, _, item = pair.strip().partition(b"=")
                if key == b"session":
                    sealed = item
    payload, _, tag = sealed.rpartition(b".")
    if not payload or not hmac.compare_digest(_tag(payload), tag):
        return {}
    try:
        envelope = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    except ValueError:
        return {}
    if not isinstance(envelope, dict) or not isinstance(envelope.get("d"), dict):
        return {}
    expiry = envelope.get("e")
    if not isinstance(expiry, int) or expiry <= time.time():
        return {}
    data: dict[str, Any] = envelope["d"]
    return data


def session_app(respond: Respond) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """S7's app; `respond(send, body, extra headers)` sends the 200."""

    async def s7_app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["method"] != "GET" or scope["path"] != "/s7/session":
            await send_json(send, 404, {"detail": "Not Found"})
            return
        session = open_session(scope)
        count = session.get("count", 0)
        count = (count if isinstance(count, int) else 0) + 1
        session["count"] = count
        cookie = b"session=" + seal_session(session) + S7_ATTRIBUTES
        await respond(send, {"count": count}, [(b"set-cookie", cookie), (b"vary", b"Cookie")])

    return s7_app


async def _s7_respond(send: Send, body: dict[str, int], extra: Headers) -> None:
    await send_json(send, 200, body, extra)


s7_app = session_app(_s7_respond)
