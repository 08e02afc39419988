"""Transom: idiomatic path operations, as a FastAPI user would write them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from transom import Depends, Form, Header, Query, Request, Response, Transom, UploadFile
from transom.middleware.sessions import SessionMiddleware

from apps.models import S5_ROUTES, S7_SECRET, Item, ItemWithSecret, Order

app = Transom()


# S1: a path parameter and a response model.
@app.get("/s1/items/{id}")
async def s1_item(id: int) -> Item:
    return Item(id=id, name=f"item {id}", price=9.5)


# S2: the temporal response gets 2 cookies and 2 headers; the model drops `secret`.
@app.get("/s2/items/{id}", response_model=Item)
async def s2_item(id: int, response: Response) -> ItemWithSecret:
    response.set_cookie("session", "abc123", httponly=True, samesite="lax")
    response.set_cookie("theme", "dark", max_age=3600, samesite=None)
    response.headers["X-Request-Id"] = "42"
    response.headers["X-Cache"] = "miss"
    return ItemWithSecret(id=id, name=f"item {id}", price=9.5, secret="s3cr3t")


# S3: a dependency shapes the response; query and header parameters.
async def mark_dependency(response: Response) -> None:
    response.headers["X-Dep"] = "1"


@app.get("/s3/search", dependencies=[Depends(mark_dependency)])
async def s3_search(
    q: Annotated[str, Query()], x_token: Annotated[str, Header()]
) -> dict[str, str]:
    return {"q": q, "token": x_token}


# S4: a JSON body validated by a model and echoed back.
@app.post("/s4/orders")
async def s4_order(order: Order) -> Order:
    return order


# S10: a strong ETag of the serialised body; a matching If-None-Match gets a 304.
@app.get("/s10/items/{id}", etag=True)
async def s10_item(id: int) -> Item:
    return Item(id=id, name=f"item {id}", price=9.5)


# S5: 100 static and 100 parameterised routes.
def _static(i: int) -> Callable[[], Awaitable[dict[str, int]]]:
    async def endpoint() -> dict[str, int]:
        return {"r": i}

    return endpoint


def _param(i: int) -> Callable[[str], Awaitable[dict[str, int | str]]]:
    async def endpoint(x: str) -> dict[str, int | str]:
        return {"r": i, "x": x}

    return endpoint


for _i in range(S5_ROUTES):
    app.get(f"/s5/static/r{_i}")(_static(_i))
    app.get(f"/s5/param/r{_i}/{{x}}")(_param(_i))


# S6: a multipart form, three text fields and a file; the route takes bodies up to 2 MiB.
@app.post("/s6/upload", max_body_size=2 * 1024 * 1024)
async def s6_upload(
    a: Annotated[str, Form()],
    b: Annotated[str, Form()],
    c: Annotated[str, Form()],
    file: UploadFile,
) -> dict[str, int | None]:
    return {"a": len(a), "b": len(b), "c": len(c), "size": file.size}


# S7: a signed session read and re-written per request. Session middleware wraps a
# whole app, so S7 has an app of its own: the other scenarios do not pay for it.
s7_app = Transom()
s7_app.add_middleware(SessionMiddleware, secret_key=S7_SECRET)  # signed cookie backend


@s7_app.get("/s7/session")
async def s7_session(request: Request) -> dict[str, int]:
    count: int = request.session.get("count", 0) + 1
    request.session["count"] = count
    return {"count": count}
