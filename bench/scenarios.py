"""The scenarios: the requests each framework gets and the exact response expected.

Every app in `apps/` implements them. The expected bytes are the reference
`verify.py` checks against; `inprocess.py` and `wire.py` send the same requests.
A scenario that needs middleware around the whole app (S7's sessions) is served
by another app of the same module (`Scenario.app`), so the other scenarios do
not pay for it; a module without that app does not take part in the scenario.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from apps.models import S5_ROUTES

FRAMEWORKS: dict[str, str] = {
    "raw_asgi": "apps.raw_asgi:app",
    "raw_pydantic": "apps.raw_pydantic:app",
    "transom": "apps.transom_app:app",
    "fastapi": "apps.fastapi_app:app",
    "starlette": "apps.starlette_app:app",
    "litestar": "apps.litestar_app:app",
    "blacksheep": "apps.blacksheep_app:app",
}

JSON = b"application/json"


@dataclass(frozen=True)
class Cookie:
    """A parsed `Set-Cookie`: name, value and its lower-cased attributes."""

    name: str
    value: str
    attributes: frozenset[str]

    @classmethod
    def parse(cls, header: str) -> Cookie:
        pair, *attributes = (part.strip() for part in header.split(";"))
        name, _, value = pair.partition("=")
        return cls(name, value, frozenset(a.lower() for a in attributes if a))


@dataclass(frozen=True)
class Call:
    """One request and the response it must get."""

    method: str
    path: str
    body: bytes  # expected response body, exact bytes
    query: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    request_body: bytes = b""
    response_headers: tuple[tuple[bytes, bytes], ...] = ()  # custom headers, exact values
    cookies: frozenset[Cookie] = frozenset()
    status: int = 200
    content_type: bytes = JSON
    #: False: each framework seals these cookies its own way, so their values are
    #: only checked to be present, not compared (names and attributes still are).
    cookie_values: bool = True

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query.decode() if self.query else "")


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    short: str  # a chart label
    calls: tuple[Call, ...] = field(repr=False)  # sent round-robin
    #: The attribute of each framework's module (see `FRAMEWORKS`) that serves it.
    app: str = "app"
    #: Sent once per framework, in order, before `calls` (and checked by `verify.py`);
    #: the cookies their responses set are sent with the next ones and with every
    #: call, as a browser's cookie jar would. Each framework makes its own cookies.
    setup: tuple[Call, ...] = field(default=(), repr=False)


def target(framework: str, scenario: Scenario) -> str:
    """`module:attribute` of the app of `framework` that serves `scenario`."""
    module = FRAMEWORKS[framework].partition(":")[0]
    return f"{module}:{scenario.app}"


def update_jar(jar: dict[str, str], set_cookies: Iterable[str]) -> None:
    """Keep each `Set-Cookie` of a response in `jar` (name -> value), as a browser does."""
    for header in set_cookies:
        cookie = Cookie.parse(header)
        if cookie.value and "max-age=0" not in cookie.attributes:
            jar[cookie.name] = cookie.value
        else:
            jar.pop(cookie.name, None)


def with_cookies(call: Call, jar: dict[str, str]) -> Call:
    """`call` with a `Cookie` header carrying `jar` (unchanged if the jar is empty)."""
    if not jar:
        return call
    cookie = "; ".join(f"{name}={value}" for name, value in jar.items()).encode("latin-1")
    return replace(call, headers=(*call.headers, (b"cookie", cookie)))


def _dumps(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


ITEM_BODY = b'{"id":42,"name":"item 42","price":9.5}'
ORDER_BODY = b'{"id":7,"customer":"ada","amount":12.5,"paid":true,"tags":["a","b"]}'

S1 = Scenario(
    "S1", "GET /s1/items/{id} -> model", "model", (Call("GET", "/s1/items/42", ITEM_BODY),)
)
S2 = Scenario(
    "S2",
    "temporal response: 2 cookies + 2 headers, model drops a field",
    "cookies+headers",
    (
        Call(
            "GET",
            "/s2/items/42",
            ITEM_BODY,
            response_headers=((b"x-request-id", b"42"), (b"x-cache", b"miss")),
            cookies=frozenset(
                {
                    Cookie.parse("session=abc123; HttpOnly; SameSite=Lax; Path=/"),
                    Cookie.parse("theme=dark; Max-Age=3600; Path=/"),
                }
            ),
        ),
    ),
)
S3 = Scenario(
    "S3",
    "dependency sets a header; query + header params",
    "dependency+params",
    (
        Call(
            "GET",
            "/s3/search",
            b'{"q":"shoe","token":"t0k"}',
            query=b"q=shoe",
            headers=((b"x-token", b"t0k"),),
            response_headers=((b"x-dep", b"1"),),
        ),
    ),
)
S4 = Scenario(
    "S4",
    "POST JSON body, 5-field model, echoed",
    "JSON body",
    (
        Call(
            "POST",
            "/s4/orders",
            ORDER_BODY,
            headers=((b"content-type", b"application/json"),),
            request_body=ORDER_BODY,
        ),
    ),
)


def _s5_calls() -> tuple[Call, ...]:
    calls = []
    for i in range(S5_ROUTES):
        calls.append(Call("GET", f"/s5/static/r{i}", _dumps({"r": i})))
        calls.append(Call("GET", f"/s5/param/r{i}/v{i}", _dumps({"r": i, "x": f"v{i}"})))
    return tuple(calls)


S5 = Scenario("S5", f"routing: {2 * S5_ROUTES} routes, round-robin", "200 routes", _s5_calls())

#: S6's form: three text fields and one file of 256 KiB of seeded random bytes
#: (like a compressed image: every byte value, CR and LF among them).
S6_FIELDS = {
    "a": "ada",
    "b": "ada@example.com",
    "c": ("The Analytical Engine weaves algebraic patterns just as the Jacquard loom "
          "weaves flowers and leaves. " * 3)[:200],
}  # fmt: skip
S6_FILE = random.Random(6).randbytes(256 * 1024)
S6_BOUNDARY = "----TransomBenchBoundary6hM2vQx9"


def _multipart(fields: dict[str, str], file: bytes, boundary: str) -> bytes:
    """The body a browser sends for the form: the fields, then `file` as `file`."""
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    out += (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="data.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    out += file + f"\r\n--{boundary}--\r\n".encode()
    return bytes(out)


S6 = Scenario(
    "S6",
    "multipart form: 3 text fields + a 256 KiB file",
    "form + file",
    (
        Call(
            "POST",
            "/s6/upload",
            _dumps({**{k: len(v) for k, v in S6_FIELDS.items()}, "size": len(S6_FILE)}),
            headers=((b"content-type", f"multipart/form-data; boundary={S6_BOUNDARY}".encode()),),
            request_body=_multipart(S6_FIELDS, S6_FILE, S6_BOUNDARY),
        ),
    ),
)

#: S7's session cookie: what every framework's `Set-Cookie` must carry besides its own
#: value (HttpOnly, SameSite=Lax, Path=/ and the two weeks all their defaults give).
S7_COOKIE = Cookie(
    "session", "", frozenset({"httponly", "samesite=lax", "path=/", "max-age=1209600"})
)


def _s7_call(count: int) -> Call:
    return Call(
        "GET",
        "/s7/session",
        _dumps({"count": count}),
        cookies=frozenset({S7_COOKIE}),
        cookie_values=False,
    )


S7 = Scenario(
    "S7",
    "signed session cookie: read a counter, write it back re-signed",
    "session",
    # Timed: the cookie of the second setup request, every time (count 2 -> 3).
    (_s7_call(3),),
    app="s7_app",
    # The first request has no cookie (count 1); the second sends the first's back.
    setup=(_s7_call(1), _s7_call(2)),
)

#: S10's strong ETag: BLAKE2b (128 bits, hex) of the body, the tag transom's `etag=True` sends.
S10_ETAG = b'"' + hashlib.blake2b(ITEM_BODY, digest_size=16).hexdigest().encode() + b'"'
S10 = Scenario(
    "S10",
    "ETag of the body; every other request revalidates (If-None-Match -> 304)",
    "etag, 50% 304",
    (
        Call("GET", "/s10/items/42", ITEM_BODY, response_headers=((b"etag", S10_ETAG),)),
        Call(
            "GET",
            "/s10/items/42",
            b"",
            headers=((b"if-none-match", S10_ETAG),),
            response_headers=((b"etag", S10_ETAG),),
            status=304,
            content_type=b"",
        ),
    ),
)

SCENARIOS: dict[str, Scenario] = {s.key: s for s in (S1, S2, S3, S4, S5, S6, S7, S10)}
