"""The app the two-instance session test runs twice under uvicorn, sharing one Redis.

Configured from the environment: `SESSION_REDIS_URL` and `APP_KEYS`.
"""

from __future__ import annotations

import os
from typing import Any

from transom import Keyring, Request, Transom
from transom.middleware.sessions import RedisSessionBackend, SessionMiddleware

app = Transom(keyring=Keyring.from_env("APP_KEYS"))
app.add_middleware(
    SessionMiddleware, backend=RedisSessionBackend(url=os.environ["SESSION_REDIS_URL"])
)


@app.post("/login/{user}")
async def login(user: str, request: Request) -> dict[str, Any]:
    request.session["user"] = user
    request.session.regenerate()
    return {"instance": os.environ.get("INSTANCE")}


@app.get("/me")
async def me(request: Request) -> dict[str, Any]:
    return {"user": request.session.get("user"), "instance": os.environ.get("INSTANCE")}


@app.post("/logout")
async def logout(request: Request) -> dict[str, Any]:
    request.session.clear()
    return {"instance": os.environ.get("INSTANCE")}
