from collections.abc import Iterator
from typing import Annotated

from transom import Depends, HTTPException, Response, Transom

app = Transom()
LOG: list[str] = []


class Pagination:
    def __init__(self, offset: int = 0, limit: int = 10) -> None:
        self.offset = offset
        self.limit = limit


def database() -> Iterator[dict[int, str]]:
    LOG.append("open")
    try:
        yield {1: "hammer", 2: "saw", 3: "drill"}  # the handler runs here
    finally:
        LOG.append("close")  # after the response was sent (scope="request")


def timed(response: Response) -> Iterator[None]:
    yield
    # scope="function": this runs before the response starts, so it may still set headers
    response.headers["X-Handled"] = "yes"


def item_or_404(item_id: int, db: Annotated[dict[int, str], Depends(database)]) -> str:
    if item_id not in db:
        raise HTTPException(404, f"No item {item_id}.")
    return db[item_id]


@app.get("/items", dependencies=[Depends(timed, scope="function")])
def list_items(
    page: Annotated[Pagination, Depends()],  # Depends() with no argument: the class itself
    db: Annotated[dict[int, str], Depends(database)],
) -> list[str]:
    return list(db.values())[page.offset : page.offset + page.limit]


@app.get("/items/{item_id}")
def read_item(name: Annotated[str, Depends(item_or_404)]) -> dict[str, str]:
    return {"name": name}
