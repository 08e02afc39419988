from pydantic import BaseModel

from transom import Transom

app = Transom()


class UserIn(BaseModel):
    username: str
    password: str


class UserOut(BaseModel):
    username: str


USERS: dict[str, UserIn] = {}


@app.post("/users", status_code=201, response_model=UserOut)
def create_user(user: UserIn) -> UserIn:
    USERS[user.username] = user
    return user  # filtered by UserOut: the password is never sent


@app.get("/users")
def list_users() -> list[UserOut]:  # the return annotation is the response model
    return [UserOut(username=name) for name in USERS]
