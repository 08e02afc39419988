from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from transom import Depends, Transom
from transom.testclient import TestClient

STATE: dict[str, str] = {}


@asynccontextmanager
async def lifespan(app: Transom) -> AsyncIterator[None]:
    STATE["greeting"] = "Hello"  # startup: runs when TestClient enters its `with`
    yield
    STATE.clear()  # shutdown


app = Transom(lifespan=lifespan)


def current_user() -> str:
    raise NotImplementedError("looks the user up in a database")


@app.get("/greet")
def greet(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
    return {"message": f"{STATE['greeting']}, {user}"}


def test_greet() -> None:
    app.dependency_overrides[current_user] = lambda: "ada"  # no database in tests
    try:
        with TestClient(app) as client:  # runs the lifespan
            response = client.get("/greet")
        assert response.status_code == 200
        assert response.json() == {"message": "Hello, ada"}
        assert response.headers["content-type"] == "application/json"
    finally:
        app.dependency_overrides.clear()


def test_an_unknown_path_is_a_404() -> None:
    client = TestClient(app)
    response = client.get("/greet/extra")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
