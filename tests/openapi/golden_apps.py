"""The apps whose OpenAPI documents are kept as golden files in `golden/`.

Each is a function that builds a fresh app, so a test that exercises one never
sees another test's cached document.
"""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import BaseModel, Field, computed_field

from transom import (
    APIRouter,
    Body,
    Cookie,
    Header,
    HTMLResponse,
    Path,
    PlainTextResponse,
    Query,
    RedirectResponse,
    Request,
    Response,
    ResponseCookie,
    ResponseHeader,
    Transom,
    status,
)
from transom.responses import JSONResponse

# items: parameters of every kind, a body, response models ----------------------------


class Item(BaseModel):
    """An item for sale.\fText after a form feed is for the code's readers only."""

    name: str = Field(min_length=1, max_length=80)
    price: float = Field(gt=0, description="The price in euros.")
    tags: list[str] = []
    description: str | None = None


class StoredItem(Item):
    """An item as stored, with its id."""

    id: int


ITEMS: dict[int, StoredItem] = {1: StoredItem(id=1, name="Lamp", price=25.0)}


def items_app() -> Transom:
    """A CRUD-ish items API: path, query, header and cookie parameters, bodies, models."""
    app = Transom(title="Items", version="2.1.0", description="Items for sale.")

    @app.get("/items", response_model=list[StoredItem])
    def list_items(
        q: Annotated[str | None, Query(max_length=50, description="Search text.")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        tag: Annotated[list[str] | None, Query(examples=[["red", "blue"]])] = None,
        old: Annotated[bool, Query(deprecated=True)] = False,
        secret: Annotated[str | None, Query(include_in_schema=False)] = None,
        x_request_id: Annotated[str | None, Header(pattern=r"^[0-9a-f]+$")] = None,
        session: Annotated[str | None, Cookie()] = None,
    ) -> list[StoredItem]:
        """List the items, optionally filtered.

        Uses `q` as a substring of the name.
        """
        return list(ITEMS.values())[:limit]

    @app.get("/items/{item_id}")
    def read_item(item_id: Annotated[int, Path(ge=1, description="The item id.")]) -> StoredItem:
        return ITEMS[item_id]

    @app.post("/items", status_code=status.HTTP_201_CREATED, response_model=StoredItem)
    def create_item(item: Item) -> StoredItem:
        stored = StoredItem(id=len(ITEMS) + 1, **item.model_dump())
        ITEMS[stored.id] = stored
        return stored

    @app.put("/items/{item_id}")
    def update_item(
        item_id: int,
        item: Item,
        importance: Annotated[int, Body(gt=0, description="How much it matters.")],
    ) -> StoredItem:
        stored = StoredItem(id=item_id, **item.model_dump())
        ITEMS[item_id] = stored
        return stored

    @app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
    def delete_item(item_id: int) -> None:
        ITEMS.pop(item_id, None)

    @app.post("/items/{item_id}/notes")
    def add_notes(item_id: int, notes: Annotated[list[str], Body(min_length=1)]) -> dict[str, int]:
        return {"count": len(notes)}

    def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    app.add_route("/health", health)
    return app


# routers: tags, prefixes, extra responses, status codes, response classes ----------------


class Message(BaseModel):
    detail: str


class User(BaseModel):
    username: str
    full_name: str | None = None


class Tags(enum.Enum):
    users = "users"
    admin = "admin"


def routers_app() -> Transom:
    """Routers with prefixes and tags, `responses=` extras and non-JSON responses."""
    app = Transom(
        title="Routers",
        summary="Routers, tags and responses.",
        openapi_tags=[
            {"name": "users", "description": "Operations with users."},
            {"name": "admin", "externalDocs": {"url": "https://example.com/admin"}},
        ],
        servers=[{"url": "https://api.example.com", "description": "Production"}],
        responses={500: {"description": "Something broke", "model": Message}},
    )
    users = APIRouter(prefix="/users", tags=[Tags.users], responses={404: {"model": Message}})

    @users.get("/", response_model=list[User])
    def list_users() -> list[User]:
        return []

    @users.get("/{username}", summary="Look up a user", response_description="The user")
    def get_user(username: str) -> User:
        """Not used: `summary=` is given, so this is the description only."""
        return User(username=username)

    @users.post("/", status_code=201, operation_id="createUser")
    def create_user(user: User) -> User:
        return user

    @users.delete("/{username}", status_code=204, deprecated=True)
    def delete_user(username: str) -> None:
        return None

    @users.get("/{username}/secret", include_in_schema=False)
    def secret(username: str) -> dict[str, str]:
        return {}

    admin = APIRouter(tags=["admin"], deprecated=True)

    @admin.post(
        "/reset",
        responses={
            403: {"description": "Not an admin", "model": Message},
            "4XX": {"description": "Any other client error"},
            "default": {"content": {"text/plain": {"schema": {"type": "string"}}}},
        },
        openapi_extra={"x-audit": True, "responses": {"200": {"description": "Reset done"}}},
    )
    def reset() -> dict[str, bool]:
        return {"reset": True}

    app.include_router(users)
    app.include_router(admin, prefix="/admin")

    @app.get("/", response_class=HTMLResponse, tags=["pages"])
    def home() -> str:
        return "<h1>Home</h1>"

    @app.get("/old", response_class=RedirectResponse, include_in_schema=True)
    def old() -> str:
        return "/"

    @app.api_route("/ping", methods=["GET", "HEAD"], response_class=PlainTextResponse)
    def ping() -> str:
        return "pong"

    @app.get("/hidden", include_in_schema=False)
    def hidden() -> None:
        return None

    return app


# declared headers and cookies: app -> router -> route, per status ------------------------

API_VERSION = ResponseHeader("X-API-Version", "The API version.", value="3")
RATE_LIMIT = ResponseHeader("X-Rate-Limit", "Requests left (app).", annotation=int)
SESSION = ResponseCookie("session", "Session id", httponly=True, secure=True, samesite="strict")


def declared_app() -> Transom:
    """Headers and cookies declared on the app, a router and routes, some per status."""
    app = Transom(
        title="Declared",
        response_headers=[API_VERSION, RATE_LIMIT],
        response_cookies=[ResponseCookie("visits", "Visits so far", max_age=3600)],
    )
    router = APIRouter(
        prefix="/items",
        response_headers=[
            ResponseHeader("x-rate-limit", "Requests left (router).", annotation=int),
            ResponseHeader(
                "WWW-Authenticate", "How to log in.", required=True, statuses=[401], value="Cookie"
            ),
        ],
        response_cookies=[SESSION],
    )

    @router.get(
        "",
        responses={401: {"model": Message}},
        response_headers=[
            ResponseHeader(
                "X-Total-Count",
                "Total items",
                annotation=int,
                required=True,
                example=42,
                statuses=["2XX"],
            ),
            ResponseHeader("Link", "Pagination links.", deprecated=True, statuses=["2XX"]),
        ],
        response_cookies=[
            ResponseCookie("login_attempts", "Failed logins", path="/items", statuses=[401]),
        ],
    )
    def list_items(response: Response) -> list[str]:
        response.headers["X-Total-Count"] = "2"
        return ["a", "b"]

    @router.post(
        "",
        status_code=201,
        response_headers=[
            ResponseHeader("X-RATE-LIMIT", "Requests left (route).", annotation=int),
            ResponseHeader("Location", "The new item.", required=True, statuses=[201]),
        ],
    )
    def create_item(name: Annotated[str, Body(embed=True)], response: Response) -> str:
        response.headers["Location"] = f"/items/{name}"
        return name

    @router.get("/raw", responses={200: {"headers": {"X-Total-Count": {"schema": {}}}}})
    def raw() -> JSONResponse:
        return JSONResponse([])

    app.include_router(router)
    return app


# schemas: shared and split models, names that collide, enums, computed fields ------------


class Color(enum.Enum):
    red = "red"
    green = "green"


class Order(BaseModel):
    """An order: its output schema has the computed total, its input does not."""

    quantity: int = 1
    unit_price: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> float:
        return self.quantity * self.unit_price


def _other_order_model() -> type[BaseModel]:
    class Order(BaseModel):
        """Another `Order`, from another scope: its name must not collide."""

        reference: str

    return Order


OtherOrder = _other_order_model()


def schemas_app() -> Transom:
    """Models shared between requests and responses, and models with the same name."""
    app = Transom(title="Schemas", docs_url=None, redoc_url=None)

    @app.post("/orders")
    def create_order(order: Order, color: Color = Color.red) -> Order:
        return order

    @app.get("/orders/{reference}", response_model=OtherOrder)
    def get_other(reference: str) -> dict[str, str]:
        return {"reference": reference}

    @app.get("/colors/{color}")
    def by_color(color: Color, limit: Annotated[int, Query(title="Page size")] = 5) -> list[Order]:
        return []

    return app


GOLDEN_APPS = {
    "items": items_app,
    "routers": routers_app,
    "declared": declared_app,
    "schemas": schemas_app,
}
