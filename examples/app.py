"""The example app served by the README's first command: a small notes API.

It shows the temporal response at work: a dependency sets cookies and headers,
handlers change the status code, a paginated list sends `X-Total-Count`, a
handler returns a `JSONResponse` and still gets the temporal cookie, and an error
keeps the cookie set before it was raised. The headers and cookies the API sends
are declared (`response_headers=`, `response_cookies=`), so `/docs` shows them,
`delete_cookie` knows their attributes, and the tests check they are sent.

The session is a signed cookie holding the user's name (HMAC-SHA256 with the
app's key ring, its lifetime sealed inside): any worker can check it, so
`transom run examples/app.py --workers 2` logs in as reliably as one process.
The keys come from `NOTES_KEYS` (comma-separated, newest first) or, without
it, a fixed key written below, which is fit for trying the example on your own
machine and for nothing else. The notes themselves live in each process's
memory: with several workers, a note created by one is not seen by the others
(a real app keeps them in a database).

    transom run examples/app.py
"""

from __future__ import annotations

import os
from typing import Annotated

from pydantic import BaseModel, Field

from transom import (
    Cookie,
    Depends,
    HTTPException,
    JSONResponse,
    Keyring,
    Query,
    Response,
    ResponseCookie,
    ResponseHeader,
    Transom,
    status,
)

SESSION = ResponseCookie("session", "Identifies the logged-in user.", httponly=True)
VISITS = ResponseCookie(
    "visits", "How many requests this browser made.", httponly=True, keep_on_error=True
)
SERVED_BY = ResponseHeader("X-Served-By", "The server that answered.", example="transom-example")

#: Only for trying the example locally: a real app reads its keys from the
#: environment or a secrets store (`Keyring.from_env`), never from its source.
EXAMPLE_KEY = "transom-example-key-for-local-use-only-0123456789"
#: How long a session lasts, in seconds; sealed into the cookie and checked on read.
SESSION_LIFETIME = 8 * 3600

app = Transom(
    title="Transom notes",
    description="A small API that shapes its responses.",
    version="1.0.0",
    response_headers=[ResponseHeader("X-API-Version", "The API version.", value="1")],
    keyring=Keyring.from_env("NOTES_KEYS")
    if "NOTES_KEYS" in os.environ
    else Keyring([EXAMPLE_KEY]),
)
NOTES: dict[int, dict[str, object]] = {
    1: {"id": 1, "owner": "ada", "text": "Analytical engine notes", "secret": "x"},
    2: {"id": 2, "owner": "ada", "text": "Bernoulli numbers", "secret": "y"},
    3: {"id": 3, "owner": "grace", "text": "COBOL draft", "secret": "z"},
}


class Login(BaseModel):
    user: str = Field(min_length=1, max_length=40, pattern=r"^[a-z]+$")


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class Note(BaseModel):
    id: int
    owner: str
    text: str


def mark_visit(response: Response, visits: Annotated[int, Cookie()] = 0) -> int:
    """A dependency that counts visits in a cookie and tags every response."""
    response.set_cookie("visits", str(visits + 1), max_age=3600, httponly=True)
    response.headers["X-Served-By"] = "transom-example"
    return visits + 1


def current_user(session: Annotated[str | None, Cookie(signed=True)] = None) -> str:
    """The logged-in user, from the signed session cookie; 401 otherwise.

    A cookie that was changed, has expired or was signed by another key is absent.
    """
    if session is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Log in first.", headers={"WWW-Authenticate": "Cookie"}
        )
    return session


Visits = Annotated[int, Depends(mark_visit)]
User = Annotated[str, Depends(current_user)]


@app.post(
    "/login",
    status_code=status.HTTP_201_CREATED,
    response_headers=[SERVED_BY],
    response_cookies=[SESSION, VISITS],
)
def login(body: Login, response: Response, visits: Visits) -> dict[str, object]:
    """Start a session: the signed session cookie is set on the temporal response."""
    response.set_cookie(
        "session", body.user, max_age=SESSION_LIFETIME, httponly=True, samesite="lax", signed=True
    )
    return {"user": body.user, "visits": visits}


@app.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_cookies=[SESSION])
def logout(response: Response) -> None:
    """End the session; `delete_cookie` repeats the attributes declared for the cookie.

    A signed cookie cannot be revoked on the server: a copy kept elsewhere stays
    valid until its lifetime ends (the session middleware's server-side stores
    can revoke; see docs/cookie-security.md).
    """
    response.delete_cookie("session")


TOTAL = ResponseHeader(
    "X-Total-Count", "Number of notes in all pages.", annotation=int, required=True, statuses=[200]
)


@app.get(
    "/notes",
    response_model=list[Note],
    response_headers=[TOTAL, SERVED_BY],
    response_cookies=[VISITS],
)
def list_notes(
    response: Response,
    visits: Visits,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[dict[str, object]]:
    """A page of notes; the total is in `X-Total-Count`, the secret field is filtered out."""
    notes = list(NOTES.values())
    response.headers["X-Total-Count"] = str(len(notes))
    return notes[offset : offset + limit]


@app.post(
    "/notes",
    status_code=status.HTTP_201_CREATED,
    response_headers=[
        ResponseHeader("Location", "Where the new note lives.", required=True, statuses=[201])
    ],
)
def create_note(body: NoteIn, user: User, response: Response) -> Note:
    """Create a note; the `Location` header points at it."""
    note_id = max(NOTES, default=0) + 1
    NOTES[note_id] = {"id": note_id, "owner": user, "text": body.text, "secret": ""}
    response.headers["Location"] = f"/notes/{note_id}"
    return Note(id=note_id, owner=user, text=body.text)


@app.get("/notes/{note_id}", response_headers=[SERVED_BY], response_cookies=[VISITS])
def get_note(note_id: int, visits: Visits) -> Note:
    """One note; a missing note is a 404 that still carries the visits cookie."""
    note = NOTES.get(note_id)
    if note is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Note {note_id} does not exist.")
    return Note.model_validate(note)


@app.get("/me", response_headers=[SERVED_BY], response_cookies=[VISITS])
def me(user: User, visits: Visits) -> JSONResponse:
    """Returns a `JSONResponse` directly; the temporal cookie and header are merged in."""
    return JSONResponse({"user": user, "visits": visits}, headers={"Cache-Control": "no-store"})
