# mypy: disable-error-code="no-untyped-def"
# Path operations keep the documented signatures: a return annotation would be a response model.
from typing import Annotated

from transom import Depends, Transom
from transom.security import HTTPBasic, HTTPBasicCredentials

app = Transom()

security = HTTPBasic()


@app.get("/users/me")
def read_current_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]):
    return {"username": credentials.username, "password": credentials.password}
