"""FastAPI's "Server-Sent Events", "Stream JSON Lines" and "Stream Data" pages, ported by
changing the imports (`tests/docs_examples/`): the wire bytes the pages describe, the
same bytes and OpenAPI as the same code on FastAPI."""

import json
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests._fastapi_twin import document, forget_twins, on_fastapi, seen
from tests.docs_examples import (
    sse_001,
    sse_002,
    sse_003,
    sse_004,
    sse_005,
    stream_data_001,
    stream_data_002,
    stream_json_lines,
)
from transom.testclient import TestClient

SSE_HEADERS = [
    ("content-type", "text/event-stream; charset=utf-8"),
    ("cache-control", "no-cache"),
    ("x-accel-buffering", "no"),
]
VARIANTS = ["", "-no-async", "-no-annotation", "-no-async-no-annotation"]
# The item model serialises an annotated stream's items (compact JSON); without an
# annotation they are encoded as any data and dumped with `json.dumps`'s spacing, as in FastAPI.
SEPARATORS = {
    "": (",", ":"),
    "-no-async": (",", ":"),
    "-no-annotation": (", ", ": "),
    "-no-async-no-annotation": (", ", ": "),
}
ITEMS = [
    {"name": "Plumbus", "description": "A multi-purpose household device."},
    {"name": "Portal Gun", "description": "A portal opening device."},
    {"name": "Meeseeks Box", "description": "A box that summons a Meeseeks."},
]


@pytest.fixture(scope="module", autouse=True)
def _forget_twins() -> Iterator[None]:
    yield
    forget_twins()


def name_of(module: ModuleType) -> str:
    return module.__name__.rpartition(".")[2]


# What each example answers, on Transom and on FastAPI ------------------------------------

REQUESTS: list[tuple[ModuleType, str, str, dict[str, object]]] = [
    *[(sse_001, "GET", f"/items/stream{variant}", {}) for variant in VARIANTS],
    (sse_002, "GET", "/items/stream", {}),
    (sse_003, "GET", "/logs/stream", {}),
    (sse_004, "GET", "/items/stream", {}),
    (sse_004, "GET", "/items/stream", {"headers": {"last-event-id": "0"}}),
    (sse_004, "GET", "/items/stream", {"headers": {"last-event-id": "two"}}),
    (sse_005, "POST", "/chat/stream", {"json": {"text": "hello world"}}),
    (sse_005, "POST", "/chat/stream", {"json": {"words": "hello"}}),
    *[(stream_json_lines, "GET", f"/items/stream{variant}", {}) for variant in VARIANTS],
    *[(stream_data_001, "GET", f"/story/stream{variant}", {}) for variant in VARIANTS],
    *[(stream_data_001, "GET", f"/story/stream{variant}-bytes", {}) for variant in VARIANTS],
    *[
        (stream_data_002, "GET", f"/image/stream{variant}", {})
        for variant in [*VARIANTS, "-no-async-yield-from"]
    ],
]


@pytest.mark.parametrize(
    ("module", "method", "path", "options"),
    REQUESTS,
    ids=[f"{name_of(module)}-{method}-{path}" for module, method, path, _ in REQUESTS],
)
def test_a_client_sees_what_fastapi_sends(
    module: ModuleType, method: str, path: str, options: dict[str, object]
) -> None:
    twin = on_fastapi(module)
    ours = TestClient(module.app).request(method, path, **options)  # type: ignore[arg-type]
    theirs = TestClient(twin.app).request(method, path, **options)  # type: ignore[arg-type]
    assert seen(ours) == seen(theirs)


@pytest.mark.parametrize(
    "module",
    [sse_001, sse_002, sse_003, sse_004, sse_005, stream_json_lines, stream_data_001],
    ids=name_of,
)
def test_the_document_is_fastapis(module: ModuleType) -> None:
    assert document(module.app) == document(on_fastapi(module).app)


# Server-Sent Events -----------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_yielded_items_are_events_whose_data_is_the_item_as_json(variant: str) -> None:
    response = TestClient(sse_001.app).get(f"/items/stream{variant}")
    assert response.status_code == 200
    assert list(response.headers.multi_items()) == SSE_HEADERS
    assert response.content == b"".join(
        b"data: " + json.dumps(item, separators=SEPARATORS[variant]).encode() + b"\n\n"
        for item in ITEMS
    )


def test_an_annotated_stream_documents_its_item_as_the_events_data() -> None:
    paths = sse_001.app.openapi()["paths"]
    data = {"type": "string", "contentMediaType": "application/json"}
    typed = paths["/items/stream"]["get"]["responses"]["200"]["content"]["text/event-stream"]
    assert typed["itemSchema"]["properties"]["data"] == {
        **data,
        "contentSchema": {"$ref": "#/components/schemas/Item"},
    }
    assert typed["itemSchema"]["required"] == ["data"]
    bare = paths["/items/stream-no-annotation"]["get"]["responses"]["200"]["content"]
    assert bare["text/event-stream"]["itemSchema"]["properties"]["data"] == {"type": "string"}


