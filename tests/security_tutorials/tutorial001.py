# mypy: disable-error-code="no-untyped-def"
# Path operations keep the documented signatures: a return annotation would be a response model.
from typing import Annotated

from transom import Depends, Transom
from transom.security import OAuth2PasswordBearer

app = Transom()

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


@app.get("/items/")
async def read_items(token: Annotated[str, Depends(oauth2_scheme)]):
    return {"token": token}
