from typing import Annotated

from transom import File, Form, Transom, UploadFile

app = Transom(max_body_size=20 * 1024 * 1024)  # uploads need more than the 1 MiB default


@app.post("/login")
def login(username: Annotated[str, Form()], password: Annotated[str, Form()]) -> dict[str, str]:
    return {"username": username}


@app.post("/files")
def file_size(file: Annotated[bytes, File()]) -> dict[str, int]:
    return {"size": len(file)}  # the whole file, in memory


@app.post("/photos")
async def upload_photos(
    album: Annotated[str, Form()],
    photos: list[UploadFile],  # spooled to disk past 1 MiB; closed when the request ends
) -> dict[str, object]:
    sizes = {photo.filename: len(await photo.read()) for photo in photos}
    return {"album": album, "sizes": sizes}
