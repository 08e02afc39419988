"""`transom.security`: each scheme's answers, as FastAPI 0.141 gives them, and security
dependencies as ordinary dependencies (cached, overridable, in `dependencies=[...]`)."""

import base64
import re
from pathlib import Path
from typing import Annotated, Any

import pydantic
import pytest

from transom import APIRouter, Depends, HTTPException, Request, Security, Transom
from transom.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    HTTPDigest,
    OAuth2,
    OAuth2AuthorizationCodeBearer,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    OAuth2PasswordRequestFormStrict,
    OpenIdConnect,
    SecurityScopes,
)
from transom.security.http import HTTPBase
from transom.security.utils import get_authorization_scheme_param
from transom.testclient import TestClient

NOT_AUTHENTICATED = b'{"detail":"Not authenticated"}'


def basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


def client_for(scheme: Any) -> TestClient:
    """An app whose `/` answers `{"v": <the scheme's value>}`."""
    app = Transom()

    @app.get("/")
    def read(value: Annotated[Any, Depends(scheme)]) -> dict[str, Any]:
        return {"v": value.model_dump() if isinstance(value, pydantic.BaseModel) else value}

    return TestClient(app)


def answer(client: TestClient, authorization: str | None) -> tuple[int, str | None, bytes]:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/", headers=headers)
    return response.status_code, response.headers.get("www-authenticate"), response.content


REFUSED = {
    "bearer": (401, "Bearer", NOT_AUTHENTICATED),
    "basic": (401, "Basic", NOT_AUTHENTICATED),
    "digest": (401, "Digest", NOT_AUTHENTICATED),
}


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, REFUSED["bearer"]),
        ("", REFUSED["bearer"]),
        ("Other x", REFUSED["bearer"]),
        ("tok", REFUSED["bearer"]),
        ("Bearer tok", (200, None, b'{"v":"tok"}')),
        ("bearer tok", (200, None, b'{"v":"tok"}')),
        ("BEARER  tok  x ", (200, None, b'{"v":"tok  x"}')),
        # 0.141 hands on the empty token: the application refuses it.
        ("Bearer", (200, None, b'{"v":""}')),
    ],
)
def test_oauth2_password_bearer_gives_the_token(
    authorization: str | None, expected: tuple[int, str | None, bytes]
) -> None:
    assert answer(client_for(OAuth2PasswordBearer(tokenUrl="token")), authorization) == expected
    code = OAuth2AuthorizationCodeBearer(authorizationUrl="authorize", tokenUrl="token")
    assert answer(client_for(code), authorization) == expected


@pytest.mark.parametrize("authorization", [None, "", "Other x", "Basic abc"])
def test_bearer_schemes_without_auto_error_give_none(authorization: str | None) -> None:
    for scheme in (
        OAuth2PasswordBearer(tokenUrl="token", auto_error=False),
        OAuth2AuthorizationCodeBearer("authorize", "token", auto_error=False),
        HTTPBearer(auto_error=False),
    ):
        assert answer(client_for(scheme), authorization) == (200, None, b'{"v":null}')


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, REFUSED["bearer"]),
        ("", REFUSED["bearer"]),
        ("Bearer", REFUSED["bearer"]),
        ("Basic abc", REFUSED["bearer"]),
        ("tok", REFUSED["bearer"]),
        ("Bearer tok", (200, None, b'{"v":{"scheme":"Bearer","credentials":"tok"}}')),
        ("bearer tok", (200, None, b'{"v":{"scheme":"bearer","credentials":"tok"}}')),
        ("BEARER  a b ", (200, None, b'{"v":{"scheme":"BEARER","credentials":"a b"}}')),
    ],
)
def test_http_bearer_gives_scheme_and_credentials(
    authorization: str | None, expected: tuple[int, str | None, bytes]
) -> None:
    assert answer(client_for(HTTPBearer(bearerFormat="JWT")), authorization) == expected


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, REFUSED["digest"]),
        ("Digest", REFUSED["digest"]),
        ("Bearer abc", REFUSED["digest"]),
        ("Digest abc", (200, None, b'{"v":{"scheme":"Digest","credentials":"abc"}}')),
    ],
)
def test_http_digest_hands_on_the_credentials(
    authorization: str | None, expected: tuple[int, str | None, bytes]
) -> None:
    assert answer(client_for(HTTPDigest()), authorization) == expected
    optional = (200, None, b'{"v":null}') if expected[0] == 401 else expected
    assert answer(client_for(HTTPDigest(auto_error=False)), authorization) == optional


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, REFUSED["basic"]),
        ("Bearer tok", REFUSED["basic"]),
        ("Basic", REFUSED["basic"]),
        ("Basic !!!", REFUSED["basic"]),
        ("Basic %%%", REFUSED["basic"]),
        (basic(b"nocolon"), REFUSED["basic"]),
        (basic("\u00fc:p".encode()), REFUSED["basic"]),  # not ASCII, as in 0.141
        (basic(b"u:p:q"), (200, None, b'{"v":{"username":"u","password":"p:q"}}')),
        (basic(b":"), (200, None, b'{"v":{"username":"","password":""}}')),
        (
            "basic " + base64.b64encode(b"u:p").decode(),
            (200, None, b'{"v":{"username":"u","password":"p"}}'),
        ),
    ],
)
def test_http_basic_decodes_username_and_password(
    authorization: str | None, expected: tuple[int, str | None, bytes]
) -> None:
    assert answer(client_for(HTTPBasic()), authorization) == expected
    if expected[0] == 401:
        realm = (401, 'Basic realm="simple"', NOT_AUTHENTICATED)
        assert answer(client_for(HTTPBasic(realm="simple")), authorization) == realm


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, (200, None, b'{"v":null}')),
        ("Bearer tok", (200, None, b'{"v":null}')),
        # A Basic header that does not decode is refused even without auto_error.
        ("Basic", REFUSED["basic"]),
        (basic(b"nocolon"), REFUSED["basic"]),
        (basic(b"u:p"), (200, None, b'{"v":{"username":"u","password":"p"}}')),
    ],
)
def test_http_basic_without_auto_error(
    authorization: str | None, expected: tuple[int, str | None, bytes]
) -> None:
    assert answer(client_for(HTTPBasic(auto_error=False)), authorization) == expected


