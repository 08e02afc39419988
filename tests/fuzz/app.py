"""The app the request-path properties drive: one of each way a request reaches a handler.

Path, query, header and cookie parameters; a JSON body model and a list body; a
dependency that sets cookies and headers on the temporal response; route-level
and yield dependencies; a handler that returns one module-level `Response` for
every request; a `{rest:path}` route; streamed and body-less answers; an
`HTTPException` raised after cookies were set; CORS outside the error layer.

Every handler is written the way a careful user would write it: whatever the
client sends, the handler itself never fails, so any 5xx is the framework's.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

from pydantic import BaseModel, Field

from transom import (
    Body,
    Cookie,
    Depends,
    Header,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    Query,
    Response,
    StreamingResponse,
    Transom,
)
from transom.middleware.cors import CORSMiddleware

__all__ = [
    "ALLOWED_ORIGIN",
    "ALLOWED_ORIGIN_REGEX",
    "SHARED",
    "SHARED_HEADERS",
    "Item",
    "app",
    "user_token",
]

ALLOWED_ORIGIN = "https://app.example"
ALLOWED_ORIGIN_REGEX = r"https://[a-z0-9-]+\.example\.org"


def user_token(user: str) -> str:
    """The cookie-safe token of a user id: the id itself when it is alphanumeric ASCII."""
    if user.isascii() and user.isalnum() and len(user) <= 64:
        return user
    return hashlib.sha256(user.encode("utf-8", "replace")).hexdigest()[:32]


class Item(BaseModel):
    name: str = Field(max_length=64)
    price: float = Field(ge=0)
    tags: list[str] = []


#: One response object returned for every request to `/shared`: the temporal cookies
#: of a request must go into what that request sends, never into this object.
SHARED = PlainTextResponse("shared", headers={"cache-control": "private, max-age=60"})
SHARED_HEADERS = list(SHARED.raw_headers)


async def session(
    response: Response,
    x_user: Annotated[str, Header()] = "anonymous",
    theme: Annotated[str | None, Cookie()] = None,
) -> str:
    """Identify the caller and set its cookies and headers on the temporal response."""
    token = user_token(x_user)
    response.set_cookie("session", token, httponly=True)
    response.set_cookie("uid", token, path="/", max_age=3600)
    if theme is not None:
        response.set_cookie("theme", user_token(theme), path="/items")
    response.headers["x-user"] = token
    response.headers.add_vary_header("X-User")
    return token


def stamp(response: Response) -> None:
    """A route-level dependency (`dependencies=[...]`)."""
    response.headers["x-served-by"] = "fuzz"


async def timed(response: Response) -> AsyncIterator[None]:
    """A yield dependency whose code after `yield` runs before the start (scope='function')."""
    response.headers["x-phase"] = "before"
    yield
    response.headers["x-phase"] = "after"


app = Transom(dependencies=[Depends(stamp)])
app.add_middleware(
    CORSMiddleware,
    allow_origins=[ALLOWED_ORIGIN],
    allow_origin_regex=ALLOWED_ORIGIN_REGEX,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
    expose_headers=["x-user"],
)

User = Annotated[str, Depends(session)]


@app.get("/items/{item_id}")
async def read_item(
    item_id: int,
    user: User,
    q: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI's idiom; never mutated
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    x_token: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    return {"id": item_id, "user": user, "q": q, "tag": tag, "limit": limit, "token": x_token}


@app.post("/items", status_code=201)
async def create_item(item: Item, user: User) -> Item:
    return item


@app.put("/items/{item_id}")
async def replace_item(
    item_id: int,
    item: Item,
    note: Annotated[str, Body(max_length=100)] = "",
    _timed: Annotated[None, Depends(timed, scope="function")] = None,
) -> dict[str, Any]:
    return {"id": item_id, "item": item.model_dump(), "note": note}


@app.post("/bulk")
async def bulk(values: Annotated[list[Any], Body()], user: User) -> dict[str, int]:
    return {"count": len(values)}


@app.delete("/items/{item_id}", status_code=204)
async def delete_item(item_id: int, user: User) -> None:
    return None


@app.get("/shared")
async def shared(user: User) -> Response:
    return SHARED


@app.get("/files/{rest:path}")
async def files(rest: str, response: Response) -> PlainTextResponse:
    response.headers["x-rest-length"] = str(len(rest))
    return PlainTextResponse(rest)


@app.get("/stream")
async def stream(count: Annotated[int, Query(ge=0, le=20)] = 3) -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for index in range(count):
            yield f"{index}\n".encode()

    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/private")
async def private(user: User, response: Response) -> JSONResponse:
    response.set_cookie("attempt", "1")
    if user == "anonymous":
        raise HTTPException(401, "Sign in first.", headers={"WWW-Authenticate": "Bearer"})
    return JSONResponse({"user": user})
