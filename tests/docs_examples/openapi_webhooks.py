# OpenAPI webhooks: requests this API sends to URLs its users register.
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel

from transom import Security, Transom
from transom.security import HTTPBearer

app = Transom()
bearer = HTTPBearer()


class Subscription(BaseModel):
    username: str
    monthly_fee: float
    start_date: datetime


@app.webhooks.post("new-subscription")
def new_subscription(body: Subscription, token: Annotated[str, Security(bearer)]) -> None:
    """When a user subscribes, we POST this to the URL you registered for
    `new-subscription`, with your token as a bearer token."""


@app.get("/users/")
def read_users() -> list[str]:
    return ["Rick", "Morty"]
