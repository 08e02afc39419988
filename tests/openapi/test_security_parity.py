# mypy: disable-error-code="untyped-decorator"
# (the apps are built on either framework, so their decorators are typed `Any`)
"""The security part of the OpenAPI document is FastAPI's: the same app, built once with
FastAPI 0.141 and once with Transom, documents the same `securitySchemes` and `security`.

Each app below is written once against a framework's namespace (`fw`), so both
documents come from identical code.
"""

import dataclasses
import json
from collections.abc import Callable
from types import ModuleType
from typing import Annotated, Any

import fastapi
import fastapi.security
import pytest

import transom
import transom.security


@dataclasses.dataclass(frozen=True)
class Framework:
    app: Callable[..., Any]
    router: Callable[..., Any]
    depends: Callable[..., Any]
    security: Callable[..., Any]
    schemes: ModuleType


FASTAPI = Framework(
    fastapi.FastAPI, fastapi.APIRouter, fastapi.Depends, fastapi.Security, fastapi.security
)
TRANSOM = Framework(
    lambda **options: transom.Transom(title="FastAPI", version="0.1.0", **options),
    transom.APIRouter,
    transom.Depends,
    transom.Security,
    transom.security,
)


def every_scheme(fw: Framework) -> Any:
    """Each scheme class, plain and with every documentation option."""
    s = fw.schemes
    app = fw.app()
    schemes = [
        s.OAuth2PasswordBearer(tokenUrl="token"),
        s.OAuth2PasswordBearer(
            "/auth/token",
            scheme_name="Password",
            scopes={"me": "Read me", "items": "Read items"},
            description="Log in",
            refreshUrl="/auth/refresh",
        ),
        s.OAuth2AuthorizationCodeBearer("authorize", "token"),
        s.OAuth2AuthorizationCodeBearer(
            authorizationUrl="https://id.example/authorize",
            tokenUrl="https://id.example/token",
            refreshUrl="https://id.example/refresh",
            scheme_name="Code",
            scopes={"read": "Read"},
            description="Authorization code",
        ),
        s.OAuth2(),
        s.OAuth2(
            flows={
                "implicit": {"authorizationUrl": "/a", "scopes": {"x": "X"}},
                "clientCredentials": {"tokenUrl": "/t", "x-extra": 1},
            },
            scheme_name="Flows",
            description="Several flows",
        ),
        s.HTTPBasic(),
        s.HTTPBasic(scheme_name="Realm", realm="simple", description="Basic with a realm"),
        s.HTTPBearer(),
        s.HTTPBearer(bearerFormat="JWT", scheme_name="JWT", description="A JWT"),
        s.HTTPDigest(),
        s.HTTPDigest(scheme_name="Digest2", description="Digest"),
        fastapi_or_transom_http_base(fw, scheme="custom", description="Custom"),
        s.APIKeyHeader(name="X-Key"),
        s.APIKeyQuery(name="key", scheme_name="Query", description="In the query"),
        s.APIKeyCookie(name="session", description="A session"),
        s.OpenIdConnect(openIdConnectUrl="/.well-known/openid-configuration"),
        s.OpenIdConnect(openIdConnectUrl="/oidc", scheme_name="OIDC", description="OIDC"),
    ]
    for index, scheme in enumerate(schemes):
        app.get(f"/s{index}", dependencies=[fw.depends(scheme)])(lambda: None)
    return app


def fastapi_or_transom_http_base(fw: Framework, **options: Any) -> Any:
    base: Any = fw.schemes.http.HTTPBase
    return base(**options)


def scopes_app(fw: Framework) -> Any:
    """Scopes along chains, a scheme met twice, and route, router and app dependencies."""
    s = fw.schemes
    oauth2 = s.OAuth2PasswordBearer(
        tokenUrl="token", scopes={"me": "Me", "items": "Items", "admin": "Admin"}
    )
    api_key = s.APIKeyHeader(name="X-Key", auto_error=False)

    def current_user(
        security_scopes: s.SecurityScopes,  # type: ignore[name-defined]
        token: Annotated[str, fw.depends(oauth2)],
    ) -> str:
        return token

    def active_user(user: Annotated[str, fw.security(current_user, scopes=["me"])]) -> str:
        return user

    app = fw.app(dependencies=[fw.depends(api_key)])
    router = fw.router(prefix="/admin", dependencies=[fw.security(current_user, scopes=["admin"])])

    @app.get("/users/me")
    def me(user: Annotated[str, fw.depends(active_user)]) -> str:
        return user

    @app.get("/users/me/items")
    def items(
        user: Annotated[str, fw.security(active_user, scopes=["items"])],
        again: Annotated[str, fw.security(current_user, scopes=["me", "admin"])],
    ) -> str:
        return user

    @app.get("/status", dependencies=[fw.security(oauth2, scopes=["items"])])
    def status() -> str:
        return "ok"

    @router.get("/users")
    def users() -> list[str]:
        return []

    @app.get("/open")
    def open_() -> str:
        return "open"

    app.include_router(router)
    return app


def login_app(fw: Framework) -> Any:
    """The password forms, whose fields are documented as a form body."""
    s = fw.schemes
    app = fw.app()

    @app.post("/token")
    def token(form: Annotated[Any, fw.depends(s.OAuth2PasswordRequestForm)]) -> dict[str, str]:
        return {"access_token": form.username, "token_type": "bearer"}

    @app.post("/strict")
    def strict(
        form: Annotated[Any, fw.depends(s.OAuth2PasswordRequestFormStrict)],
    ) -> dict[str, str]:
        return {"access_token": form.username, "token_type": "bearer"}

    basic = s.HTTPBasic()

    @app.get("/basic")
    def who(credentials: Annotated[Any, fw.depends(basic)]) -> str:
        return str(credentials.username)

    return app


def security_parts(document: dict[str, Any]) -> str:
    """The schemes and each operation's `security`, as JSON text: key order counts."""
    parts = {
        "schemes": document.get("components", {}).get("securitySchemes"),
        "operations": {
            f"{method} {path}": operation.get("security")
            for path, operations in document["paths"].items()
            for method, operation in operations.items()
        },
    }
    return json.dumps(parts)


@pytest.mark.parametrize("build", [every_scheme, scopes_app, login_app])
def test_the_document_is_fastapis(build: Callable[[Framework], Any]) -> None:
    expected = build(FASTAPI).openapi()
    document = build(TRANSOM).openapi()
    assert security_parts(document) == security_parts(expected)
    assert document == expected


def test_security_requirements_carry_the_chain_scopes() -> None:
    paths = scopes_app(TRANSOM).openapi()["paths"]
    assert paths["/users/me"]["get"]["security"] == [
        {"APIKeyHeader": []},
        {"OAuth2PasswordBearer": ["me"]},
    ]
    assert paths["/users/me/items"]["get"]["security"] == [
        {"APIKeyHeader": []},
        {"OAuth2PasswordBearer": ["items", "me", "admin"]},
    ]
    assert paths["/admin/users"]["get"]["security"] == [
        {"APIKeyHeader": []},
        {"OAuth2PasswordBearer": ["admin"]},
    ]
