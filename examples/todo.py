"""A todo API with JWT authentication: the shape of a typical FastAPI app, ported.

Users register with a password (hashed with pwdlib's Argon2) and log in through
the OAuth2 password form, in one of two ways:

- `POST /token` answers with a bearer token (a JWT signed with PyJWT), which a
  client sends as `Authorization: Bearer ...` (what `/docs` does after
  **Authorize**). The form's `scope` asks for `todos:read` and/or `todos:write`.
- `POST /session` sets the same kind of token as an HttpOnly, Secure,
  SameSite=Lax cookie on the temporal response, for a browser front end that
  should never see the token. A failed login sets no cookie (contract T7).

Every todo route requires a scope, through `Security(current_user, scopes=[...])`;
a token without it is a 403 naming the scope (RFC 6750). `POST /logout` revokes
the token it was called with (by its `jti`) and deletes the cookie. All data
lives in memory; the signing key comes from `TODO_SECRET_KEY`, or is made at
startup (tokens then die with the process).

    transom run examples.todo:app
"""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from pwdlib import PasswordHash
from pydantic import BaseModel, Field

from transom import (
    Depends,
    HTTPException,
    Response,
    ResponseCookie,
    ResponseHeader,
    Security,
    Transom,
    status,
)
from transom.security import (
    APIKeyCookie,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    SecurityScopes,
)

SECRET_KEY = os.environ.get("TODO_SECRET_KEY") or secrets.token_hex(32)
ALGORITHM = "HS256"
TOKEN_LIFETIME = timedelta(minutes=30)
SCOPES = {"todos:read": "Read your todos.", "todos:write": "Create, change and delete your todos."}

SESSION = ResponseCookie(
    "session",
    "The access token, for browsers: HttpOnly, so scripts never see it.",
    secure=True,
    httponly=True,
    samesite="lax",
    max_age=int(TOKEN_LIFETIME.total_seconds()),
)

app = Transom(
    title="Transom todos",
    description="Todos behind OAuth2 password login: bearer tokens or a session cookie.",
    version="1.0.0",
)

bearer = OAuth2PasswordBearer(tokenUrl="token", scopes=SCOPES, auto_error=False)
session_cookie = APIKeyCookie(
    name="session", description="Set by `POST /session`.", auto_error=False
)
password_hash = PasswordHash.recommended()
#: Checked against when the user does not exist, so both answers take as long.
DUMMY_HASH = password_hash.hash("not a password anyone has")

USERS: dict[str, dict[str, Any]] = {}
TODOS: dict[int, dict[str, Any]] = {}
REVOKED: set[str] = set()


class NewUser(BaseModel):
    username: str = Field(min_length=3, max_length=30, pattern=r"^[a-z0-9_]+$")
    password: str = Field(min_length=8, max_length=200)


class User(BaseModel):
    username: str


