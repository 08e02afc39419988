# mypy: disable-error-code="no-untyped-def"
# Path operations keep the documented signatures: a return annotation would be a response model.
from typing import Annotated

from pydantic import BaseModel

from transom import Depends, Transom
from transom.security import OAuth2PasswordBearer

app = Transom()

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


class User(BaseModel):
    username: str
    email: str | None = None
    full_name: str | None = None
    disabled: bool | None = None


def fake_decode_token(token: str) -> User:
    return User(username=token + "fakedecoded", email="john@example.com", full_name="John Doe")


async def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    user = fake_decode_token(token)
    return user


@app.get("/users/me")
async def read_users_me(current_user: Annotated[User, Depends(get_current_user)]):
    return current_user