def test_server_sent_event_fields_go_out_in_order_after_a_comment() -> None:
    response = TestClient(sse_002.app).get("/items/stream")
    assert list(response.headers.multi_items()) == SSE_HEADERS
    assert response.content == (
        b": stream of item updates\n\n"
        b'event: item_update\ndata: {"name":"Plumbus","price":32.99}\nid: 1\nretry: 5000\n\n'
        b'event: item_update\ndata: {"name":"Portal Gun","price":999.99}\nid: 2\nretry: 5000\n\n'
        b'event: item_update\ndata: {"name":"Meeseeks Box","price":49.99}\nid: 3\nretry: 5000\n\n'
    )


def test_raw_data_is_sent_as_it_is() -> None:
    response = TestClient(sse_003.app).get("/logs/stream")
    assert response.content == (
        b"data: 2025-01-01 INFO  Application started\n\n"
        b"data: 2025-01-01 DEBUG Connected to database\n\n"
        b"data: 2025-01-01 WARN  High memory usage detected\n\n"
    )


@pytest.mark.parametrize(
    ("last_event_id", "ids"),
    [(None, [b"0", b"1", b"2"]), ("0", [b"1", b"2"]), ("1", [b"2"]), ("2", [])],
)
def test_a_reconnecting_client_resumes_after_its_last_event_id(
    last_event_id: str | None, ids: list[bytes]
) -> None:
    headers = {"last-event-id": last_event_id} if last_event_id is not None else {}
    response = TestClient(sse_004.app).get("/items/stream", headers=headers)
    assert response.status_code == 200
    events = response.content.split(b"\n\n")
    assert events.pop() == b""
    assert [event.split(b"\n")[1] for event in events] == [b"id: " + i for i in ids]
    if last_event_id == "1":
        assert response.content == b'data: {"name":"Meeseeks Box","price":49.99}\nid: 2\n\n'


def test_a_last_event_id_that_is_not_an_integer_is_a_422() -> None:
    response = TestClient(sse_004.app).get("/items/stream", headers={"last-event-id": "two"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "last-event-id"]
    parameter = sse_004.app.openapi()["paths"]["/items/stream"]["get"]["parameters"][0]
    assert parameter == {
        "name": "last-event-id",
        "in": "header",
        "required": False,
        "schema": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Last-Event-Id"},
    }


def test_a_post_streams_json_tokens_then_a_raw_done() -> None:
    response = TestClient(sse_005.app).post("/chat/stream", json={"text": "hello world"})
    assert response.status_code == 200
    assert list(response.headers.multi_items()) == SSE_HEADERS
    assert response.content == (
        b'event: token\ndata: "hello"\n\n'
        b'event: token\ndata: "world"\n\n'
        b"event: done\ndata: [DONE]\n\n"
    )


def test_a_post_without_its_prompt_is_a_422_before_any_event() -> None:
    response = TestClient(sse_005.app).post("/chat/stream", json={})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"][0]["loc"] == ["body", "text"]


# Stream JSON Lines ------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_yielded_items_are_json_lines(variant: str) -> None:
    response = TestClient(stream_json_lines.app).get(f"/items/stream{variant}")
    assert response.status_code == 200
    assert list(response.headers.multi_items()) == [("content-type", "application/jsonl")]
    assert response.content == b"".join(
        json.dumps(item, separators=SEPARATORS[variant]).encode() + b"\n" for item in ITEMS
    )


def test_json_lines_document_one_item() -> None:
    paths = stream_json_lines.app.openapi()["paths"]
    content = paths["/items/stream"]["get"]["responses"]["200"]["content"]
    assert content == {"application/jsonl": {"itemSchema": {"$ref": "#/components/schemas/Item"}}}
    bare = paths["/items/stream-no-annotation"]["get"]["responses"]["200"]["content"]
    assert bare == {"application/jsonl": {"itemSchema": {}}}


# Stream Data ------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", [*VARIANTS, *[f"{v}-bytes" for v in VARIANTS]])
def test_streamed_text_is_the_lines_joined_without_separators(variant: str) -> None:
    response = TestClient(stream_data_001.app).get(f"/story/stream{variant}")
    assert response.status_code == 200
    # StreamingResponse has no media type of its own: no Content-Type, as on FastAPI.
    assert list(response.headers.multi_items()) == []
    assert response.text == "".join(stream_data_001.message.splitlines())


@pytest.mark.parametrize("variant", [*VARIANTS, "-no-async-yield-from"])
def test_streamed_bytes_keep_the_response_class_media_type(variant: str) -> None:
    response = TestClient(stream_data_002.app).get(f"/image/stream{variant}")
    assert response.status_code == 200
    assert list(response.headers.multi_items()) == [("content-type", "image/png")]
    assert response.content == stream_data_002.binary_image
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