@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        (None, (401, "Bearer", NOT_AUTHENTICATED)),
        ("", (401, "Bearer", NOT_AUTHENTICATED)),
        ("Bearer", (200, None, b'{"v":"Bearer"}')),
        ("Other x ", (200, None, b'{"v":"Other x "}')),
    ],
)
def test_oauth2_and_openid_connect_give_the_whole_header(
    authorization: str | None, expected: tuple[int, str | None, bytes]
) -> None:
    for scheme in (OAuth2(), OpenIdConnect(openIdConnectUrl="/.well-known/openid-configuration")):
        assert answer(client_for(scheme), authorization) == expected


def test_oauth2_and_openid_connect_without_auto_error_give_none() -> None:
    for scheme in (
        OAuth2(auto_error=False),
        OpenIdConnect(openIdConnectUrl="/c", auto_error=False),
    ):
        assert answer(client_for(scheme), None) == (200, None, b'{"v":null}')


def test_http_base_takes_any_scheme() -> None:
    client = client_for(HTTPBase(scheme="other"))
    assert answer(client, "Other abc") == (
        200,
        None,
        b'{"v":{"scheme":"Other","credentials":"abc"}}',
    )
    assert answer(client, "Other") == (401, "Other", NOT_AUTHENTICATED)
    assert answer(client_for(HTTPBase(scheme="other", auto_error=False)), None) == (
        200,
        None,
        b'{"v":null}',
    )


@pytest.mark.parametrize(
    ("scheme", "send"),
    [
        (APIKeyHeader(name="X-Key"), lambda value: {"headers": {"x-key": value}}),
        (APIKeyQuery(name="key"), lambda value: {"params": {"key": value}}),
        (APIKeyCookie(name="key"), lambda value: {"headers": {"cookie": f"key={value}"}}),
    ],
)
def test_api_keys(scheme: Any, send: Any) -> None:
    client = client_for(scheme)
    missing = client.get("/")
    assert (missing.status_code, missing.headers["www-authenticate"], missing.content) == (
        401,
        "APIKey",
        NOT_AUTHENTICATED,
    )
    assert client.get("/", **send("")).status_code == 401
    assert client.get("/", **send("k1")).content == b'{"v":"k1"}'
    scheme.auto_error = False
    assert client_for(scheme).get("/").content == b'{"v":null}'


def test_a_scheme_can_change_its_error() -> None:
    class TeapotKey(APIKeyHeader):
        def make_not_authenticated_error(self) -> HTTPException:
            return HTTPException(418, "No key", headers={"WWW-Authenticate": 'APIKey realm="x"'})

    response = client_for(TeapotKey(name="X-Key")).get("/")
    assert (response.status_code, response.headers["www-authenticate"]) == (418, 'APIKey realm="x"')
    assert response.json() == {"detail": "No key"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", "")),
        ("", ("", "")),
        ("Bearer", ("Bearer", "")),
        ("Bearer  a b ", ("Bearer", "a b")),
    ],
)
def test_get_authorization_scheme_param(value: str | None, expected: tuple[str, str]) -> None:
    assert get_authorization_scheme_param(value) == expected


# The password form ----------------------------------------------------------------------


