"""The pydantic models shared by every pydantic-based app (and by the raw+pydantic floor)."""

from __future__ import annotations

from pydantic import BaseModel

#: S5 has this many static routes and as many parameterised ones.
S5_ROUTES = 100


class Item(BaseModel):
    id: int
    name: str
    price: float


class ItemWithSecret(Item):
    """What the S2 handler returns; the response model (`Item`) drops `secret`."""

    secret: str


class Order(BaseModel):
    id: int
    customer: str
    amount: float
    paid: bool
    tags: list[str]


#: S7's session secret, the same 32 bytes in every app (Litestar's AES-GCM key must be
#: 16, 24 or 32 bytes; Transom's keys at least 32).
S7_SECRET = "s7-bench-secret-0123456789abcdef"
assert len(S7_SECRET.encode()) == 32
