import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel

from transom import Depends, HTTPException, Transom
from transom.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

app = Transom()
# tokenUrl is where /docs posts the login form when you press "Authorize"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def password_hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


@dataclass
class StoredUser:
    full_name: str
    salt: bytes
    hash: bytes


SALT = secrets.token_bytes(16)
USERS = {"ada": StoredUser("Ada Lovelace", SALT, password_hash("engine", SALT))}
TOKENS: dict[str, str] = {}  # token -> username; a real app would rather sign a JWT


class User(BaseModel):
    username: str
    full_name: str


@app.post("/token")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    stored = USERS.get(form.username)
    if stored is None or not secrets.compare_digest(
        password_hash(form.password, stored.salt), stored.hash
    ):
        raise HTTPException(400, "Incorrect username or password")
    token = secrets.token_urlsafe(32)
    TOKENS[token] = form.username
    return {"access_token": token, "token_type": "bearer"}


def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    username = TOKENS.get(token)
    if username is None:
        raise HTTPException(401, "Invalid token", headers={"WWW-Authenticate": "Bearer"})
    return User(username=username, full_name=USERS[username].full_name)


@app.get("/users/me")
def read_me(user: Annotated[User, Depends(current_user)]) -> User:
    return user
