"""Form(), File() and UploadFile parameters: FastAPI's "Form Data", "Form Models",
"Request Files" and "Request Forms and Files" pages, imports changed."""

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from transom import Body, DeclarationError, Depends, File, Form, Transom, UploadFile
from transom.testclient import TestClient


class FormModel(BaseModel):
    username: str
    password: str
    model_config = {"extra": "forbid"}


uploads: list[UploadFile] = []


def app() -> Transom:
    app = Transom()

    @app.post("/login/")
    async def login(
        username: Annotated[str, Form()], password: Annotated[str, Form()]
    ) -> dict[str, str]:
        return {"username": username}

    @app.post("/model/")
    async def model(data: Annotated[FormModel, Form()]) -> FormModel:
        return data

    @app.post("/files/")
    async def create_file(file: Annotated[bytes, File()]) -> dict[str, int]:
        return {"file_size": len(file)}

    @app.post("/uploadfile/")
    async def create_upload_file(file: UploadFile) -> dict[str, Any]:
        uploads.append(file)
        return {"filename": file.filename, "content_type": file.content_type}

    @app.post("/optional/")
    async def optional(file: UploadFile | None = None) -> dict[str, Any]:
        return {"filename": file.filename if file else None}

    @app.post("/many/")
    async def many(
        files: Annotated[list[bytes], File()], names: list[UploadFile], token: str = Form()
    ) -> dict[str, Any]:
        return {
            "sizes": [len(f) for f in files],
            "names": [n.filename for n in names],
            "token": token,
        }

    def form_user(username: Annotated[str, Form()]) -> str:
        return username.upper()

    @app.post("/dependency/")
    async def dependency(user: Annotated[str, Depends(form_user)]) -> str:
        return user

    @app.post("/big/", max_body_size=50 * 1024 * 1024)
    async def big(file: UploadFile) -> int:
        return len(await file.read())

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(app())


def test_form_fields(client: TestClient) -> None:
    assert client.post("/login/", data={"username": "a", "password": "b"}).json() == {
        "username": "a"
    }
    r = client.post("/login/", data={"username": "a", "password": ""})
    assert r.json()["detail"] == [
        {"type": "missing", "loc": ["body", "password"], "msg": "Field required", "input": None}
    ]


def test_a_form_route_given_json_is_a_422_missing(client: TestClient) -> None:
    r = client.post("/login/", json={"username": "a", "password": "b"})
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [
        ("missing", ["body", "username"]),
        ("missing", ["body", "password"]),
    ]


def test_a_form_model_takes_the_whole_form_and_forbids_extras(client: TestClient) -> None:
    data = {"username": "a", "password": "b"}
    assert client.post("/model/", data=data).json() == data
    r = client.post("/model/", data={**data, "extra": "x"})
    assert r.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["body", "extra"],
            "msg": "Extra inputs are not permitted",
            "input": "x",
        }
    ]


def test_files_as_bytes_and_as_upload_files(client: TestClient) -> None:
    assert client.post("/files/", files={"file": ("a.txt", b"hello")}).json() == {"file_size": 5}
    r = client.post("/uploadfile/", files={"file": ("a.txt", b"hello", "text/plain")})
    assert r.json() == {"filename": "a.txt", "content_type": "text/plain"}
    assert uploads[-1].file.closed  # closed when the request ended
    assert client.post("/optional/").json() == {"filename": None}
    r = client.post("/uploadfile/")
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [("missing", ["body", "file"])]


def test_several_files_and_fields(client: TestClient) -> None:
    files = [
        ("files", ("a", b"1")),
        ("files", ("b", b"22")),
        ("names", ("x.txt", b"")),
        ("names", ("y.txt", b"")),
    ]
    r = client.post("/many/", files=files, data={"token": "t"})
    assert r.json() == {"sizes": [1, 2], "names": ["x.txt", "y.txt"], "token": "t"}


def test_a_dependency_reads_the_form(client: TestClient) -> None:
    assert client.post("/dependency/", data={"username": "ada"}).json() == "ADA"


def test_an_upload_route_raises_its_own_body_limit(client: TestClient) -> None:
    payload = b"x" * (2 * 1024 * 1024)
    assert client.post("/big/", files={"file": ("f", payload)}).json() == len(payload)
    r = client.post("/uploadfile/", files={"file": ("f", payload)})
    assert r.status_code == 413


def test_a_malformed_multipart_body_is_a_400(client: TestClient) -> None:
    headers = {"content-type": "multipart/form-data; boundary=x"}
    r = client.post("/uploadfile/", content=b"garbage", headers=headers)
    assert r.status_code == 400
    assert "detail" in r.json()


