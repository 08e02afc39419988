from pydantic import BaseModel

from transom import Depends, Response, Transom

app = Transom(title="Notes")


class Note(BaseModel):
    id: int
    text: str


NOTES = [Note(id=1, text="Buy milk"), Note(id=2, text="Call Ada")]


def track(response: Response) -> None:  # any dependency may shape the response
    response.set_cookie("seen", "1", httponly=True)


@app.get("/notes", dependencies=[Depends(track)])
def list_notes(response: Response, limit: int = 10) -> list[Note]:
    response.headers["X-Total-Count"] = str(len(NOTES))  # the same object as in track
    return NOTES[:limit]  # plain data, validated and serialised
