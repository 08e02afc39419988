"""OpenAPI callbacks (`callbacks=`) and webhooks (`app.webhooks`): the requests an API
sends, documented as FastAPI documents them, and never served."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from tests._fastapi_twin import document, forget_twins, on_fastapi
from tests.docs_examples import openapi_callbacks, openapi_webhooks
from transom import APIRouter, DeclarationError, Security, Transom
from transom.openapi.utils import get_openapi
from transom.routing import APIRoute, Mount
from transom.security import HTTPBearer
from transom.testclient import TestClient

REF = "#/components/schemas/"
VALIDATION_ERROR = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": REF + "HTTPValidationError"}}},
}
VALIDATION_SCHEMAS = {
    "HTTPValidationError": {
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {"$ref": REF + "ValidationError"},
            }
        },
    },
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "loc": {
                "title": "Location",
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"},
        },
        "required": ["loc", "msg", "type"],
    },
}


@pytest.fixture(scope="module", autouse=True)
def _forget_twins() -> Iterator[None]:
    yield
    forget_twins()


def served_document(app: Transom) -> dict[str, Any]:
    response = TestClient(app).get("/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


# Callbacks ---------------------------------------------------------------------------


def test_a_callback_is_documented_inside_its_operation() -> None:
    document_ = served_document(openapi_callbacks.app)
    assert document_ == {
        "openapi": "3.1.0",
        "info": {"title": "Transom", "version": "0.1.0"},
        "paths": {
            "/invoices/": {
                "post": {
                    "summary": "Create Invoice",
                    "description": "Create an invoice; its payment is then notified to "
                    "`callback_url`.",
                    "operationId": "create_invoice_invoices__post",
                    "parameters": [
                        {
                            "name": "callback_url",
                            "in": "query",
                            "required": False,
                            "schema": {
                                "anyOf": [
                                    {
                                        "type": "string",
                                        "format": "uri",
                                        "minLength": 1,
                                        "maxLength": 2083,
                                    },
                                    {"type": "null"},
                                ],
                                "title": "Callback Url",
                            },
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": REF + "Invoice"}}},
                    },
                    "callbacks": {
                        "invoice_notification": {
                            "{$callback_url}/invoices/{$request.body.id}": {
                                "post": {
                                    "summary": "Invoice Notification",
                                    "operationId": "invoice_notification__callback_url__"
                                    "invoices___request_body_id__post",
                                    "requestBody": {
                                        "required": True,
                                        "content": {
                                            "application/json": {
                                                "schema": {"$ref": REF + "InvoiceEvent"}
                                            }
                                        },
                                    },
                                    "responses": {
                                        "200": {
                                            "description": "Successful Response",
                                            "content": {
                                                "application/json": {
                                                    "schema": {"$ref": REF + "InvoiceEventReceived"}
                                                }
                                            },
                                        },
                                        "422": VALIDATION_ERROR,
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "Successful Response",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                        "title": "Response Create Invoice Invoices  Post",
                                    }
                                }
                            },
                        },
                        "422": VALIDATION_ERROR,
                    },
                }
            }
        },
        "components": {
            "schemas": {
                **VALIDATION_SCHEMAS,
                "Invoice": {
                    "properties": {
                        "id": {"title": "Id", "type": "string"},
                        "customer": {"title": "Customer", "type": "string"},
                        "total": {"title": "Total", "type": "number"},
                    },
                    "required": ["id", "customer", "total"],
                    "title": "Invoice",
                    "type": "object",
                },
                "InvoiceEvent": {
                    "properties": {
                        "description": {"title": "Description", "type": "string"},
                        "paid": {"title": "Paid", "type": "boolean"},
                    },
                    "required": ["description", "paid"],
                    "title": "InvoiceEvent",
                    "type": "object",
                },
                "InvoiceEventReceived": {
                    "properties": {"ok": {"title": "Ok", "type": "boolean"}},
                    "required": ["ok"],
                    "title": "InvoiceEventReceived",
                    "type": "object",
                },
            }
        },
    }
    assert list(document_["components"]["schemas"]) == sorted(document_["components"]["schemas"])
    validate(document_)


def test_the_callback_document_is_fastapis() -> None:
    twin = on_fastapi(openapi_callbacks).app
    assert document(openapi_callbacks.app) == document(twin)


def test_the_operation_is_served_and_its_callback_is_not() -> None:
    client = TestClient(openapi_callbacks.app)
    invoice = {"id": "inv-1", "customer": "Rick", "total": 5.3}
    response = client.post("/invoices/?callback_url=https://example.com/hook", json=invoice)
    assert (response.status_code, response.json()) == (200, {"msg": "Invoice received"})
    response = client.post("/invoices/?callback_url=not a url", json=invoice)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "callback_url"]
    # The callback's URL expression is not a route of the app.
    paths = [getattr(route, "path", None) for route in openapi_callbacks.app.routes]
    assert "{$callback_url}/invoices/{$request.body.id}" not in paths


def callback_router(name: str) -> APIRouter:
    router = APIRouter()

    def callback(level: str) -> None: ...

    callback.__name__ = name
    router.post(f"{{$request.query.{name}}}")(callback)
    return router


def test_callbacks_are_layered_app_router_include_route() -> None:
    app = Transom(callbacks=callback_router("from_app").routes)
    router = APIRouter(callbacks=callback_router("from_router").routes)

    @router.get("/items", callbacks=callback_router("from_route").routes)
    def items() -> list[int]:
        return []

    app.include_router(router, callbacks=callback_router("from_include").routes)
    operation = app.openapi()["paths"]["/items"]["get"]
    assert list(operation["callbacks"]) == ["from_app", "from_include", "from_router", "from_route"]
    assert operation["callbacks"]["from_route"] == {
        "{$request.query.from_route}": {
            "post": {
                "summary": "From Route",
                "operationId": "from_route__request_query_from_route__post",
                "parameters": [
                    {
                        "name": "level",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "title": "Level"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "Successful Response",
                        "content": {"application/json": {"schema": {}}},
                    },
                    "422": VALIDATION_ERROR,
                },
            }
        }
    }
    (route,) = [route for route in app.routes if isinstance(route, APIRoute)]
    assert [callback.name for callback in route.callbacks] == list(operation["callbacks"])
    assert [callback.name for callback in router.callbacks] == ["from_router"]


def test_a_callback_keeps_its_own_routers_options() -> None:
    callbacks = APIRouter(tags=["events"], generate_unique_id_function=lambda route: "notify")

    @callbacks.post("{$request.body.url}", deprecated=True)
    def notify(event: str) -> None: ...

    app = Transom(tags=["api"])

    @app.post("/subscribe", callbacks=callbacks.routes)
    def subscribe(url: str) -> None: ...

    callback = app.openapi()["paths"]["/subscribe"]["post"]["callbacks"]["notify"]
    operation = callback["{$request.body.url}"]["post"]
    assert (operation["tags"], operation["operationId"], operation["deprecated"]) == (
        ["events"],
        "notify",
        True,
    )


def test_a_callback_left_out_of_the_schema_has_no_operations() -> None:
    callbacks = APIRouter()

    @callbacks.post("{$request.body.url}", include_in_schema=False)
    def hidden() -> None: ...

    app = Transom()

    @app.post("/subscribe", callbacks=callbacks.routes)
    def subscribe(url: str) -> None: ...

    operation = app.openapi()["paths"]["/subscribe"]["post"]
    assert operation["callbacks"] == {"hidden": {"{$request.body.url}": {}}}  # as FastAPI


def test_callback_operation_ids_count_among_the_documents() -> None:
    callbacks = callback_router("notify")
    app = Transom()

    @app.post("/a", callbacks=callbacks.routes)
    def a() -> None: ...

    @app.post("/b", callbacks=callbacks.routes)
    def b() -> None: ...

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.openapi()
    assert [str(warning.message) for warning in caught] == [
        "Duplicate Operation ID 'notify__request_query_notify__post' for route POST "
        "{$request.query.notify}: generated clients need unique ids; set operation_id= "
        "or a generate_unique_id_function that gives one."
    ]


SIGNED = HTTPBearer(scheme_name="callback_token")


def test_callback_security_schemes_are_in_the_components() -> None:
    callbacks = APIRouter()

    @callbacks.post("{$request.body.url}")
    def notify(token: Annotated[str, Security(SIGNED)]) -> None: ...

    app = Transom()

    @app.post("/subscribe", callbacks=callbacks.routes)
    def subscribe(url: str) -> None: ...

    document_ = app.openapi()
    callback = document_["paths"]["/subscribe"]["post"]["callbacks"]["notify"]
    assert callback["{$request.body.url}"]["post"]["security"] == [{"callback_token": []}]
    assert document_["components"]["securitySchemes"] == {
        "callback_token": {"type": "http", "scheme": "bearer"}
    }
    validate(document_)


@pytest.mark.parametrize(
    ("callbacks", "message"),
    [
        (
            callback_router("x"),
            r"^route GET /a: callbacks= takes a list of path operations, e.g. "
            r"callbacks=callback_router.routes; got <transom.routing.api_router.APIRouter",
        ),
        (
            [Mount("/static", app=Transom())],
            r"^route GET /a: callbacks= takes a list .*; <transom.routing.router.Mount .* is "
            r"not one \(only routes declared with @router.get\(...\)",
        ),
    ],
)
def test_callbacks_must_be_path_operations(callbacks: Any, message: str) -> None:
    app = Transom()
    with pytest.raises(DeclarationError, match=message):
        app.get("/a", callbacks=callbacks)(lambda: None)
    with pytest.raises(DeclarationError, match=message.replace("route GET /a", "APIRouter")):
        APIRouter(callbacks=callbacks)
    router = APIRouter()
    with pytest.raises(DeclarationError, match=message.replace("route GET /a", "include_router")):
        app.include_router(router, callbacks=callbacks)


def test_a_callback_router_cannot_be_included() -> None:
    app = Transom()
    with pytest.raises(
        ValueError,
        match=r"^Route path must start with '/', got '\{\$request.query.x\}'. A path that does "
        r"not, or that has a runtime expression like '\{\$callback_url\}', only documents a "
        r"request this API sends: declare it on app.webhooks, or on a router whose routes are "
        r"given as callbacks= \(callbacks=router.routes\); such a router is not included.$",
    ):
        app.include_router(callback_router("x"))
    assert [route.path for route in app.routes if route.path.startswith("{")] == []


@pytest.mark.parametrize("path", ["{$callback_url}/events", "/events/{$request.body.id}", "hook"])
def test_the_app_refuses_a_path_that_only_documents(path: str) -> None:
    app = Transom()
    with pytest.raises(ValueError, match=r"^Route path must start with '/', got "):
        app.post(path)(lambda: None)


def test_a_documentation_path_takes_no_router_prefix() -> None:
    router = APIRouter(prefix="/hooks")
    with pytest.raises(
        DeclarationError,
        match=r"^A webhook's name or a callback's URL takes no router prefix: "
        r"'\{\$callback_url\}/x' under the prefix '/hooks'; declare it on a router "
        r"without one, and include that router without prefix=",
    ):
        router.post("{$callback_url}/x")(lambda: None)
    webhooks = APIRouter()
    webhooks.post("ping")(lambda: None)
    with pytest.raises(
        DeclarationError, match=r"^A webhook's name .* 'ping' under the prefix '/v1'"
    ):
        APIRouter().include_router(webhooks, prefix="/v1")
    with pytest.raises(
        DeclarationError, match=r"^A webhook's name .* 'ping' under the prefix '/v2'"
    ):
        APIRouter(prefix="/v2").include_router(webhooks)


def test_webhooks_may_be_gathered_from_other_routers() -> None:
    billing = APIRouter(tags=["billing"])

    @billing.post("invoice-paid")
    def invoice_paid(body: Ping) -> None: ...

    app = Transom()
    app.webhooks.include_router(billing)
    operation = app.openapi()["webhooks"]["invoice-paid"]["post"]
    assert (operation["tags"], operation["operationId"]) == (
        ["billing"],
        "invoice_paidinvoice_paid_post",
    )
    with pytest.raises(ValueError, match=r"^Route path must start with '/', got 'invoice-paid'"):
        app.include_router(app.webhooks)
    assert TestClient(app).post("/invoice-paid", json={"at": "now"}).status_code == 404


def test_a_served_path_still_refuses_a_bad_parameter_name() -> None:
    with pytest.raises(ValueError, match="must be named by a Python identifier"):
        Transom().get("/items/{item-id}")(lambda: None)


# Webhooks ----------------------------------------------------------------------------


def test_webhooks_are_listed_under_webhooks_with_their_security() -> None:
    document_ = served_document(openapi_webhooks.app)
    assert document_["webhooks"] == {
        "new-subscription": {
            "post": {
                "summary": "New Subscription",
                "description": "When a user subscribes, we POST this to the URL you registered "
                "for\n`new-subscription`, with your token as a bearer token.",
                "operationId": "new_subscriptionnew_subscription_post",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": REF + "Subscription"}}},
                },
                "responses": {
                    "200": {
                        "description": "Successful Response",
                        "content": {"application/json": {"schema": {}}},
                    },
                    "422": VALIDATION_ERROR,
                },
                "security": [{"HTTPBearer": []}],
            }
        }
    }
    assert list(document_) == ["openapi", "info", "paths", "webhooks", "components"]
    assert list(document_["paths"]) == ["/users/"]
    assert document_["components"] == {
        "schemas": {
            **VALIDATION_SCHEMAS,
            "Subscription": {
                "properties": {
                    "username": {"title": "Username", "type": "string"},
                    "monthly_fee": {"title": "Monthly Fee", "type": "number"},
                    "start_date": {"format": "date-time", "title": "Start Date", "type": "string"},
                },
                "required": ["username", "monthly_fee", "start_date"],
                "title": "Subscription",
                "type": "object",
            },
        },
        "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}},
    }
    validate(document_)


def test_the_webhooks_document_is_fastapis() -> None:
    twin = on_fastapi(openapi_webhooks).app
    assert document(openapi_webhooks.app) == document(twin)


def test_a_webhook_is_not_served() -> None:
    client = TestClient(openapi_webhooks.app)
    assert client.post("/new-subscription", json={}).status_code == 404
    assert client.post("new-subscription", json={}).status_code == 404
    assert client.get("/users/").json() == ["Rick", "Morty"]


class Ping(BaseModel):
    at: str


def test_webhooks_given_to_the_app_and_to_get_openapi() -> None:
    webhooks = APIRouter()

    @webhooks.post("ping")
    def ping(body: Ping) -> None: ...

    app = Transom(webhooks=webhooks)
    assert app.webhooks is webhooks
    assert list(app.openapi()["webhooks"]) == ["ping"]
    built = get_openapi(
        title="Transom", version="0.1.0", routes=app.routes, webhooks=webhooks.routes
    )
    assert built == app.openapi()
    assert "webhooks" not in get_openapi(title="Transom", version="0.1.0", routes=app.routes)


def test_an_app_without_webhooks_has_no_webhooks_key() -> None:
    assert "webhooks" not in Transom().openapi()


def test_webhooks_must_be_a_router() -> None:
    with pytest.raises(
        DeclarationError,
        match=r"^Transom\(webhooks=...\) takes an APIRouter, got \[\]; declare webhooks on "
        r"app.webhooks",
    ):
        Transom(webhooks=[])  # type: ignore[arg-type]


@pytest.mark.parametrize("example", [openapi_callbacks, openapi_webhooks])
def test_the_pages_examples_are_the_tested_ones(example: Any) -> None:
    page = (Path(__file__).parents[2] / "docs" / "openapi.md").read_text()
    source = Path(example.__file__).read_text()
    code = "".join(line for line in source.splitlines(keepends=True) if not line.startswith("# "))
    assert f"```python\n{code.lstrip()}```" in page
