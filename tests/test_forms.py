"""Forms through a plain route: what `await request.form()` gives, and every way it says no.

Each test posts a body (through `TestClient`, or as raw ASGI messages in chosen
chunks) to a route whose endpoint answers JSON describing its form.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from collections.abc import Iterable, Iterator
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import Any

import anyio
import pytest

import transom.forms as forms
from tests._asgi import http_scope
from transom import Request, Transom
from transom._types import Message
from transom.datastructures import FormData, FormValue, UploadFile
from transom.exceptions import BodyTooLarge
from transom.responses import JSONResponse, Response
from transom.testclient import TestClient

KiB = 1024
MiB = 1024 * KiB
BOUNDARY = "b0und4ry"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"


async def describe(value: FormValue) -> Any:
    if isinstance(value, str):
        return value
    return {
        "filename": value.filename,
        "content_type": value.content_type,
        "size": value.size,
        "content": (await value.read()).decode("latin-1"),
    }


def form_app(**form_options: Any) -> Transom:
    """An app whose `POST /` answers `[[name, value], ...]` for its form."""
    app = Transom(max_body_size=form_options.pop("max_body_size", MiB))

    async def endpoint(request: Request) -> Response:
        async with request.form(**form_options) as form:
            items = [[name, await describe(value)] for name, value in form.multi_items()]
        return JSONResponse(items)

    app.add_route("/", endpoint, methods=["POST"])
    return app


def post(body: bytes, content_type: str | None = MULTIPART, **form_options: Any) -> Any:
    headers = {} if content_type is None else {"content-type": content_type}
    r = TestClient(form_app(**form_options)).post("/", content=body, headers=headers)
    return r.status_code, r.json()


def part(disposition: str | bytes, body: bytes = b"", *headers: str) -> bytes:
    """One multipart part: `Content-Disposition: form-data; <disposition>`, headers, body.

    A `str` disposition is sent in UTF-8 (as browsers do); `bytes` as they are.
    """
    if isinstance(disposition, str):
        disposition = disposition.encode()
    lines = [f"--{BOUNDARY}".encode(), b"Content-Disposition: form-data; " + disposition]
    lines.extend(header.encode() for header in headers)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body + b"\r\n"


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def file(name: str, filename: str, content: bytes, content_type: str | None) -> dict[str, Any]:
    return {
        "filename": filename,
        "content_type": content_type,
        "size": len(content),
        "content": content.decode("latin-1"),
    }


async def call(app: Transom, chunks: Iterable[bytes], content_type: str) -> tuple[int, Any]:
    """Send `chunks` as raw ASGI body messages; the status and JSON body the app sent."""
    scope = http_scope("POST")
    scope["headers"] = [(b"host", b"testserver"), (b"content-type", content_type.encode())]
    messages: Iterator[bytes] = iter(chunks)
    pending: bytes | None = next(messages, b"")
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pending
        if pending is None:
            return {"type": "http.disconnect"}
        chunk, pending = pending, next(messages, None)
        return {"type": "http.request", "body": chunk, "more_body": pending is not None}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return sent[0]["status"], json.loads(body)


def in_chunks(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


# --- application/x-www-form-urlencoded ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", []),
        (b"a=1&b=2", [["a", "1"], ["b", "2"]]),
        (b"a=1&a=2&b=3&a=4", [["a", "1"], ["a", "2"], ["b", "3"], ["a", "4"]]),
        (b"a=&b", [["a", ""], ["b", ""]]),  # empty values kept as ""
        (b"a=1&&b=2&", [["a", "1"], ["b", "2"]]),
        (b"=v", [["", "v"]]),
        (b"a=1=2", [["a", "1=2"]]),
        (b"q=a+b%20c", [["q", "a b c"]]),  # + is a space
        (b"%2B=%26%3D%2B", [["+", "&=+"]]),
        (b"x=%zz&y=100%&z=%4", [["x", "%zz"], ["y", "100%"], ["z", "%4"]]),  # kept literally
        (b"x=%C3%A9t%C3%A9", [["x", "été"]]),
        (b"x=\xc3\xa9", [["x", "é"]]),  # raw UTF-8, not percent-encoded
        (b"x=%E9&%FF=1", [["x", "\ufffd"], ["\ufffd", "1"]]),  # not UTF-8: replaced
        (b"x=caf\xe9", [["x", "caf\ufffd"]]),
    ],
)
def test_urlencoded_fields(body: bytes, expected: list[list[str]]) -> None:
    assert post(body, URLENCODED) == (200, expected)


def test_urlencoded_with_a_charset_parameter_and_through_httpx() -> None:
    assert post(b"a=1", f"{URLENCODED}; charset=UTF-8") == (200, [["a", "1"]])
    r = TestClient(form_app()).post("/", data={"name": "Zoë & co", "tags": ["a", "b"]})
    assert r.json() == [["name", "Zoë & co"], ["tags", "a"], ["tags", "b"]]


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_urlencoded_parses_the_same_in_any_chunks(size: int) -> None:
    body = b"first=a+b&%C3%A9=%C3%A9&empty=&last=%zz"
    assert anyio.run(call, form_app(), in_chunks(body, size), URLENCODED) == (
        200,
        [["first", "a b"], ["é", "é"], ["empty", ""], ["last", "%zz"]],
    )


# --- multipart/form-data ---------------------------------------------------------------------


MULTIPART_CASES: list[tuple[str, bytes, list[list[Any]]]] = [
    ("no parts", multipart(), []),
    ("one field", multipart(part('name="t"', b"hello")), [["t", "hello"]]),
    ("empty field", multipart(part('name="t"')), [["t", ""]]),
    (
        "fields in order, repeated",
        multipart(part('name="a"', b"1"), part('name="b"', b"2"), part('name="a"', b"3")),
        [["a", "1"], ["b", "2"], ["a", "3"]],
    ),
    (
        "a field with CRLF and boundary-like bytes",
        multipart(part('name="t"', f"line1\r\nline2\r\n--{BOUNDARY[:-1]}x\r\n".encode())),
        [["t", f"line1\r\nline2\r\n--{BOUNDARY[:-1]}x\r\n"]],
    ),
    ("a UTF-8 field", multipart(part('name="é"', "ça va".encode())), [["é", "ça va"]]),
    ("a field not in UTF-8", multipart(part('name="t"', b"caf\xe9")), [["t", "caf\ufffd"]]),
    (
        "a file with a content type",
        multipart(part('name="f"; filename="a.txt"', b"data", "Content-Type: text/plain")),
        [["f", file("f", "a.txt", b"data", "text/plain")]],
    ),
    (
        "a file without a content type",
        multipart(part('name="f"; filename="a.bin"', b"\x00\xff")),
        [["f", file("f", "a.bin", b"\x00\xff", None)]],
    ),
    (
        "an empty file",
        multipart(part('name="f"; filename="empty.txt"', b"", "Content-Type: text/plain")),
        [["f", file("f", "empty.txt", b"", "text/plain")]],
    ),
    (
        "no file chosen in a browser",
        multipart(part('name="f"; filename=""', b"", "Content-Type: application/octet-stream")),
        [["f", file("f", "", b"", "application/octet-stream")]],
    ),
    (
        "several files of one name, fields between",
        multipart(
            part('name="f"; filename="1.txt"', b"one"),
            part('name="t"', b"text"),
            part('name="f"; filename="2.txt"', b"two"),
        ),
        [
            ["f", file("f", "1.txt", b"one", None)],
            ["t", "text"],
            ["f", file("f", "2.txt", b"two", None)],
        ],
    ),
    (
        "a CRLF before the first boundary, an epilogue after the last",
        b"\r\n" + multipart(part('name="t"', b"x")) + b"epilogue, ignored",
        [["t", "x"]],
    ),
]


@pytest.mark.parametrize(
    ("body", "expected"),
    [case[1:] for case in MULTIPART_CASES],
    ids=[case[0] for case in MULTIPART_CASES],
)
def test_multipart_fields_and_files(body: bytes, expected: list[list[Any]]) -> None:
    assert post(body) == (200, expected)


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        (r'filename="a\"b.txt"', 'a"b.txt'),  # a quoted-pair quote
        ('filename="a%22b.txt"', "a%22b.txt"),  # how browsers send a quote: kept as sent
        ('filename="a%0D%0Ab.txt"', "a%0D%0Ab.txt"),  # CR/LF as browsers send them
        ('filename="été €.txt"', "été €.txt"),  # raw UTF-8, as browsers send it
        ("filename*=UTF-8''%C3%A9t%C3%A9.txt", "été.txt"),  # RFC 5987 / 8187
        ("filename=\"ete.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt", "été.txt"),
        ("filename=\"ete.txt\"; filename*=UTF-8''%FF", "ete.txt"),  # broken: the plain one
        ('filename="../../etc/passwd"', "../../etc/passwd"),  # never used as a path
        (r'filename="C:\x\y.txt"', r"C:\x\y.txt"),
        (r'filename="\\server\share\z.txt"', r"\server\share\z.txt"),  # \\ is an escape
        ("filename=bare.txt", "bare.txt"),
        (b'filename="caf\xe9.txt"', "caf\ufffd.txt"),  # not UTF-8: replaced
    ],
)
def test_filenames_are_reported_as_sent(disposition: str | bytes, filename: str) -> None:
    if isinstance(disposition, str):
        disposition = disposition.encode()
    status, items = post(multipart(part(b'name="f"; ' + disposition, b"x")))
    assert (status, items[0][1]["filename"]) == (200, filename)


def test_a_part_whose_only_filename_is_broken_is_a_field() -> None:
    body = multipart(part("name=\"f\"; filename*=UTF-8''%FF", b"x"))
    assert post(body) == (200, [["f", "x"]])


def test_a_file_part_keeps_its_headers() -> None:
    seen: list[UploadFile] = []

    async def endpoint(request: Request) -> Response:
        form = await request.form()
        upload = form["f"]
        assert isinstance(upload, UploadFile)
        seen.append(upload)
        await request.close()
        return JSONResponse(None)

    app = Transom()
    app.add_route("/", endpoint, methods=["POST"])
    body = multipart(
        part('name="f"; filename="a.csv"', b"1,2", "Content-Type: text/csv", "X-Extra: yes")
    )
    TestClient(app).post("/", content=body, headers={"content-type": MULTIPART})
    assert seen[0].headers["x-extra"] == "yes"
    assert seen[0].headers["content-disposition"] == 'form-data; name="f"; filename="a.csv"'


def test_the_multipart_charset_parameter_decodes_names_and_values() -> None:
    body = multipart(part(b'name="\xe9"', b"caf\xe9"))
    assert post(body, f"{MULTIPART}; charset=latin-1") == (200, [["é", "café"]])
    assert post(multipart(part('name="t"', b"x")), f"{MULTIPART}; charset=nope") == (
        200,
        [["t", "x"]],  # an unknown charset: UTF-8
    )


def test_httpx_multipart_encoding_round_trips() -> None:
    r = TestClient(form_app()).post(
        "/",
        data={"title": "Résumé", "tags": ["a", "b"]},
        files=[
            ("docs", ("one.txt", b"first", "text/plain")),
            ("docs", ("two.json", b"{}", "application/json")),
            ("photo", ('a"b\\c.png', b"\x89PNG", "image/png")),
        ],
    )
    assert r.status_code == 200
    assert r.json() == [
        ["title", "Résumé"],
        ["tags", "a"],
        ["tags", "b"],
        ["docs", file("docs", "one.txt", b"first", "text/plain")],
        ["docs", file("docs", "two.json", b"{}", "application/json")],
        # httpx sends a quote as %22 (as browsers do) and a backslash as \\.
        ["photo", file("photo", "a%22b\\c.png", b"\x89PNG", "image/png")],
    ]


CHUNKED_BODY = multipart(
    part('name="t"', b"text"),
    part('name="f"; filename="a.bin"', b"\r\n--" + BOUNDARY[:-2].encode() + b"\r\n\r" * 50),
    part('name="u"', b""),
)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, 64, len(CHUNKED_BODY)])
def test_multipart_parses_the_same_in_any_chunks(size: int) -> None:
    content = b"\r\n--" + BOUNDARY[:-2].encode() + b"\r\n\r" * 50
    assert anyio.run(call, form_app(), in_chunks(CHUNKED_BODY, size), MULTIPART) == (
        200,
        [["t", "text"], ["f", file("f", "a.bin", content, None)], ["u", ""]],
    )


def test_a_file_larger_than_the_spool_rolls_to_disk_and_reads_back() -> None:
    content = bytes(range(256)) * (8 * KiB)  # 2 MiB
    seen: list[tuple[bool, int | None, bool]] = []

    async def endpoint(request: Request) -> Response:
        async with request.form() as form:
            upload = form["f"]
            assert isinstance(upload, UploadFile)
            read = await upload.read()
            seen.append((getattr(upload.file, "_rolled"), upload.size, read == content))  # noqa: B009
        return JSONResponse(None)

    app = Transom(max_body_size=4 * MiB)
    app.add_route("/", endpoint, methods=["POST"])
    body = multipart(part('name="f"; filename="big.bin"', content))
    assert anyio.run(call, app, in_chunks(body, 64 * KiB), MULTIPART)[0] == 200
    assert seen == [(True, len(content), True)]


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/json", "multipart/mixed; boundary=x"]
)
def test_a_body_that_is_no_form_gives_an_empty_form_and_is_not_read(
    content_type: str | None,
) -> None:
    async def endpoint(request: Request) -> Response:
        form = await request.form()
        return JSONResponse([len(form), (await request.body()).decode()])

    app = Transom()
    app.add_route("/", endpoint, methods=["POST"])
    headers = {} if content_type is None else {"content-type": content_type}
    r = TestClient(app).post("/", content=b"a=1", headers=headers)
    assert r.json() == [0, "a=1"]


def test_an_empty_multipart_body_is_an_empty_form() -> None:
    assert post(b"") == (200, [])


# --- limits ----------------------------------------------------------------------------------


def files_body(count: int) -> bytes:
    return multipart(*(part(f'name="f"; filename="{i}.txt"', b"x") for i in range(count)))


def fields_body(count: int) -> bytes:
    return multipart(*(part(f'name="t{i}"', b"x") for i in range(count)))


def too_many(what: str, limit: int) -> str:
    return f"Too many {what}. Maximum number of {what} is {limit}."


def field(size: int) -> bytes:
    return multipart(part('name="t"', b"x" * size))


MP, UE = MULTIPART, URLENCODED
LIMITS: list[tuple[bytes, str, dict[str, Any], int, str | None]] = [
    (files_body(2), MP, {"max_files": 2}, 200, None),
    (files_body(3), MP, {"max_files": 2}, 400, too_many("files", 2)),
    (files_body(1000), MP, {}, 200, None),
    (files_body(1001), MP, {}, 400, too_many("files", 1000)),
    (files_body(3), MP, {"max_fields": 0}, 200, None),  # files are not fields
    (fields_body(2), MP, {"max_fields": 2}, 200, None),
    (fields_body(3), MP, {"max_fields": 2}, 400, too_many("fields", 2)),
    (fields_body(1001), MP, {}, 400, too_many("fields", 1000)),
    (fields_body(2), MP, {"max_files": 0}, 200, None),  # fields are not files
    (b"a=1&b=2", UE, {"max_fields": 2}, 200, None),
    (b"a=1&b=2&c=3", UE, {"max_fields": 2}, 400, too_many("fields", 2)),
    (b"x" * KiB, UE, {"max_part_size": KiB}, 200, None),
    (b"x=" + b"y" * 1023, UE, {"max_part_size": KiB}, 200, None),  # "=" is not counted
    (b"x=" + b"y" * 1024, UE, {"max_part_size": KiB}, 400, "Field exceeded maximum size of 1KB."),
    (b"a=1&" + b"x" * (MiB - 4), UE, {}, 200, None),
    (field(KiB), MP, {"max_part_size": KiB}, 200, None),
    (field(KiB + 1), MP, {"max_part_size": KiB}, 400, "Part exceeded maximum size of 1KB."),
    (field(MiB - 200), MP, {}, 200, None),
    (field(MiB + 1), MP, {"max_body_size": 2 * MiB}, 400, "Part exceeded maximum size of 1024KB."),
    # A file has no limit but the body's.
    (
        multipart(part('name="f"; filename="a"', b"x" * 4 * KiB)),
        MP,
        {"max_part_size": KiB},
        200,
        None,
    ),
]


@pytest.mark.parametrize(("body", "content_type", "options", "status", "detail"), LIMITS)
def test_form_limits(
    body: bytes, content_type: str, options: dict[str, Any], status: int, detail: str | None
) -> None:
    got_status, got = post(body, content_type, **options)
    assert got_status == status
    if detail is not None:
        assert got == {"detail": detail}


@pytest.mark.parametrize("content_type", [MULTIPART, URLENCODED])
def test_the_body_limit_applies_to_forms(content_type: str) -> None:
    body = multipart(part('name="f"; filename="a"', b"x" * 200))
    status, got = post(body, content_type, max_body_size=100)
    assert (status, got) == (413, {"detail": BodyTooLarge(100).detail})


# --- malformed multipart ---------------------------------------------------------------------

SYNTAX = (
    "the body does not follow the multipart/form-data syntax: each part starts with '--' "
    "and the boundary of the Content-Type header, and lines end with CRLF."
)
NO_BOUNDARY = (
    "Invalid multipart data: the Content-Type header has no boundary. "
    "Send 'multipart/form-data; boundary=...' with the boundary the body uses."
)
CUT_SHORT = (
    f"Invalid multipart data: the body ended before the closing boundary ('--{BOUNDARY}--'); "
    "it was cut short."
)
NO_NAME = (
    "Invalid multipart data: a part has no Content-Disposition header with a name. "
    "Send 'Content-Disposition: form-data; name=\"...\"' in every part."
)
GOOD = multipart(part('name="t"', b"x"), part('name="f"; filename="a.txt"', b"data"))

HEADERS_TOO_LONG = "a part has too many headers, or a header that is too long."


def at(byte: int, reason: str = SYNTAX) -> str:
    return f"Invalid multipart data at byte {byte}: {reason}"


def with_header(header: str) -> bytes:
    return multipart(part('name="t"', b"x", header))


NO_DISPOSITION = f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--\r\n"
NOT_UTF8_NAME = multipart(part(b'name="caf\xe9"', b"x"))
MALFORMED: list[tuple[str, str, bytes, str]] = [
    ("no boundary", "multipart/form-data", GOOD, NO_BOUNDARY),
    ("an empty boundary", 'multipart/form-data; boundary=""', GOOD, NO_BOUNDARY),
    (
        "a boundary too long",
        "multipart/form-data; boundary=" + "b" * 257,
        GOOD,
        "Invalid multipart data: the boundary is 257 characters long, more than 256.",
    ),
    ("another boundary", "multipart/form-data; boundary=other", GOOD, at(2)),
    ("garbage", MULTIPART, b"\x00\x01 not multipart at all", at(0)),
    ("a preamble", MULTIPART, b"Preamble text.\r\n" + GOOD, at(0)),
    ("LF line endings", MULTIPART, GOOD.replace(b"\r\n", b"\n"), at(10)),
    ("no CRLF after the boundary", MULTIPART, GOOD.replace(b"ry\r\n", b"ryX", 1), at(10)),
    ("a header without a colon", MULTIPART, with_header("NoColonHere"), at(65)),
    ("a header name with a space", MULTIPART, with_header("Bad Name: v"), at(57)),
    (
        "too many headers in a part",
        MULTIPART,
        multipart(part('name="t"', b"x", *(f"X-{i}: v" for i in range(8)))),
        at(110, HEADERS_TOO_LONG),
    ),
    (
        "a header too long",
        MULTIPART,
        with_header("X-Long: " + "v" * 5000),
        at(62, HEADERS_TOO_LONG),
    ),
    ("cut in a file", MULTIPART, GOOD[:-20], CUT_SHORT),
    ("cut in the headers", MULTIPART, GOOD[:40], CUT_SHORT),
    ("cut in the closing boundary", MULTIPART, GOOD[:-4], CUT_SHORT),
    ("only a boundary", MULTIPART, f"--{BOUNDARY}\r\n".encode(), CUT_SHORT),
    ("no Content-Disposition", MULTIPART, NO_DISPOSITION.encode(), NO_NAME),
    ("a disposition without name", MULTIPART, multipart(part('filename="a.txt"', b"x")), NO_NAME),
    (
        "a field name not in UTF-8",
        MULTIPART,
        NOT_UTF8_NAME,
        "Invalid multipart data: the field name b'caf\\xe9' is not valid utf-8. "
        "Send field names in UTF-8.",
    ),
]


@pytest.mark.parametrize(
    ("content_type", "body", "detail"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_multipart_is_a_400_saying_what(
    content_type: str, body: bytes, detail: str
) -> None:
    assert post(body, content_type) == (400, {"detail": detail})


@pytest.mark.parametrize("size", [1, 3, 16])
def test_malformed_multipart_in_chunks_names_the_byte_of_the_body(size: int) -> None:
    body = GOOD.replace(b"\r\n", b"\n")
    assert anyio.run(call, form_app(), in_chunks(body, size), MULTIPART) == (
        400,
        {"detail": f"Invalid multipart data at byte 10: {SYNTAX}"},
    )


# --- Request.form(): once, closing, memory ---------------------------------------------------


def test_form_is_parsed_once_and_after_body() -> None:
    async def endpoint(request: Request) -> Response:
        body = await request.body()
        first = await request.form()
        second = await request.form(max_fields=0)  # the cached form; limits are not re-applied
        return JSONResponse([len(body), first is second, first.multi_items()])

    app = Transom()
    app.add_route("/", endpoint, methods=["POST"])
    r = TestClient(app).post("/", data={"a": "1", "b": "2"})
    assert r.json() == [7, True, [["a", "1"], ["b", "2"]]]


def upload_app(use: str, seen: list[UploadFile], states: list[bool], **app_options: Any) -> Transom:
    """An app that keeps the uploads of its forms, closing them the way `use` says."""

    async def endpoint(request: Request) -> Response:
        if use == "async with request.form()":
            async with request.form() as form:
                seen.extend(v for v in form.values() if isinstance(v, UploadFile))
                states.extend(upload.file.closed for upload in seen)
        elif use == "async with form":
            async with await request.form() as form:
                seen.extend(v for v in form.values() if isinstance(v, UploadFile))
                states.extend(upload.file.closed for upload in seen)
        else:
            form = await request.form()
            seen.extend(v for v in form.values() if isinstance(v, UploadFile))
            states.extend(upload.file.closed for upload in seen)
            await request.close()
        return JSONResponse(len(seen))

    app = Transom(**app_options)
    app.add_route("/", endpoint, methods=["POST"])
    return app


@pytest.mark.parametrize("use", ["async with request.form()", "async with form", "close()"])
def test_files_are_closed_after_the_form_is_done(use: str) -> None:
    seen: list[UploadFile] = []
    states: list[bool] = []
    files = {"small": ("s.txt", b"s"), "big": ("b.bin", b"x" * (2 * MiB))}
    r = TestClient(upload_app(use, seen, states, max_body_size=4 * MiB)).post("/", files=files)
    assert r.json() == 2
    assert states == [False, False]  # open while used
    assert [upload.file.closed for upload in seen] == [True, True]


def test_request_close_without_a_form_does_nothing() -> None:
    async def endpoint(request: Request) -> Response:
        await request.close()
        return JSONResponse("ok")

    app = Transom()
    app.add_route("/", endpoint, methods=["POST"])
    assert TestClient(app).post("/").json() == "ok"


def test_async_with_request_form_closes_the_files_when_the_block_raises() -> None:
    seen: list[UploadFile] = []

    async def endpoint(request: Request) -> Response:
        async with request.form() as form:
            upload = form["f"]
            assert isinstance(upload, UploadFile)
            seen.append(upload)
            raise RuntimeError("boom")

    app = Transom()
    app.add_route("/", endpoint, methods=["POST"])
    client = TestClient(app, raise_server_exceptions=False)
    assert client.post("/", files={"f": ("a", b"x")}).status_code == 500
    assert seen[0].file.closed


@pytest.fixture
def spooled(monkeypatch: pytest.MonkeyPatch) -> list[SpooledTemporaryFile[bytes]]:
    """Every spooled file the form parser makes, kept to check that it was closed."""
    made: list[SpooledTemporaryFile[bytes]] = []

    def recording(max_size: int) -> SpooledTemporaryFile[bytes]:
        made.append(SpooledTemporaryFile(max_size=max_size))  # noqa: SIM115 - checked, then closed
        return made[-1]

    monkeypatch.setattr(forms, "SpooledTemporaryFile", recording)
    return made


FAILING_UPLOADS = (
    part('name="done"; filename="big.bin"', b"x" * (2 * MiB))  # on disk
    + part('name="half"; filename="small.txt"', b"y" * 100)
)


@pytest.mark.parametrize(
    ("tail", "options", "status"),
    [
        (b"", {}, 400),  # cut short
        (b"\x00garbage", {}, 400),
        (files_body(2), {"max_files": 3}, 400),
        (fields_body(2), {"max_part_size": 0}, 400),
        (files_body(2), {"max_body_size": len(FAILING_UPLOADS)}, 413),
    ],
    ids=["truncated", "garbage", "too many files", "part too large", "body too large"],
)
def test_files_are_closed_when_parsing_fails_midway(
    spooled: list[SpooledTemporaryFile[bytes]],
    tail: bytes,
    options: dict[str, Any],
    status: int,
) -> None:
    app = form_app(**{"max_body_size": 4 * MiB, **options})
    chunks = [*in_chunks(FAILING_UPLOADS, 64 * KiB), tail]
    got_status, _ = anyio.run(call, app, chunks, MULTIPART)
    assert got_status == status
    assert len(spooled) >= 2
    assert getattr(spooled[0], "_rolled")  # noqa: B009
    assert all(made.closed for made in spooled)


def test_files_are_closed_when_the_client_disconnects_midway(
    spooled: list[SpooledTemporaryFile[bytes]],
) -> None:
    results: list[BaseException] = []

    async def endpoint(request: Request) -> Response:
        try:
            await request.form()
        except BaseException as exc:
            results.append(exc)
            raise
        return JSONResponse(None)  # pragma: no cover - the form never parses

    async def main() -> None:
        app = Transom()
        app.add_route("/", endpoint, methods=["POST"])
        scope = http_scope("POST")
        scope["headers"] = [(b"content-type", MULTIPART.encode())]
        messages: list[Message] = [
            {"type": "http.request", "body": FAILING_UPLOADS[:5000], "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> Message:
            return messages.pop(0)

        async def send(message: Message) -> None:
            pass

        await app(scope, receive, send)

    anyio.run(main)
    assert type(results[0]).__name__ == "ClientDisconnect"
    assert spooled
    assert all(made.closed for made in spooled)


def test_a_large_upload_streams_to_disk_in_bounded_memory() -> None:
    """50 MiB through a route without a body limit: the file rolls to disk and the
    parse allocates far less than the upload (tracemalloc counts Python allocations)."""
    size = 50 * MiB
    chunk = b"z" * (256 * KiB)
    seen: list[tuple[bool, int | None, int]] = []

    async def endpoint(request: Request) -> Response:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        async with request.form() as form:
            peak = tracemalloc.get_traced_memory()[1] - before
            upload = form["f"]
            assert isinstance(upload, UploadFile)
            seen.append((getattr(upload.file, "_rolled"), upload.size, peak))  # noqa: B009
        return JSONResponse(None)

    def body() -> Iterator[bytes]:  # the headers, 200 chunks of the file, the closing boundary
        yield part('name="f"; filename="big"').removesuffix(b"\r\n")
        for _ in range(size // len(chunk)):
            yield chunk
        yield f"\r\n--{BOUNDARY}--\r\n".encode()

    app = Transom(max_body_size=None)
    app.add_route("/", endpoint, methods=["POST"])
    tracemalloc.start()
    try:
        status, _ = anyio.run(call, app, body(), MULTIPART)
    finally:
        tracemalloc.stop()
    assert status == 200
    rolled, upload_size, peak = seen[0]
    assert (rolled, upload_size) == (True, size)
    assert peak < 8 * MiB, f"parsing 50 MiB peaked at {peak / MiB:.1f} MiB"


def test_form_data_from_parse_form_directly() -> None:
    async def main() -> FormData:
        async def stream() -> Any:
            yield b"a=1&b"
            yield b"=2"

        return await forms.parse_form(stream(), URLENCODED)

    assert anyio.run(main).multi_items() == [("a", "1"), ("b", "2")]


def test_the_examples_in_the_docs_run() -> None:
    text = (Path(__file__).parents[1] / "docs" / "forms.md").read_text(encoding="utf-8")
    examples = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert len(examples) >= 2
    for example in examples:
        exec(compile(example, "docs/forms.md", "exec"), {})
