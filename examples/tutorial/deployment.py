import os

from transom import CookiePolicy, Keyring, Request, Transom
from transom.middleware.sessions import RedisSessionBackend, SessionMiddleware

app = Transom(
    keyring=Keyring.from_env("APP_KEYS"),  # newest key first: "new,old" while rotating
    cookie_policy=CookiePolicy(),  # every cookie Secure, HttpOnly, SameSite=Lax
    root_path=os.environ.get("ROOT_PATH", ""),  # the prefix the proxy serves the app under
)
app.add_middleware(
    SessionMiddleware,  # sealed with the app's key ring
    backend=RedisSessionBackend(url=os.environ["REDIS_URL"], absolute_timeout=24 * 3600),
)


@app.post("/login")
async def login(request: Request) -> dict[str, str]:
    request.session["user"] = "ada"
    request.session.regenerate()  # a new session id at login, against session fixation
    return {"user": "ada"}


@app.get("/me")
async def me(request: Request) -> dict[str, object]:
    return {
        "user": request.session.get("user"),
        "url": str(request.url),  # as the client asked for it, through the proxy
        "client": request.client.host if request.client else None,
    }
