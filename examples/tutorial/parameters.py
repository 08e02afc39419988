from typing import Annotated

from pydantic import BaseModel, Field

from transom import Body, Path, Query, Transom

app = Transom()


class Item(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)
    tags: list[str] = []


@app.get("/items/{item_id}")
def read_item(
    item_id: Annotated[int, Path(ge=1)],  # in the path template: a path parameter
    q: str | None = None,  # a scalar with a default: an optional query parameter
    limit: Annotated[int, Query(le=100)] = 10,  # a query parameter with a rule
) -> dict[str, object]:
    return {"item_id": item_id, "q": q, "limit": limit}


@app.put("/items/{item_id}")
def update_item(
    item_id: int,
    item: Item,  # a pydantic model: the JSON body
    note: Annotated[str, Body()] = "",  # a second body value: {"item": ..., "note": ...}
) -> dict[str, object]:
    return {"item_id": item_id, "name": item.name, "price": item.price, "note": note}