def test_form_and_json_body_parameters_cannot_be_mixed() -> None:
    with pytest.raises(DeclarationError, match="a request has one body"):

        @Transom().post("/")
        def mixed(name: Annotated[str, Form()], item: Annotated[dict[str, int], Body()]) -> None:
            pass


def test_openapi_documents_forms_and_files_as_fastapi(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    login = document["paths"]["/login/"]["post"]["requestBody"]
    assert login == {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"$ref": "#/components/schemas/Body_login_login__post"}
            }
        },
    }
    upload = document["paths"]["/uploadfile/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    schema = document["components"]["schemas"]["Body_create_upload_file_uploadfile__post"]
    assert schema["properties"]["file"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "title": "File",
    }
    assert schema["required"] == ["file"]


def test_the_document_with_forms_is_valid_openapi_3_1(client: TestClient) -> None:
    from openapi_spec_validator import validate

    validate(client.get("/openapi.json").json())


def test_bare_list_set_and_tuple_take_every_value_of_a_key() -> None:
    app = Transom()

    @app.post("/list")
    def as_list(items: Annotated[list, Form()]) -> list:  # type: ignore[type-arg]
        return items

    @app.post("/set")
    def as_set(items: Annotated[set, Form()]) -> list:  # type: ignore[type-arg]
        return sorted(items)

    @app.post("/tuple")
    def as_tuple(items: Annotated[tuple, Form()]) -> list:  # type: ignore[type-arg]
        return list(items)

    client = TestClient(app)
    data = {"items": ["b", "a", "c"]}
    assert client.post("/list", data=data).json() == ["b", "a", "c"]
    assert client.post("/set", data=data).json() == ["a", "b", "c"]
    assert client.post("/tuple", data=data).json() == ["b", "a", "c"]


class Profile(BaseModel):
    username: str
    tags: list[str] = ["new"]
    nickname: str | None = None
    alias_with: str = Field(alias="with", default="nothing")


class Open(BaseModel):
    param: str
    model_config = {"extra": "allow"}


class Person(BaseModel):
    name: str
    email: str


class Company(BaseModel):
    company_name: str
    industry: str


def model_app() -> Transom:
    app = Transom()

    @app.post("/profile/")
    def profile(data: Annotated[Profile, Form()]) -> Profile:
        return data

    @app.post("/open/")
    def open_model(data: Annotated[Open, Form()]) -> dict[str, Any]:
        return data.model_dump()

    @app.post("/signup/")
    def signup(data: Annotated[Person | Company, Form()]) -> dict[str, Any]:
        return {"kind": type(data).__name__, **data.model_dump()}

    return app


def test_a_form_models_defaults_stand_in_for_absent_keys_in_a_422_input() -> None:
    r = TestClient(model_app()).post("/profile/", data={})
    assert r.status_code == 422
    # As FastAPI: the defaults (not a `None` one) are what validation was given.
    assert r.json()["detail"] == [
        {
            "type": "missing",
            "loc": ["body", "username"],
            "msg": "Field required",
            "input": {"tags": ["new"], "with": "nothing"},
        }
    ]
    r = TestClient(model_app()).post("/profile/", data={"username": "ada", "with": "x"})
    assert r.json() == {"username": "ada", "tags": ["new"], "nickname": None, "with": "x"}


def test_a_form_model_keeping_extras_gets_a_repeated_extra_key_as_a_list() -> None:
    client = TestClient(model_app())
    r = client.post("/open/", data={"param": "1", "more": ["2", "3"], "one": "4"})
    assert r.json() == {"param": "1", "more": ["2", "3"], "one": "4"}


def test_a_union_of_form_models_takes_the_form_as_whichever_member_it_is() -> None:
    client = TestClient(model_app())
    r = client.post("/signup/", data={"name": "Ada", "email": "ada@example.com"})
    assert r.json() == {"kind": "Person", "name": "Ada", "email": "ada@example.com"}
    r = client.post("/signup/", data={"company_name": "Acme", "industry": "Anvils"})
    assert r.json() == {"kind": "Company", "company_name": "Acme", "industry": "Anvils"}
    assert client.post("/signup/", data={"name": "Ada", "company_name": "Acme"}).status_code == 422
    assert client.post("/signup/").status_code == 422
    body = client.get("/openapi.json").json()["paths"]["/signup/"]["post"]["requestBody"]
    assert body == {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/Person"},
                        {"$ref": "#/components/schemas/Company"},
                    ],
                    "title": "Data",
                }
            }
        },
    }


def test_files_read_as_bytes_are_documented_as_octet_strings(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    octets = {"type": "string", "contentMediaType": "application/octet-stream"}
    assert schemas["Body_create_file_files__post"]["properties"]["file"] == {
        **octets,
        "title": "File",
    }
    assert schemas["Body_many_many__post"]["properties"]["files"] == {
        "type": "array",
        "items": octets,
        "title": "Files",
    }