class Token(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class TodoIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class TodoPatch(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    done: bool | None = None


class Todo(BaseModel):
    id: int
    title: str
    done: bool


class Claims(BaseModel):
    """What an access token says: whose it is, what it may do, and its id for revoking."""

    sub: str
    scope: str
    jti: str


# Tokens ---------------------------------------------------------------------------------


def authenticate(form: OAuth2PasswordRequestForm) -> str:
    """The username whose password the form carries; 400 otherwise (RFC 6749, 5.2)."""
    user = USERS.get(form.username)
    hashed = user["hashed_password"] if user else DUMMY_HASH
    if not password_hash.verify(form.password, hashed) or user is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Incorrect username or password")
    return form.username


def granted_scopes(requested: list[str]) -> list[str]:
    """The scopes a login asked for (all of them when it asked for none)."""
    unknown = [scope for scope in requested if scope not in SCOPES]
    if unknown:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Unknown scope {unknown[0]!r}.")
    return requested or list(SCOPES)


def issue_token(username: str, scopes: list[str]) -> Token:
    now = datetime.now(UTC)
    claims = {
        "sub": username,
        "scope": " ".join(scopes),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
    }
    return Token(
        access_token=jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM),
        token_type="bearer",
        expires_in=int(TOKEN_LIFETIME.total_seconds()),
        scope=" ".join(scopes),
    )


def current_claims(
    security_scopes: SecurityScopes,
    token: Annotated[str | None, Depends(bearer)],
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> Claims:
    """The claims of the request's token (the `Authorization` header first, then the
    cookie), which must carry every scope the route requires."""
    challenge = "Bearer"
    if security_scopes.scopes:
        challenge = f'Bearer scope="{security_scopes.scope_str}"'
    raw = token or cookie
    if not raw:
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": challenge})
    try:
        claims = Claims.model_validate(jwt.decode(raw, SECRET_KEY, algorithms=[ALGORITHM]))
    except (jwt.InvalidTokenError, ValueError):
        claims = None
    if claims is None or claims.jti in REVOKED or claims.sub not in USERS:
        raise HTTPException(
            401,
            "Could not validate credentials",
            headers={"WWW-Authenticate": f'{challenge}, error="invalid_token"'},
        )
    missing = [scope for scope in security_scopes.scopes if scope not in claims.scope.split()]
    if missing:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"This token lacks the scope {missing[0]!r}.",
            headers={"WWW-Authenticate": f'{challenge}, error="insufficient_scope"'},
        )
    return claims


def current_user(claims: Annotated[Claims, Security(current_claims)]) -> str:
    return claims.sub


Reader = Annotated[str, Security(current_user, scopes=["todos:read"])]
Writer = Annotated[str, Security(current_user, scopes=["todos:write"])]


# Accounts and logins --------------------------------------------------------------------


@app.post("/users", status_code=status.HTTP_201_CREATED)
def register(body: NewUser) -> User:
    """Create an account."""
    if body.username in USERS:
        raise HTTPException(status.HTTP_409_CONFLICT, f"{body.username!r} is taken.")
    USERS[body.username] = {"hashed_password": password_hash.hash(body.password)}
    return User(username=body.username)


@app.post("/token")
def login_for_token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """The OAuth2 password flow: a bearer token with the scopes the form asks for."""
    username = authenticate(form)
    return issue_token(username, granted_scopes(form.scopes))


@app.post("/session", response_cookies=[SESSION])
def login_for_session(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], response: Response
) -> User:
    """The same login for a browser: the token goes into an HttpOnly cookie."""
    username = authenticate(form)
    token = issue_token(username, granted_scopes(form.scopes))
    response.set_cookie(
        "session",
        token.access_token,
        max_age=SESSION.max_age,
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return User(username=username)


@app.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_cookies=[SESSION])
def logout(claims: Annotated[Claims, Security(current_claims)], response: Response) -> None:
    """Revoke the token this request carries, and delete the session cookie."""
    REVOKED.add(claims.jti)
    response.delete_cookie("session")


@app.get("/users/me")
def read_me(username: Annotated[str, Security(current_user)]) -> User:
    return User(username=username)


# Todos ----------------------------------------------------------------------------------


def owned_todo(todo_id: int, username: str) -> dict[str, Any]:
    """The user's todo `todo_id`; another user's is as missing as one that never was."""
    todo = TODOS.get(todo_id)
    if todo is None or todo["owner"] != username:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Todo {todo_id} does not exist.")
    return todo


@app.get("/todos")
def list_todos(username: Reader) -> list[Todo]:
    return [Todo.model_validate(todo) for todo in TODOS.values() if todo["owner"] == username]


@app.post(
    "/todos",
    status_code=status.HTTP_201_CREATED,
    response_headers=[ResponseHeader("Location", "The new todo.", required=True, statuses=[201])],
)
def create_todo(body: TodoIn, username: Writer, response: Response) -> Todo:
    todo_id = max(TODOS, default=0) + 1
    TODOS[todo_id] = {"id": todo_id, "owner": username, "title": body.title, "done": False}
    response.headers["Location"] = f"/todos/{todo_id}"
    return Todo.model_validate(TODOS[todo_id])


@app.get("/todos/{todo_id}")
def read_todo(todo_id: int, username: Reader) -> Todo:
    return Todo.model_validate(owned_todo(todo_id, username))


@app.patch("/todos/{todo_id}")
def update_todo(todo_id: int, body: TodoPatch, username: Writer) -> Todo:
    todo = owned_todo(todo_id, username)
    todo.update(body.model_dump(exclude_none=True))
    return Todo.model_validate(todo)


@app.delete("/todos/{todo_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_todo(todo_id: int, username: Writer) -> None:
    owned_todo(todo_id, username)
    del TODOS[todo_id]
