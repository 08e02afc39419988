"""FastAPI documentation examples, ported by changing only the imports.

Each section follows one page of the FastAPI tutorial / advanced guide; the app
code is the documented code (with type annotations for mypy, and `str` instead of
`EmailStr`, which needs the optional `email-validator` package).
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

from pydantic import BaseModel

from transom import Depends, HTTPException, JSONResponse, Request, Response, Transom, status
from transom.encoders import jsonable_encoder
from transom.exceptions import HTTPException as StarletteHTTPException
from transom.exceptions import RequestValidationError
from transom.responses import PlainTextResponse
from transom.testclient import TestClient

# advanced/response-cookies ---------------------------------------------------------------


def test_response_cookies() -> None:
    app = Transom()

    @app.post("/cookie-and-object/")
    def create_cookie(response: Response) -> dict[str, str]:
        response.set_cookie(key="fakesession", value="fake-cookie-session-value")
        return {"message": "Come to the dark side, we have cookies"}

    @app.post("/cookie/")
    def create_cookie_response() -> Response:
        content = {"message": "Come to the dark side, we have cookies"}
        response = JSONResponse(content=content)
        response.set_cookie(key="fakesession", value="fake-cookie-session-value")
        return response

    client = TestClient(app)
    for path in ("/cookie-and-object/", "/cookie/"):
        r = client.post(path)
        assert r.status_code == 200
        assert r.json() == {"message": "Come to the dark side, we have cookies"}
        assert r.cookies["fakesession"] == "fake-cookie-session-value"
        assert r.headers.get_list("set-cookie") == [
            "fakesession=fake-cookie-session-value; Path=/; SameSite=Lax"
        ]


# advanced/response-headers ---------------------------------------------------------------


def test_response_headers() -> None:
    app = Transom()

    @app.get("/headers-and-object/")
    def get_headers(response: Response) -> dict[str, str]:
        response.headers["X-Cat-Dog"] = "alone in the world"
        return {"message": "Hello World"}

    @app.get("/headers/")
    def get_headers_response() -> Response:
        content = {"message": "Hello World"}
        headers = {"X-Cat-Dog": "alone in the world", "Content-Language": "en-US"}
        return JSONResponse(content=content, headers=headers)

    client = TestClient(app)
    r = client.get("/headers-and-object/")
    assert r.json() == {"message": "Hello World"}
    assert r.headers["x-cat-dog"] == "alone in the world"
    r = client.get("/headers/")
    assert r.json() == {"message": "Hello World"}
    assert r.headers["x-cat-dog"] == "alone in the world"
    assert r.headers["content-language"] == "en-US"


# advanced/response-change-status-code ----------------------------------------------------


def test_response_change_status_code() -> None:
    app = Transom()
    tasks = {"foo": "Listen to the Bar Fighters"}

    @app.put("/get-or-create-task/{task_id}", status_code=200)
    def get_or_create_task(task_id: str, response: Response) -> str:
        if task_id not in tasks:
            tasks[task_id] = "This didn't exist before"
            response.status_code = status.HTTP_201_CREATED
        return tasks[task_id]

    client = TestClient(app)
    r = client.put("/get-or-create-task/foo")
    assert (r.status_code, r.json()) == (200, "Listen to the Bar Fighters")
    r = client.put("/get-or-create-task/bar")
    assert (r.status_code, r.json()) == (201, "This didn't exist before")
    r = client.put("/get-or-create-task/bar")
    assert (r.status_code, r.json()) == (200, "This didn't exist before")


# tutorial/response-model -----------------------------------------------------------------


class UserIn(BaseModel):
    username: str
    password: str
    email: str
    full_name: str | None = None


class UserOut(BaseModel):
    username: str
    email: str
    full_name: str | None = None


class BaseUser(BaseModel):
    username: str
    email: str
    full_name: str | None = None


class UserInFromBase(BaseUser):
    password: str


class Item(BaseModel):
    name: str
    description: str | None = None
    price: float
    tax: float = 10.5
    tags: list[str] = []


def test_response_model_drops_the_password() -> None:
    app = Transom()

    @app.post("/user/", response_model=UserOut)
    async def create_user(user: UserIn) -> Any:
        return user

    @app.post("/user-from-base/")
    async def create_user_from_base(user: UserInFromBase) -> BaseUser:
        return user

    client = TestClient(app)
    body = {"username": "foo", "password": "secret", "email": "foo@example.com"}
    for path in ("/user/", "/user-from-base/"):
        r = client.post(path, json=body)
        assert r.status_code == 200
        assert r.json() == {"username": "foo", "email": "foo@example.com", "full_name": None}
        assert "secret" not in r.text


def test_response_model_exclude_unset() -> None:
    app = Transom()
    items = {
        "foo": {"name": "Foo", "price": 50.2},
        "bar": {"name": "Bar", "description": "The bartenders", "price": 62, "tax": 20.2},
        "baz": {"name": "Baz", "description": None, "price": 50.2, "tax": 10.5, "tags": []},
    }

    @app.get("/items/{item_id}", response_model=Item, response_model_exclude_unset=True)
    async def read_item(item_id: str) -> Any:
        return items[item_id]

    client = TestClient(app)
    assert client.get("/items/foo").json() == {"name": "Foo", "price": 50.2}
    assert client.get("/items/bar").json() == {
        "name": "Bar",
        "description": "The bartenders",
        "price": 62.0,
        "tax": 20.2,
    }
    assert client.get("/items/baz").json() == items["baz"]


# tutorial/dependencies/dependencies-with-yield -------------------------------------------


class DBSession:
    log: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.log.append("open")

    def close(self) -> None:
        self.log.append("close")


def test_dependency_with_yield_get_db() -> None:
    app = Transom()
    DBSession.log = []

    async def get_db() -> AsyncIterator[DBSession]:
        db = DBSession()
        try:
            yield db
        finally:
            db.close()

    @app.get("/items/")
    def read_items(db: DBSession = Depends(get_db)) -> list[str]:  # noqa: B008
        db.log.append("query")
        return ["item"]

    assert TestClient(app).get("/items/").json() == ["item"]
    assert DBSession.log == ["open", "query", "close"]


def test_dependency_with_yield_and_http_exception() -> None:
    app = Transom()
    data = {
        "plumbus": {"description": "Freshly pickled plumbus", "owner": "Morty"},
        "portal-gun": {"description": "Gun to create portals", "owner": "Rick"},
    }

    class OwnerError(Exception):
        pass

    def get_username() -> Iterator[str]:
        try:
            yield "Rick"
        except OwnerError as e:
            raise HTTPException(status_code=400, detail=f"Owner error: {e}") from e

    @app.get("/items/{item_id}")
    def get_item(item_id: str, username: str = Depends(get_username)) -> dict[str, str]:
        if item_id not in data:
            raise HTTPException(status_code=404, detail="Item not found")
        item = data[item_id]
        if item["owner"] != username:
            raise OwnerError(username)
        return item

    client = TestClient(app)
    r = client.get("/items/portal-gun")
    assert (r.status_code, r.json()) == (200, data["portal-gun"])
    r = client.get("/items/plumbus")
    assert (r.status_code, r.json()) == (400, {"detail": "Owner error: Rick"})
    r = client.get("/items/nope")
    assert (r.status_code, r.json()) == (404, {"detail": "Item not found"})


def test_sub_dependencies_with_yield_exit_in_reverse_order() -> None:
    app = Transom()
    log: list[str] = []

    async def dependency_a() -> AsyncIterator[str]:
        log.append("a")
        yield "A"
        log.append("exit a")

    async def dependency_b(dep_a: str = Depends(dependency_a)) -> AsyncIterator[str]:
        log.append("b")
        yield dep_a + "B"
        log.append(f"exit b with {dep_a}")

    async def dependency_c(dep_b: str = Depends(dependency_b)) -> AsyncIterator[str]:
        log.append("c")
        yield dep_b + "C"
        log.append(f"exit c with {dep_b}")

    @app.get("/")
    def handler(dep_c: str = Depends(dependency_c)) -> str:
        return dep_c

    assert TestClient(app).get("/").json() == "ABC"
    assert log == ["a", "b", "c", "exit c with AB", "exit b with A", "exit a"]


# tutorial/handling-errors ----------------------------------------------------------------


def test_http_exception_and_headers() -> None:
    app = Transom()
    items = {"foo": "The Foo Wrestlers"}

    @app.get("/items/{item_id}")
    async def read_item(item_id: str) -> dict[str, str]:
        if item_id not in items:
            raise HTTPException(status_code=404, detail="Item not found")
        return {"item": items[item_id]}

    @app.get("/items-header/{item_id}")
    async def read_item_header(item_id: str) -> dict[str, str]:
        if item_id not in items:
            raise HTTPException(
                status_code=404,
                detail="Item not found",
                headers={"X-Error": "There goes my error"},
            )
        return {"item": items[item_id]}

    client = TestClient(app)
    assert client.get("/items/foo").json() == {"item": "The Foo Wrestlers"}
    r = client.get("/items/bar")
    assert (r.status_code, r.json()) == (404, {"detail": "Item not found"})
    r = client.get("/items-header/bar")
    assert (r.status_code, r.json()) == (404, {"detail": "Item not found"})
    assert r.headers["x-error"] == "There goes my error"


class UnicornException(Exception):
    def __init__(self, name: str):
        self.name = name


def test_custom_exception_handler_unicorn() -> None:
    app = Transom()

    @app.exception_handler(UnicornException)
    async def unicorn_exception_handler(request: Request, exc: UnicornException) -> Response:
        return JSONResponse(
            status_code=418,
            content={"message": f"Oops! {exc.name} did something. There goes a rainbow..."},
        )

    @app.get("/unicorns/{name}")
    async def read_unicorn(name: str) -> dict[str, str]:
        if name == "yolo":
            raise UnicornException(name=name)
        return {"unicorn_name": name}

    client = TestClient(app)
    assert client.get("/unicorns/shinny").json() == {"unicorn_name": "shinny"}
    r = client.get("/unicorns/yolo")
    assert r.status_code == 418
    assert r.json() == {"message": "Oops! yolo did something. There goes a rainbow..."}


def test_override_default_exception_handlers() -> None:
    app = Transom()

    @app.exception_handler(StarletteHTTPException)
    async def http_exception_handler(request: Request, exc: StarletteHTTPException) -> Response:
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_exception_handler(
        request: Request, exc: RequestValidationError
    ) -> Response:
        message = "Validation errors:"
        for error in exc.errors():
            message += f"\nField: {error['loc']}, Error: {error['msg']}"
        return PlainTextResponse(message, status_code=400)

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict[str, int]:
        if item_id == 3:
            raise HTTPException(status_code=418, detail="Nope! I don't like 3.")
        return {"item_id": item_id}

    client = TestClient(app)
    assert client.get("/items/2").json() == {"item_id": 2}
    r = client.get("/items/3")
    assert (r.status_code, r.text) == (418, "Nope! I don't like 3.")
    r = client.get("/items/foo")
    assert r.status_code == 400
    assert r.text == (
        "Validation errors:\nField: ('path', 'item_id'), Error: Input should be a valid "
        "integer, unable to parse string as an integer"
    )
    r = client.get("/nowhere")
    assert (r.status_code, r.text) == (404, "Not Found")


def test_use_the_request_validation_error_body() -> None:
    app = Transom()

    @app.exception_handler(RequestValidationError)
    async def validation_exception_handler(
        request: Request, exc: RequestValidationError
    ) -> Response:
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
            content=jsonable_encoder({"detail": exc.errors(), "body": exc.body}),
        )

    class Payload(BaseModel):
        title: str
        size: int

    @app.post("/items/")
    async def create_item(item: Payload) -> Payload:
        return item

    r = TestClient(app).post("/items/", json={"title": "towel", "size": "XL"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "size"]
    assert r.json()["body"] == {"title": "towel", "size": "XL"}
