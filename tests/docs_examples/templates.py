# mypy: disable-error-code="no-untyped-def"
# Templates: Jinja2 templates that link to a route and to the static mount with url_for.
from transom import Request, Transom
from transom.responses import HTMLResponse
from transom.staticfiles import StaticFiles
from transom.templating import Jinja2Templates

app = Transom()

app.mount("/static", StaticFiles(directory="static"), name="static")


templates = Jinja2Templates(directory="templates")


@app.get("/items/{id}", response_class=HTMLResponse)
async def read_item(request: Request, id: str):
    return templates.TemplateResponse(request=request, name="item.html", context={"id": id})
