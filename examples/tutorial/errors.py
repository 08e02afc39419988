from transom import HTTPException, JSONResponse, Request, Response, Transom, status
from transom.exceptions import RequestValidationError

app = Transom()
ITEMS = {"hammer": 12}


class OutOfStock(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


@app.exception_handler(OutOfStock)
async def out_of_stock(request: Request, exc: OutOfStock) -> JSONResponse:
    return JSONResponse({"detail": f"{exc.name} is out of stock."}, status_code=409)


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # the default answer is a 422 with {"detail": exc.errors()}; this one also counts them
    return JSONResponse(
        {"detail": exc.errors(), "count": len(exc.errors())},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


@app.get("/items/{name}")
def read_item(name: str, response: Response) -> dict[str, object]:
    response.headers["X-Checked"] = "yes"  # kept on the error response (T7)
    if name not in ITEMS:
        raise HTTPException(404, f"No item {name!r}.", headers={"X-Error": "not-found"})
    return {"name": name, "stock": ITEMS[name]}


@app.post("/orders/{name}")
def order(name: str, quantity: int) -> dict[str, object]:
    if ITEMS.get(name, 0) < quantity:
        raise OutOfStock(name)
    ITEMS[name] -= quantity
    return {"name": name, "left": ITEMS[name]}
