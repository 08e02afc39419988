from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

api_key = APIKeyHeader(name="X-API-Key")


class Item(BaseModel):
    name: str
    price: float


ITEMS = {1: Item(name="hammer", price=9.5)}
router = APIRouter(prefix="/items", tags=["items"])


def check_key(key: Annotated[str, Depends(api_key)]) -> str:
    if key != "sesame":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Wrong key.")
    return key


@router.get("/{item_id}", response_model=Item)
def read_item(item_id: int, fields: Annotated[str | None, Query(max_length=20)] = None) -> Item:
    if item_id not in ITEMS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No item {item_id}.")
    return ITEMS[item_id]


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[Depends(check_key)])
def create_item(item: Item) -> dict[str, int]:
    item_id = max(ITEMS) + 1
    ITEMS[item_id] = item
    return {"id": item_id}


app = FastAPI(title="Shop")
app.include_router(router)
