# Server-Sent Events: ServerSentEvent with a comment, an event name, an id and a retry.
from collections.abc import AsyncIterable

from pydantic import BaseModel

from transom import Transom
from transom.sse import EventSourceResponse, ServerSentEvent

app = Transom()


class Item(BaseModel):
    name: str
    price: float


items = [
    Item(name="Plumbus", price=32.99),
    Item(name="Portal Gun", price=999.99),
    Item(name="Meeseeks Box", price=49.99),
]


@app.get("/items/stream", response_class=EventSourceResponse)
async def stream_items() -> AsyncIterable[ServerSentEvent]:
    yield ServerSentEvent(comment="stream of item updates")
    for i, item in enumerate(items):
        yield ServerSentEvent(data=item, event="item_update", id=str(i + 1), retry=5000)
