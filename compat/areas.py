"""Which area of the framework a FastAPI test file exercises, by its path.

`AREAS` is the whole mapping: `(area, pattern)` rows tried top to bottom on the
test file's path relative to `tests/` (for example
`test_tutorial/test_request_files/test_tutorial001.py`); the first row whose
regular expression is found in the path wins, and a file no row matches is
"other". The order matters: specific topics (security, files, WebSockets) come
before broad ones (OpenAPI output, parameters) that their names also contain.
"""

from __future__ import annotations

import re

__all__ = ["AREAS", "AREA_NAMES", "area_of"]

AREAS: tuple[tuple[str, str], ...] = (
    ("docs UI", r"swagger|redoc|custom_docs_ui|local_docs|conditional_openapi|frontend"),
    ("security", r"security|oauth|api_key|authentication|http_basic|http_bearer|http_digest"),
    ("WebSockets", r"websocket|\bws_|/test_ws_|test_ws_"),
    ("SSE/streaming", r"sse|server_sent|stream"),
    ("static", r"static_files|staticfiles"),
    ("templates", r"template"),
    ("files", r"file|upload|bytes"),
    ("forms", r"form"),
    ("lifespan", r"lifespan|events|startup|shutdown"),
    ("middleware", r"middleware|cors|gzip|trustedhost|httpsredirect|wsgi"),
    ("exception handlers", r"exception|handling_errors|error_status_code"),
    (
        "temporal response / returned responses",
        r"response_change_status|response_cookies|response_headers|response_directly"
        r"|custom_response|response_class|response_dependency|repeated_cookie"
        r"|response_set_response_code|response_code_no_body|additional_status_codes"
        r"|response_status_code|orjson|ujson|put_no_body|return_none",
    ),
    ("dependencies", r"depend|testing_dependencies|yield|_di_|contextvars"),
    (
        "response_model",
        r"response_model|response_by_alias|serialize_response|data_filter|filter_pydantic"
        r"|computed_fields|skip_defaults|extra_models|read_with_orm|validate_response"
        r"|dump_json|encoder|body_updates|extra_data_types|dataclasses|sql_databases",
    ),
    (
        "OpenAPI output",
        r"openapi|schema|additional_response|callbacks|webhooks|tags|metadata|example"
        r"|generate_clients|unique_id|operation|deprecated|duplicate_models|additional_prop"
        r"|json_type|json_base64|param_include_in_schema|title|description|summary",
    ),
    (
        "routing",
        r"rout|include|prefix|sub_applications|bigger_applications|mount|slashes"
        r"|callable_endpoint|behind_a_proxy|root_path|extra_routes|empty_router"
        r"|starlette_urlconvertors|first_steps|operations_signatures|circular_import",
    ),
    (
        "bodies & errors",
        r"body|bodies|strict_content_type|union_body|union_inherited|validation_error",
    ),
    (
        "params",
        r"param|query|path|header|cookie|alias|enforce|required|optionality|ambiguous"
        r"|annotated|tuples|sequence|inf_nan|arbitrary_types|typing|python_types",
    ),
)

AREA_NAMES: tuple[str, ...] = (*(name for name, _ in AREAS), "other")

_COMPILED = tuple((name, re.compile(pattern)) for name, pattern in AREAS)


def area_of(test_id: str) -> str:
    """The area of the test `test_id` (`tests/<path>.py::name`), by its file path."""
    path = test_id.split("::", 1)[0].removeprefix("tests/")
    for name, pattern in _COMPILED:
        if pattern.search(path):
            return name
    return "other"