def login_app() -> Transom:
    app = Transom()

    @app.post("/login")
    def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, Any]:
        return vars(form)

    @app.post("/strict")
    def strict(form: Annotated[OAuth2PasswordRequestFormStrict, Depends()]) -> dict[str, Any]:
        return vars(form)

    return app


def test_password_form_reads_the_fields_and_splits_the_scopes() -> None:
    client = TestClient(login_app())
    response = client.post(
        "/login",
        data={"username": "ann", "password": "pw", "scope": "me  items:read", "client_id": "c"},
    )
    assert response.json() == {
        "grant_type": None,
        "username": "ann",
        "password": "pw",
        "scopes": ["me", "items:read"],
        "client_id": "c",
        "client_secret": None,
    }


def test_password_form_refuses_a_grant_type_other_than_password() -> None:
    client = TestClient(login_app())
    response = client.post("/login", data={"username": "a", "password": "b", "grant_type": "x"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "string_pattern_mismatch",
            "loc": ["body", "grant_type"],
            "msg": "String should match pattern '^password$'",
            "input": "x",
            "ctx": {"pattern": "^password$"},
        }
    ]


def test_strict_password_form_requires_grant_type() -> None:
    client = TestClient(login_app())
    response = client.post("/strict", data={"username": "a", "password": "b"})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "grant_type"]]
    ok = client.post("/strict", data={"username": "a", "password": "b", "grant_type": "password"})
    assert ok.json()["grant_type"] == "password"


def test_an_oauth2_flow_without_its_url_is_refused_when_declared() -> None:
    with pytest.raises(pydantic.ValidationError, match="tokenUrl"):
        OAuth2(flows={"password": {"scopes": {}}})


# Security() and SecurityScopes ----------------------------------------------------------


def test_security_scopes_are_the_chain_outermost_first() -> None:
    seen: list[list[str]] = []

    def check(security_scopes: SecurityScopes) -> str:
        seen.append(security_scopes.scopes)
        return security_scopes.scope_str

    def user(
        scopes: Annotated[str, Security(check, scopes=["me", "items"])],
    ) -> str:
        return scopes

    app = Transom(dependencies=[Security(check, scopes=["admin"])])

    @app.get("/", dependencies=[Security(user, scopes=["items", "write"])])
    def read(
        value: Annotated[str, Security(user, scopes=["read"])],
        plain: Annotated[str, Depends(check)],
    ) -> dict[str, str]:
        return {"value": value, "plain": plain}

    response = TestClient(app).get("/")
    assert response.json() == {"value": "read me items", "plain": ""}
    assert seen == [["admin"], ["items", "write", "me"], ["read", "me", "items"], []]


def test_scopes_repeated_up_the_chain_are_kept_as_in_fastapi() -> None:
    def innermost(security_scopes: SecurityScopes) -> list[str]:
        return security_scopes.scopes

    def middle(inner: Annotated[list[str], Depends(innermost)]) -> list[str]:
        return inner

    def outer(inner: Annotated[list[str], Security(middle, scopes=["x", "x"])]) -> list[str]:
        return inner

    app = Transom()

    @app.get("/")
    def read(inner: Annotated[list[str], Security(outer, scopes=["x"])]) -> list[str]:
        return inner

    assert TestClient(app).get("/").json() == ["x", "x", "x"]


def test_security_dependencies_are_cached_per_request_by_their_scopes() -> None:
    calls: list[str] = []

    def db() -> str:
        calls.append("db")
        return "db"

    def current_user(security_scopes: SecurityScopes, session: Annotated[str, Depends(db)]) -> str:
        calls.append("user:" + security_scopes.scope_str)
        return security_scopes.scope_str

    app = Transom()

    @app.get("/")
    def read(
        a: Annotated[str, Security(current_user, scopes=["a"])],
        b: Annotated[str, Security(current_user, scopes=["a"])],
        c: Annotated[str, Security(current_user, scopes=["c"])],
        d: Annotated[str, Depends(db)],
    ) -> list[str]:
        return [a, b, c]

    client = TestClient(app)
    assert client.get("/").json() == ["a", "a", "c"]
    assert calls == ["db", "user:a", "user:c"]
    calls.clear()
    client.get("/")
    assert calls == ["db", "user:a", "user:c"]


def test_security_with_use_cache_false_calls_again() -> None:
    calls: list[int] = []
    scheme = APIKeyHeader(name="X-Key")

    def counted(key: Annotated[str, Security(scheme, use_cache=False)]) -> str:
        calls.append(1)
        return key

    app = Transom()

    @app.get("/")
    def read(
        a: Annotated[str, Security(counted, use_cache=False)],
        b: Annotated[str, Security(counted, use_cache=False)],
    ) -> str:
        return a + b

    assert TestClient(app).get("/", headers={"x-key": "k"}).json() == "kk"
    assert calls == [1, 1]


