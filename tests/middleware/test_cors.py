"""CORSMiddleware: simple requests, preflights, errors, configuration, other scopes."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from transom import HTTPException, JSONResponse, Response, Transom
from transom._types import Message, Receive, Scope, Send
from transom.middleware import Middleware
from transom.middleware.cors import CORSMiddleware
from transom.testclient import TestClient

APP = "https://app.example"
EVIL = "https://evil.example"
SAFELISTED = "accept, accept-language, content-language, content-type"
ALL_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
Items = list[tuple[str, str]]


def make_app(via: str = "add_middleware", **options: Any) -> Transom:
    """An app with a few routes, wrapped in CORS (`via` add_middleware or the constructor)."""
    app = Transom(middleware=[Middleware(CORSMiddleware, **options)] if via == "init" else None)

    @app.get("/plain")
    def plain() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/vary")
    def vary(value: str, response: Response) -> None:
        response.headers["Vary"] = value

    @app.get("/own-cors")
    def own_cors() -> JSONResponse:
        return JSONResponse(
            {},
            headers={
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Allow-Methods": "PUT",
            },
        )

    @app.get("/cookie")
    def cookie(response: Response) -> list[int]:
        response.set_cookie("sid", "abc", httponly=True, samesite="none", secure=True)
        response.headers["X-Total-Count"] = "2"
        return [1, 2]

    @app.get("/teapot")
    def teapot() -> None:
        raise HTTPException(418, headers={"Vary": "Accept", "X-Error": "yes"})

    @app.get("/number")
    def number(n: int) -> int:
        return n

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("boom")

    if via == "add_middleware":
        app.add_middleware(CORSMiddleware, **options)
    return app


def client(via: str = "add_middleware", **options: Any) -> TestClient:
    return TestClient(make_app(via, **options), raise_server_exceptions=False)


def cors_items(response: httpx.Response) -> Items:
    """Every `Access-Control-*` and `Vary` header line, sorted (duplicates kept)."""
    return sorted(
        (name, value)
        for name, value in response.headers.multi_items()
        if name.startswith("access-control-") or name == "vary"
    )


def allow_items(response: httpx.Response) -> Items:
    return [i for i in response.headers.multi_items() if i[0].startswith("access-control-allow-")]


def preflight(
    c: TestClient, origin: str = APP, method: str = "GET", headers: str = "", private: str = ""
) -> httpx.Response:
    request = {"origin": origin, "access-control-request-method": method}
    request |= {"access-control-request-headers": headers} if headers else {}
    request |= {"access-control-request-private-network": private} if private else {}
    return c.options("/plain", headers=request)


# Simple requests ------------------------------------------------------------------------

ACAO_APP = ("access-control-allow-origin", APP)
VARY_ORIGIN = ("vary", "Origin")
CREDENTIALS = ("access-control-allow-credentials", "true")


@pytest.mark.parametrize("path", ["/plain", "/vary?value=Accept", "/own-cors", "/cookie"])
def test_no_origin_with_wildcard_origins_leaves_the_response_untouched(path: str) -> None:
    bare = TestClient(make_app(via="none")).get(path)
    r = client(allow_origins=["*"], expose_headers="*").get(path)
    assert (r.status_code, r.content) == (bare.status_code, bare.content)
    assert r.headers.multi_items() == bare.headers.multi_items()


@pytest.mark.parametrize(
    ("path", "vary"),
    [("/plain", "Origin"), ("/vary?value=Accept", "Accept, Origin"), ("/cookie", "Origin")],
)
@pytest.mark.parametrize(
    "options",
    [
        {"allow_origins": [APP]},
        {"allow_origins": [APP], "allow_credentials": True, "expose_headers": ["X-Total-Count"]},
    ],
)
def test_no_origin_with_listed_origins_only_varies_on_origin(
    options: dict[str, Any], path: str, vary: str
) -> None:
    bare = TestClient(make_app(via="none")).get(path)
    r = client(**options).get(path)
    assert (r.status_code, r.content) == (bare.status_code, bare.content)
    expected = [pair for pair in bare.headers.multi_items() if pair[0] != "vary"]
    assert [pair for pair in r.headers.multi_items() if pair[0] != "vary"] == expected
    assert r.headers.get_list("vary") == [vary]


def test_no_origin_still_strips_handler_cors_headers_when_origins_are_listed() -> None:
    r = client(allow_origins=[APP]).get("/own-cors")
    assert not [name for name, _ in r.headers.multi_items() if name.startswith("access-control")]


@pytest.mark.parametrize(
    ("options", "origin", "expected"),
    [
        ({"allow_origins": [APP]}, APP, [ACAO_APP, VARY_ORIGIN]),
        ({"allow_origins": [EVIL, APP]}, APP, [ACAO_APP, VARY_ORIGIN]),
        (
            {"allow_origin_regex": r"https://[a-z]+\.app\.example"},
            "https://eu.app.example",
            [("access-control-allow-origin", "https://eu.app.example"), VARY_ORIGIN],
        ),
        (
            {"allow_origins": [EVIL], "allow_origin_regex": r"https://[a-z]+\.app\.example"},
            "https://eu.app.example",
            [("access-control-allow-origin", "https://eu.app.example"), VARY_ORIGIN],
        ),
        ({"allow_origins": ["*"]}, APP, [("access-control-allow-origin", "*")]),
        ({"allow_origins": ["*"]}, "null", [("access-control-allow-origin", "*")]),
        (
            {"allow_origins": [APP], "allow_credentials": True},
            APP,
            [ACAO_APP, CREDENTIALS, VARY_ORIGIN],
        ),
        (
            {"allow_origin_regex": r"https://.*", "allow_credentials": True},
            EVIL,
            [("access-control-allow-origin", EVIL), CREDENTIALS, VARY_ORIGIN],
        ),
        (
            {"allow_origins": [APP], "expose_headers": ["X-Total-Count", "X-Page"]},
            APP,
            [ACAO_APP, ("access-control-expose-headers", "X-Total-Count, X-Page"), VARY_ORIGIN],
        ),
        (
            {"allow_origins": ["*"], "expose_headers": "*"},
            APP,
            [("access-control-allow-origin", "*"), ("access-control-expose-headers", "*")],
        ),
        (
            {
                "allow_origins": [APP],
                "allow_credentials": True,
                "expose_headers": ["X-Total-Count"],
            },
            APP,
            [
                ACAO_APP,
                CREDENTIALS,
                ("access-control-expose-headers", "X-Total-Count"),
                VARY_ORIGIN,
            ],
        ),
    ],
)
def test_allowed_origin(options: dict[str, Any], origin: str, expected: Items) -> None:
    r = client(**options).get("/plain", headers={"origin": origin})
    assert (r.status_code, r.json()) == (200, {"ok": True})
    assert cors_items(r) == sorted(expected)


DISALLOWED = [
    ({"allow_origins": [APP]}, EVIL),
    ({"allow_origins": [APP]}, "http://app.example"),
    ({"allow_origins": [APP]}, "https://app.example:8443"),
    ({"allow_origins": [APP]}, "null"),
    ({"allow_origins": [APP + "/"]}, APP),
    ({"allow_origin_regex": r"https://[a-z]+\.app\.example"}, "https://eu.app.example.evil"),
    ({"allow_origin_regex": r"https://[a-z]+\.app\.example"}, "xhttps://eu.app.example"),
    ({"allow_origins": [APP], "allow_credentials": True, "expose_headers": ["X-Page"]}, EVIL),
]


@pytest.mark.parametrize(("options", "origin"), DISALLOWED)
def test_disallowed_origin_gets_only_vary_and_is_served(
    options: dict[str, Any], origin: str
) -> None:
    r = client(**options).get("/plain", headers={"origin": origin})
    assert (r.status_code, r.json()) == (200, {"ok": True})
    assert cors_items(r) == [VARY_ORIGIN]  # the answer depends on Origin


# Bytes no browser sends as an origin: control characters, non-ASCII, a list of origins.
MALFORMED_ORIGINS = [
    b"https://app.example\x01",
    b"https://app.example\x7f",
    b"https://app.example\x00",
    b"https://caf\xc3\xa9.example",
    b"https://app.example https://evil.example",
]
# Configurations that would allow the origins above if only their shape mattered.
ANY_ORIGIN_CONFIGS = [
    pytest.param({"allow_origin_regex": r"https://.*"}, [VARY_ORIGIN], id="regex"),
    pytest.param(
        {"allow_origin_regex": r".*", "allow_credentials": True}, [VARY_ORIGIN], id="regex-cred"
    ),
    pytest.param({"allow_origins": ["*"]}, [], id="any"),
    pytest.param({"allow_origins": ["*"], "allow_headers": ["*"]}, [], id="any-headers"),
]


@pytest.mark.parametrize("origin", MALFORMED_ORIGINS)
@pytest.mark.parametrize(("options", "expected"), ANY_ORIGIN_CONFIGS)
def test_malformed_origin_is_never_allowed_on_a_simple_request(
    options: dict[str, Any], expected: Items, origin: bytes
) -> None:
    r = client(**options).get("/plain", headers={b"origin": origin})
    assert (r.status_code, r.json()) == (200, {"ok": True})
    assert cors_items(r) == expected


@pytest.mark.parametrize("origin", MALFORMED_ORIGINS)
@pytest.mark.parametrize(("options", "vary"), ANY_ORIGIN_CONFIGS)
def test_malformed_origin_is_refused_in_a_preflight(
    options: dict[str, Any], vary: Items, origin: bytes
) -> None:
    request = {b"origin": origin, b"access-control-request-method": b"GET"}
    r = client(**options).options("/plain", headers=request)
    assert (r.status_code, r.text) == (400, "Disallowed CORS origin")
    assert cors_items(r) == vary


def test_disallowed_origin_still_varies_on_origin() -> None:
    r = client(allow_origins=[APP]).get("/vary?value=Accept", headers={"origin": EVIL})
    assert r.headers.get_list("vary") == ["Accept, Origin"]


@pytest.mark.parametrize(
    ("handler_vary", "expected"),
    [
        ("Accept-Encoding", "Accept-Encoding, Origin"),
        ("Cookie, Accept", "Cookie, Accept, Origin"),
        ("Origin", "Origin"),
        ("origin", "origin"),
        ("Origin, Accept", "Origin, Accept"),
        ("Accept, Origin", "Accept, Origin"),
    ],
)
def test_vary_origin_is_united_with_the_handlers_vary(handler_vary: str, expected: str) -> None:
    r = client(allow_origins=[APP]).get(
        "/vary", params={"value": handler_vary}, headers={"origin": APP}
    )
    assert r.headers.get_list("vary") == [expected]
    assert r.headers.get_list("access-control-allow-origin") == [APP]


def test_wildcard_origin_leaves_the_handlers_vary_alone() -> None:
    r = client(allow_origins=["*"]).get("/vary?value=Accept", headers={"origin": APP})
    assert cors_items(r) == [("access-control-allow-origin", "*"), ("vary", "Accept")]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"allow_origins": [APP]}, [ACAO_APP, VARY_ORIGIN]),
        ({"allow_origins": ["*"]}, [("access-control-allow-origin", "*")]),
        ({"allow_origins": [APP], "allow_credentials": True}, [ACAO_APP, CREDENTIALS, VARY_ORIGIN]),
    ],
)
def test_handler_set_allow_headers_are_replaced(options: dict[str, Any], expected: Items) -> None:
    r = client(**options).get("/own-cors", headers={"origin": APP})
    assert cors_items(r) == sorted(expected)


def test_handler_set_allow_headers_do_not_leak_to_a_disallowed_origin() -> None:
    r = client(allow_origins=[APP]).get("/own-cors", headers={"origin": EVIL})
    assert allow_items(r) == []


def test_cookies_and_headers_from_the_temporal_response_arrive_with_cors() -> None:
    c = client(allow_origins=[APP], allow_credentials=True, expose_headers=["X-Total-Count"])
    r = c.get("/cookie", headers={"origin": APP})
    assert (r.status_code, r.json()) == (200, [1, 2])
    assert r.headers.get_list("set-cookie") == ["sid=abc; Path=/; Secure; HttpOnly; SameSite=None"]
    assert r.headers.get_list("x-total-count") == ["2"]
    assert cors_items(r) == sorted(
        [ACAO_APP, CREDENTIALS, ("access-control-expose-headers", "X-Total-Count"), VARY_ORIGIN]
    )


# Errors ---------------------------------------------------------------------------------

ERROR_CORS = [ACAO_APP, CREDENTIALS, ("access-control-expose-headers", "X-Page")]


@pytest.mark.parametrize("via", ["add_middleware", "init"])
@pytest.mark.parametrize(
    ("method", "path", "status", "vary"),
    [
        ("GET", "/nowhere", 404, "Origin"),
        ("POST", "/plain", 405, "Origin"),
        ("OPTIONS", "/plain", 405, "Origin"),  # no Access-Control-Request-Method: not a preflight
        ("GET", "/teapot", 418, "Accept, Origin"),
        ("GET", "/number?n=x", 422, "Origin"),
        ("GET", "/crash", 500, "Origin"),
    ],
)
def test_error_responses_carry_cors_headers(
    via: str, method: str, path: str, status: int, vary: str
) -> None:
    c = client(via, allow_origins=[APP], allow_credentials=True, expose_headers=["X-Page"])
    r = c.request(method, path, headers={"origin": APP})
    assert r.status_code == status
    assert cors_items(r) == sorted([*ERROR_CORS, ("vary", vary)])


def test_not_a_preflight_reaches_the_router() -> None:
    r = client(allow_origins=[APP]).options("/plain", headers={"origin": APP})
    assert (r.status_code, r.json()) == (405, {"detail": "Method Not Allowed"})
    assert r.headers.get_list("allow") == ["GET"]


def test_error_details_survive() -> None:
    c = client(allow_origins=[APP])
    teapot = c.get("/teapot", headers={"origin": APP})
    assert teapot.headers.get_list("x-error") == ["yes"]
    crash = c.get("/crash", headers={"origin": APP})
    assert (crash.status_code, crash.text) == (500, "Internal Server Error")
    invalid = c.get("/number?n=x", headers={"origin": APP})
    assert [e["loc"] for e in invalid.json()["detail"]] == [["query", "n"]]


def test_constructor_middleware_behaves_like_add_middleware() -> None:
    options: dict[str, Any] = {"allow_origins": [APP], "allow_credentials": True}
    requests: list[tuple[str, str, dict[str, str]]] = [
        ("GET", "/cookie", {"origin": APP}),
        ("GET", "/cookie", {"origin": EVIL}),
        ("GET", "/crash", {"origin": APP}),
        ("OPTIONS", "/plain", {"origin": APP, "access-control-request-method": "GET"}),
        ("OPTIONS", "/plain", {"origin": EVIL, "access-control-request-method": "GET"}),
    ]
    added, init = client(**options), client("init", **options)
    for method, path, headers in requests:
        a, b = (
            added.request(method, path, headers=headers),
            init.request(method, path, headers=headers),
        )
        assert (a.status_code, a.content) == (b.status_code, b.content)
        assert a.headers.multi_items() == b.headers.multi_items()


# Preflight ------------------------------------------------------------------------------

BASE = {"allow_origins": [APP], "allow_methods": ["GET", "POST", "delete"]}


def answer(
    origin: str = APP,
    methods: str = "DELETE, GET, POST",
    max_age: str = "600",
    headers: str | None = SAFELISTED,
    credentials: bool = False,
    private: bool = False,
) -> Items:
    """The CORS headers of a successful preflight."""
    items = [
        ("access-control-allow-origin", origin),
        ("access-control-allow-methods", methods),
        ("access-control-max-age", max_age),
    ]
    items += [("access-control-allow-headers", headers)] if headers is not None else []
    items += [CREDENTIALS] if credentials else []
    items += [("access-control-allow-private-network", "true")] if private else []
    return sorted(items + ([] if origin == "*" else [VARY_ORIGIN]))


@pytest.mark.parametrize(
    ("options", "request_headers", "expected"),
    [
        (
            {**BASE, "allow_headers": ["X-Custom"], "allow_credentials": True, "max_age": 3600},
            {"method": "POST", "headers": "X-Custom, Content-Type"},
            answer(max_age="3600", headers=f"{SAFELISTED}, x-custom", credentials=True),
        ),
        ({**BASE, "max_age": 0}, {"method": "delete"}, answer(max_age="0")),
        ({"allow_origins": ["*"]}, {}, answer(origin="*", methods="GET")),
        (
            {"allow_origin_regex": r"https://[a-z]+\.example", "allow_methods": ["*"]},
            {"method": "PATCH"},
            answer(methods=ALL_METHODS),
        ),
        (
            {**BASE, "allow_headers": ["*"], "allow_credentials": True},
            {"headers": "X-Custom,  X-Other "},
            answer(headers="X-Custom, X-Other", credentials=True),
        ),
        ({**BASE, "allow_headers": ["*"]}, {}, answer(headers=None)),
        ({**BASE, "allow_private_network": True}, {"private": "true"}, answer(private=True)),
        ({**BASE, "allow_private_network": True}, {}, answer()),
        (BASE, {"private": "true"}, answer()),
    ],
)
def test_allowed_preflight(
    options: dict[str, Any], request_headers: dict[str, str], expected: Items
) -> None:
    r = preflight(client(**options), **request_headers)
    assert (r.status_code, r.text) == (200, "OK")
    assert cors_items(r) == expected


@pytest.mark.parametrize(
    ("options", "request_headers", "body", "vary"),
    [
        (BASE, {"origin": EVIL}, "origin", ["Origin"]),
        (BASE, {"method": "PUT"}, "method", ["Origin"]),
        ({"allow_origins": ["*"]}, {"method": "POST"}, "method", []),
        (BASE, {"headers": "X-Other"}, "headers", ["Origin"]),
        (
            {**BASE, "allow_headers": ["X-Custom"]},
            {"headers": "x-custom, X-Other"},
            "headers",
            ["Origin"],
        ),
        (
            {**BASE, "allow_private_network": True},
            {"origin": EVIL, "private": "true"},
            "origin",
            ["Origin"],
        ),
        (
            {**BASE, "allow_credentials": True},
            {"origin": EVIL, "method": "PUT", "headers": "X-Other"},
            "origin, method, headers",
            ["Origin"],
        ),
    ],
)
def test_disallowed_preflight_is_a_400_without_allow_headers(
    options: dict[str, Any], request_headers: dict[str, str], body: str, vary: list[str]
) -> None:
    r = preflight(client(**options), **request_headers)
    assert (r.status_code, r.text) == (400, f"Disallowed CORS {body}")
    assert allow_items(r) == []
    assert r.headers.get_list("vary") == vary


@pytest.mark.parametrize(
    ("requested", "echoed"),
    [
        (b"X-Ok, X\x01Bad, X-Other", ["X-Ok, X-Other"]),
        (b"X-Ok, X\x7fBad", ["X-Ok"]),
        (b"X-Caf\xc3\xa9, X-Ok", ["X-Ok"]),
        (b"X Space, X:Colon, X-Ok", ["X-Ok"]),
        (b"X\x01Bad", []),
    ],
)
@pytest.mark.parametrize(
    ("options", "origin"),
    [
        ({"allow_origin_regex": r"https://.*", "allow_headers": ["*"]}, APP),
        ({"allow_origins": ["*"], "allow_headers": ["*"]}, "*"),
        ({**BASE, "allow_headers": ["*"], "allow_credentials": True}, APP),
    ],
)
def test_requested_header_names_that_are_not_tokens_are_not_echoed(
    options: dict[str, Any], origin: str, requested: bytes, echoed: list[str]
) -> None:
    request = {
        b"origin": APP.encode(),
        b"access-control-request-method": b"GET",
        b"access-control-request-headers": requested,
    }
    r = client(**options).options("/plain", headers=request)
    assert (r.status_code, r.text) == (200, "OK")
    assert r.headers.get_list("access-control-allow-origin") == [origin]
    assert r.headers.get_list("access-control-allow-headers") == echoed


def test_requested_header_names_that_are_not_tokens_are_refused_when_listed() -> None:
    options: dict[str, Any] = {**BASE, "allow_headers": ["X-Ok"]}
    c = client(**options)
    r = preflight(c, headers="X-Ok, X-Ok\x01")
    assert (r.status_code, r.text) == (400, "Disallowed CORS headers")
    assert allow_items(r) == []


def test_preflight_is_answered_without_reaching_the_app() -> None:
    c = client(allow_origins=[APP])
    r = c.options("/nowhere", headers={"origin": APP, "access-control-request-method": "GET"})
    assert (r.status_code, r.text) == (200, "OK")
    # A non-OPTIONS request with Access-Control-Request-Method is a simple request.
    r = c.get("/plain", headers={"origin": APP, "access-control-request-method": "GET"})
    assert (r.status_code, r.json()) == (200, {"ok": True})
    assert cors_items(r) == [ACAO_APP, VARY_ORIGIN]


# Configuration --------------------------------------------------------------------------


def test_wildcard_origins_with_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="allow_origin_regex") as info:
        CORSMiddleware(make_app(via="none"), allow_origins=["*"], allow_credentials=True)
    assert "allow_credentials=True" in str(info.value)


@pytest.mark.parametrize(
    "option",
    [
        {"allow_origins": APP},
        {"allow_methods": "GET"},
        {"allow_headers": "X-Custom"},
        {"expose_headers": "X-Total-Count"},
    ],
)
def test_a_string_instead_of_a_list_is_refused(option: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="not a string"):
        CORSMiddleware(make_app(via="none"), **option)


@pytest.mark.parametrize(
    ("option", "bad"),
    [
        ({"allow_headers": ["X Custom"]}, "X Custom"),
        ({"allow_headers": ["X-Ok", "X:Custom"]}, "X:Custom"),
        ({"allow_headers": [""]}, ""),
        ({"allow_headers": ["X-Caf\u00e9"]}, "X-Caf\u00e9"),
        ({"expose_headers": ["X Total"]}, "X Total"),
        ({"allow_methods": ["GET POST"]}, "GET POST"),
    ],
)
def test_invalid_names_are_refused(option: dict[str, Any], bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid header or method name") as info:
        CORSMiddleware(make_app(via="none"), **option)
    assert repr(bad) in str(info.value)


def test_expose_all_with_credentials_warns() -> None:
    with pytest.warns(UserWarning, match=r"expose_headers='\*' with allow_credentials=True"):
        CORSMiddleware(
            make_app(via="none"), allow_origins=[APP], allow_credentials=True, expose_headers="*"
        )


# Other scopes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "incoming", "outgoing"),
    [
        (
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
            {"type": "lifespan.startup"},
            {"type": "lifespan.startup.complete"},
        ),
        (
            {"type": "websocket", "path": "/ws", "headers": [(b"origin", EVIL.encode())]},
            {"type": "websocket.connect"},
            {"type": "websocket.accept", "headers": [(b"x-a", b"1")]},
        ),
    ],
)
def test_other_scopes_pass_through(scope: Scope, incoming: Message, outgoing: Message) -> None:
    seen: list[tuple[Scope, Message]] = []
    sent: list[Message] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope, await receive()))
        await send(outgoing)

    async def receive() -> Message:
        return incoming

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = CORSMiddleware(inner, allow_origins=[APP], allow_credentials=True)
    anyio.run(middleware, scope, receive, send)
    assert len(seen) == 1
    assert seen[0][0] is scope
    assert seen[0][1] is incoming
    assert len(sent) == 1
    assert sent[0] is outgoing
