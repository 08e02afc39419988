"""Jinja2Templates: rendering, autoescape, url_for, the temporal response, test access."""

from pathlib import Path

import jinja2
import pytest

from transom import HTMLResponse, Request, Response, Transom
from transom.staticfiles import StaticFiles
from transom.templating import Jinja2Templates
from transom.testclient import TestClient


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "item.html").write_text(
        "<link href=\"{{ url_for('static', path='/site.css') }}\">"
        "<a href=\"{{ url_for('read_item', id=id) }}\">{{ id }}</a>{{ extra }}"
    )
    (tmp_path / "note.txt").write_text("{{ text }}")
    (tmp_path / "static").mkdir()
    return tmp_path


def build(folder: Path, **options: object) -> Transom:
    templates = Jinja2Templates(directory=folder, **options)  # type: ignore[arg-type]
    app = Transom()
    app.mount("/static", StaticFiles(directory=folder / "static"), name="static")

    @app.get("/items/{id}", response_class=HTMLResponse)
    async def read_item(request: Request, id: str, response: Response) -> Response:
        response.set_cookie("seen", "1")
        return templates.TemplateResponse(request, "item.html", {"id": id})

    @app.get("/note")
    async def note(request: Request) -> Response:
        return templates.TemplateResponse(request=request, name="note.txt", context={"text": "<b>"})

    return app


def test_a_page_is_rendered_escaped_with_absolute_urls_and_the_temporal_cookie(
    folder: Path,
) -> None:
    response = TestClient(build(folder)).get("/items/<x>")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (
        '<link href="http://testserver/static/site.css">'
        '<a href="http://testserver/items/&lt;x&gt;">&lt;x&gt;</a>'
    )
    assert response.headers["set-cookie"] == "seen=1; Path=/; SameSite=Lax"
    assert response.template.name == "item.html"  # type: ignore[attr-defined]
    assert response.context["id"] == "<x>"  # type: ignore[attr-defined]


def test_text_templates_are_not_escaped(folder: Path) -> None:
    assert TestClient(build(folder)).get("/note").text == "<b>"


def test_context_processors_add_to_every_context(folder: Path) -> None:
    app = build(folder, context_processors=[lambda request: {"extra": "!"}])
    assert TestClient(app).get("/items/1").text.endswith("1</a>!")


def test_an_environment_can_be_given() -> None:
    env = jinja2.Environment(loader=jinja2.DictLoader({"a.html": "{{ request.url.path }}"}))
    templates = Jinja2Templates(env=env)
    app = Transom()

    @app.get("/here")
    async def here(request: Request) -> Response:
        return templates.TemplateResponse(request, "a.html", status_code=201)

    response = TestClient(app).get("/here")
    assert (response.status_code, response.text) == (201, "/here")


def test_mistakes_are_named(folder: Path) -> None:
    with pytest.raises(TypeError, match="either directory= or env="):
        Jinja2Templates()
    with pytest.raises(TypeError, match="the request comes first"):
        Jinja2Templates(directory=folder).TemplateResponse("item.html", {})  # type: ignore[arg-type]
    with pytest.raises(jinja2.TemplateNotFound):
        Jinja2Templates(directory=folder).get_template("nope.html")
