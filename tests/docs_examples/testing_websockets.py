# mypy: disable-error-code="no-untyped-def"
# Testing WebSockets: the app of the page (its two tests are in tests/test_docs_websockets.py).
from transom import Transom
from transom.websockets import WebSocket

app = Transom()


@app.get("/")
async def read_main():
    return {"msg": "Hello World"}


@app.websocket("/ws")
async def websocket(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_json({"msg": "Hello WebSocket"})
    await websocket.close()
