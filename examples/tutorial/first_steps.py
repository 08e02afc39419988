from transom import Transom

app = Transom(title="My first API")


@app.get("/")
def hello() -> dict[str, str]:
    return {"message": "Hello, world"}


@app.get("/items/{item_id}")
def read_item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}
