from transom import Depends, Response, Transom

app = Transom()
ITEMS = {1: "hammer", 2: "saw", 3: "drill"}


def count_visit(response: Response) -> None:
    # a dependency receives the same temporal response as the handler
    response.headers["X-Served-By"] = "api-1"


@app.get("/items", dependencies=[Depends(count_visit)])
def list_items(response: Response, limit: int = 2) -> list[str]:
    response.headers["X-Total-Count"] = str(len(ITEMS))
    response.set_cookie("last-list", str(limit), max_age=3600, httponly=True)
    return list(ITEMS.values())[:limit]  # plain data: validated and serialised


@app.put("/items/{item_id}", status_code=200)
def put_item(item_id: int, name: str, response: Response) -> dict[str, object]:
    if item_id not in ITEMS:
        response.status_code = 201  # created, not replaced
        response.headers["Location"] = f"/items/{item_id}"
    ITEMS[item_id] = name
    return {"id": item_id, "name": name}
