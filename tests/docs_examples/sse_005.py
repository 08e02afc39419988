# Server-Sent Events: a POST with a body streams tokens, then a raw "[DONE]".
from collections.abc import AsyncIterable

from pydantic import BaseModel

from transom import Transom
from transom.sse import EventSourceResponse, ServerSentEvent

app = Transom()


class Prompt(BaseModel):
    text: str


@app.post("/chat/stream", response_class=EventSourceResponse)
async def stream_chat(prompt: Prompt) -> AsyncIterable[ServerSentEvent]:
    words = prompt.text.split()
    for word in words:
        yield ServerSentEvent(data=word, event="token")
    yield ServerSentEvent(raw_data="[DONE]", event="done")
