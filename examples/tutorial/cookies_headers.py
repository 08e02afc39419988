from typing import Annotated

from transom import Cookie, Header, JSONResponse, Response, Transom

app = Transom()


@app.get("/whoami")
def whoami(
    user_agent: Annotated[str | None, Header()] = None,  # read from User-Agent
    theme: Annotated[str, Cookie()] = "light",  # read from the "theme" cookie
) -> dict[str, str | None]:
    return {"user_agent": user_agent, "theme": theme}


@app.post("/theme/{theme}")
def set_theme(theme: str, response: Response) -> dict[str, str]:
    response.set_cookie("theme", theme, max_age=30 * 24 * 3600, httponly=True)
    return {"theme": theme}


@app.delete("/theme", status_code=204)
def forget_theme(response: Response) -> None:
    response.delete_cookie("theme")


@app.get("/legacy")
def legacy(response: Response) -> JSONResponse:
    response.set_cookie("seen", "1")
    # a returned response still gets the temporal cookies and headers
    return JSONResponse({"legacy": True}, headers={"X-Legacy": "yes"})
