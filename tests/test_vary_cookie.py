"""`Vary: Cookie` on every response of a route that reads request cookies, and only there."""

from typing import Annotated

import httpx
import pytest

from transom import (
    Cookie,
    Depends,
    HTTPException,
    JSONResponse,
    Keyring,
    PlainTextResponse,
    Request,
    Response,
    Transom,
)
from transom.testclient import TestClient

app = Transom(keyring=Keyring(["k" * 32]))


@app.get("/param")
async def param(theme: Annotated[str, Cookie()]) -> str:
    return theme


@app.get("/optional")
async def optional(theme: Annotated[str | None, Cookie()] = None) -> str | None:
    return theme


@app.get("/sealed")
async def sealed(user: Annotated[str | None, Cookie(signed=True)] = None) -> str | None:
    return user


@app.get("/request")
async def from_request(request: Request) -> int:
    return len(request.cookies)


@app.get("/request-returns")
async def request_returns(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(request.cookies)), headers={"Vary": "Origin"})


@app.get("/request-raises")
async def request_raises(request: Request) -> None:
    if "session" not in request.cookies:
        raise HTTPException(401, "log in")


async def theme_dependency(theme: Annotated[str, Cookie()] = "light") -> str:
    return theme


@app.get("/dependency")
async def dependency(theme: Annotated[str, Depends(theme_dependency)]) -> str:
    return theme


@app.get("/own-vary")
async def own_vary(theme: Annotated[str, Cookie()], response: Response) -> str:
    response.headers["Vary"] = "Accept-Encoding, cookie"
    response.headers.append("Vary", "Origin")
    return theme


@app.get("/plain")
async def plain(response: Response) -> str:
    response.headers["Vary"] = "Accept"
    return "no cookies read"


@app.get("/none")
async def none() -> str:
    return "no cookies read"


def get(path: str, cookies: str | None = None) -> httpx.Response:
    with TestClient(app) as client:
        return client.get(path, headers={"cookie": cookies} if cookies else {})


@pytest.mark.parametrize(
    ("path", "cookies", "status"),
    [
        ("/param", "theme=dark", 200),
        ("/param", None, 422),
        ("/optional", None, 200),
        ("/sealed", "user=forged", 200),
        ("/request", "a=1", 200),
        ("/request", None, 200),
        ("/request-raises", None, 401),
        ("/dependency", None, 200),
    ],
)
def test_a_cookie_reading_route_varies_on_cookie(
    path: str, cookies: str | None, status: int
) -> None:
    response = get(path, cookies)
    assert response.status_code == status
    assert response.headers.get_list("vary") == ["Cookie"]


def test_the_routes_own_vary_is_united_without_duplicates() -> None:
    assert get("/own-vary", "theme=dark").headers.get_list("vary") == [
        "Accept-Encoding, cookie, Origin"
    ]
    assert get("/request-returns").headers.get_list("vary") == ["Origin, Cookie"]


@pytest.mark.parametrize("path", ["/plain", "/none"])
def test_a_route_that_reads_no_cookies_does_not_vary_on_them(path: str) -> None:
    response = get(path, "theme=dark")
    assert response.status_code == 200
    assert "cookie" not in response.headers.get("vary", "").lower()


def test_vary_is_sent_on_a_plain_response_class_route() -> None:
    other = Transom()

    @other.get("/", response_class=PlainTextResponse)
    async def text(theme: Annotated[str, Cookie()] = "x") -> str:
        return theme

    @other.get("/json")
    async def returned(theme: Annotated[str, Cookie()] = "x") -> JSONResponse:
        return JSONResponse({"theme": theme})

    with TestClient(other) as client:
        assert client.get("/").headers["vary"] == "Cookie"
        assert client.get("/json").headers["vary"] == "Cookie"