def test_a_security_scheme_is_overridable() -> None:
    scheme = OAuth2PasswordBearer(tokenUrl="token")
    app = Transom()

    @app.get("/me")
    def me(token: Annotated[str, Depends(scheme)]) -> str:
        return token

    client = TestClient(app)
    assert client.get("/me").status_code == 401
    app.dependency_overrides[scheme] = lambda: "test-token"
    assert client.get("/me").json() == "test-token"
    app.dependency_overrides.clear()
    assert client.get("/me").status_code == 401


def test_an_override_sees_the_scopes_of_the_dependency_it_replaces() -> None:
    def current_user(security_scopes: SecurityScopes) -> list[str]:
        return []

    def fake_user(security_scopes: SecurityScopes) -> list[str]:
        return ["fake", *security_scopes.scopes]

    app = Transom()

    @app.get("/")
    def read(user: Annotated[list[str], Security(current_user, scopes=["me"])]) -> list[str]:
        return user

    app.dependency_overrides[current_user] = fake_user
    assert TestClient(app).get("/").json() == ["fake", "me"]


@pytest.mark.parametrize("level", ["route", "router", "include", "app"])
def test_schemes_in_dependencies_at_every_level(level: str) -> None:
    scheme = APIKeyHeader(name="X-Key")
    guard = [Security(scheme)]
    app = Transom(dependencies=guard if level == "app" else None)
    router = APIRouter(dependencies=guard if level == "router" else None)

    @router.get("/items", dependencies=guard if level == "route" else None)
    def items() -> list[str]:
        return ["a"]

    app.include_router(router, dependencies=guard if level == "include" else None)
    client = TestClient(app)
    refused = client.get("/items")
    assert (refused.status_code, refused.headers["www-authenticate"]) == (401, "APIKey")
    assert client.get("/items", headers={"x-key": "k"}).json() == ["a"]


def test_security_scopes_must_be_a_list_of_strings() -> None:
    with pytest.raises(TypeError, match=r"Security scopes must be a list of strings, got 'me'"):
        Security(APIKeyHeader(name="k"), scopes="me")
    with pytest.raises(TypeError, match=r"got \[1\]"):
        Security(APIKeyHeader(name="k"), scopes=[1])  # type: ignore[list-item]


def test_security_markers_compare_by_dependency_and_scopes() -> None:
    scheme = HTTPBearer()
    assert Security(scheme, scopes=["a"]) == Security(scheme, scopes=["a"])
    assert Security(scheme, scopes=["a"]) != Security(scheme, scopes=["b"])
    assert Security(scheme) != Depends(scheme)
    assert repr(Security(check_scopes, scopes=["a"])) == "Security(check_scopes, scopes=['a'])"
    assert repr(SecurityScopes(["a", "b"])) == "SecurityScopes(scopes=['a', 'b'])"
    assert SecurityScopes().scope_str == ""


def check_scopes(security_scopes: SecurityScopes) -> str:
    return security_scopes.scope_str


def test_credentials_models() -> None:
    assert HTTPBasicCredentials(username="u", password="p").model_dump() == {
        "username": "u",
        "password": "p",
    }
    assert HTTPAuthorizationCredentials(scheme="Bearer", credentials="t").credentials == "t"


def test_a_custom_oauth2_scheme_from_fastapis_models() -> None:
    from transom.openapi.models import OAuthFlows

    class CookieOrBearer(OAuth2):
        def __init__(self, token_url: str) -> None:
            flows = OAuthFlows(password={"tokenUrl": token_url, "scopes": {}})  # type: ignore[arg-type]
            super().__init__(flows=flows, scheme_name="CookieOrBearer")

        async def __call__(self, request: Request) -> str | None:
            return request.cookies.get("token") or await super().__call__(request)

    scheme = CookieOrBearer("/token")
    client = client_for(scheme)
    assert client.get("/", headers={"cookie": "token=t1"}).json() == {"v": "t1"}
    assert client.get("/", headers={"Authorization": "Bearer t2"}).json() == {"v": "Bearer t2"}
    assert client.get("/").status_code == 401
    app = Transom()
    app.get("/", dependencies=[Depends(scheme)])(lambda: None)
    password = {"scopes": {}, "tokenUrl": "/token"}
    assert app.openapi()["components"]["securitySchemes"] == {
        "CookieOrBearer": {"type": "oauth2", "flows": {"password": password}}
    }


def test_the_examples_in_the_docs_run() -> None:
    text = (Path(__file__).parents[1] / "docs" / "security.md").read_text(encoding="utf-8")
    examples = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(examples) >= 3
    for example in examples:
        exec(compile(example, "docs/security.md", "exec"), {})
