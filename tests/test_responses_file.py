"""FileResponse as a client sees it: body, length, validators and download names."""

from __future__ import annotations

import os
import re
from email.utils import formatdate
from pathlib import Path

import anyio
import pytest

from tests._asgi import call_raw, fetch, serve
from transom.responses import FileResponse
from transom.testclient import TestClient

OCT_21_2015 = 1445412480  # Wed, 21 Oct 2015 07:28:00 GMT


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello world")
    os.utime(path, (OCT_21_2015, OCT_21_2015))
    return path


def test_file_response(hello: Path) -> None:
    sent = fetch(FileResponse(hello))
    assert sent.status_code == 200
    assert sent.content == b"hello world"
    assert sent.headers["content-type"] == "text/plain; charset=utf-8"
    assert sent.headers.get_list("content-length") == ["11"]
    assert sent.headers["last-modified"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert re.fullmatch(r'"[0-9a-f]{32}"', sent.headers["etag"])
    assert "content-disposition" not in sent.headers


def test_last_modified_is_the_file_mtime(hello: Path) -> None:
    mtime = hello.stat().st_mtime
    assert fetch(FileResponse(hello)).headers["last-modified"] == formatdate(mtime, usegmt=True)


def test_etag_is_stable_and_changes_with_the_file(hello: Path) -> None:
    first = fetch(FileResponse(hello)).headers["etag"]
    assert fetch(FileResponse(str(hello))).headers["etag"] == first
    hello.write_bytes(b"hello world, again")
    os.utime(hello, (OCT_21_2015, OCT_21_2015))
    assert fetch(FileResponse(hello)).headers["etag"] != first


def test_etag_changes_with_mtime(hello: Path) -> None:
    first = fetch(FileResponse(hello)).headers["etag"]
    os.utime(hello, (OCT_21_2015 + 1, OCT_21_2015 + 1))
    assert fetch(FileResponse(hello)).headers["etag"] != first


def test_large_file_is_sent_in_chunks(tmp_path: Path) -> None:
    data = bytes(range(256)) * 800  # 204800 bytes: three full 64 KiB chunks and a tail
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    messages = anyio.run(call_raw, serve(FileResponse(path)))
    start, *bodies = messages
    assert dict(start["headers"])[b"content-length"] == b"204800"
    assert dict(start["headers"])[b"content-type"] == b"application/octet-stream"
    assert [len(message["body"]) for message in bodies] == [65536, 65536, 65536, 8192, 0]
    assert [message.get("more_body", False) for message in bodies] == [True] * 4 + [False]
    assert b"".join(message["body"] for message in bodies) == data


@pytest.mark.parametrize(
    ("filename", "disposition"),
    [
        ("report.txt", 'attachment; filename="report.txt"'),
        ("a b.txt", 'attachment; filename="a b.txt"'),
        (
            "résumé.pdf",
            "attachment; filename=\"r?sum?.pdf\"; filename*=utf-8''r%C3%A9sum%C3%A9.pdf",
        ),
        ("报告.txt", "attachment; filename=\"??.txt\"; filename*=utf-8''%E6%8A%A5%E5%91%8A.txt"),
        ('a"b.txt', 'attachment; filename="a\\"b.txt"; filename*=utf-8\'\'a%22b.txt'),
        ("a\\b.txt", "attachment; filename=\"a\\\\b.txt\"; filename*=utf-8''a%5Cb.txt"),
    ],
)
def test_content_disposition(hello: Path, filename: str, disposition: str) -> None:
    sent = fetch(FileResponse(hello, filename=filename))
    assert sent.headers.get_list("content-disposition") == [disposition]


def test_inline_content_disposition(hello: Path) -> None:
    response = FileResponse(hello, filename="a.txt", content_disposition_type="inline")
    assert fetch(response).headers["content-disposition"] == 'inline; filename="a.txt"'


def test_a_filename_with_a_line_break_is_encoded_never_sent_raw(hello: Path) -> None:
    # Names come from users' uploads: encoding them beats a 500.
    sent = fetch(FileResponse(hello, filename="a\r\nX-Evil: 1.txt"))
    assert "x-evil" not in sent.headers
    assert sent.headers["content-disposition"] == (
        "attachment; filename=\"a??X-Evil: 1.txt\"; filename*=utf-8''a%0D%0AX-Evil%3A%201.txt"
    )


RANGES = [
    # (Range header, status, Content-Range, body of "hello world")
    ("bytes=0-4", 206, "bytes 0-4/11", b"hello"),
    ("bytes=6-", 206, "bytes 6-10/11", b"world"),
    ("bytes=-5", 206, "bytes 6-10/11", b"world"),
    ("bytes=-50", 206, "bytes 0-10/11", b"hello world"),
    ("bytes=6-100", 206, "bytes 6-10/11", b"world"),  # an end past the file is clamped
    ("BYTES = 0-0", 206, "bytes 0-0/11", b"h"),
    ("bytes=0-2,1-4", 206, "bytes 0-4/11", b"hello"),  # overlapping ranges merge
    (
        "bytes=11-",
        416,
        "bytes */11",
        b"The requested range is not satisfiable for a file of 11 bytes.",
    ),
    ("bytes=4-2", 400, None, b"Malformed Range header: a range must end after it starts."),
    ("bytes=x-y", 400, None, b"Malformed Range header: no range could be read."),
    ("items=0-1", 400, None, b"Only byte ranges are supported ('bytes=start-end')."),
    ("0-1", 400, None, b"Malformed Range header: expected 'bytes=start-end'."),
    ("bytes=" + ",".join(["0-1"] * 101), 200, None, b"hello world"),  # too many: whole file
]


@pytest.mark.parametrize(("header", "status", "content_range", "body"), RANGES)
def test_range_requests(
    hello: Path, header: str, status: int, content_range: str | None, body: bytes
) -> None:
    sent = fetch(FileResponse(hello), headers={"Range": header})
    assert sent.status_code == status
    assert sent.headers.get("content-range") == content_range
    assert sent.content == body
    assert sent.headers["content-length"] == str(len(body))


def test_several_ranges_are_sent_as_multipart_byteranges(hello: Path) -> None:
    sent = fetch(FileResponse(hello), headers={"Range": "bytes=0-1, 6-7"})
    assert sent.status_code == 206
    boundary = sent.headers["content-type"].removeprefix("multipart/byteranges; boundary=")
    assert re.fullmatch(r"[0-9a-f]{26}", boundary)
    assert (
        sent.content
        == (
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Range: bytes 0-1/11\r\n\r\nhe\r\n"
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Range: bytes 6-7/11\r\n\r\nwo\r\n--{boundary}--"
        ).encode()
    )
    assert sent.headers["content-length"] == str(len(sent.content))


def test_if_range_applies_the_range_only_while_the_file_is_unchanged(hello: Path) -> None:
    first = fetch(FileResponse(hello))
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["accept-ranges"] == "bytes"
    for validator, status in [(etag, 206), (modified, 206), ('"other"', 200), ("W/" + etag, 200)]:
        sent = fetch(FileResponse(hello), headers={"Range": "bytes=0-4", "If-Range": validator})
        assert sent.status_code == status


def test_ranges_only_for_a_200_to_get_or_head(hello: Path) -> None:
    assert fetch(FileResponse(hello, status_code=404), headers={"Range": "bytes=0-1"}).content == (
        b"hello world"
    )
    head = fetch(FileResponse(hello), "HEAD", headers={"Range": "bytes=0-1"})
    assert (head.status_code, head.headers["content-length"], head.content) == (206, "2", b"")
    post = fetch(FileResponse(hello), "POST", headers={"Range": "bytes=0-1"})
    assert (post.status_code, post.content) == (200, b"hello world")


def test_a_file_that_shrinks_while_sent_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"0123456789")
    response = FileResponse(path, stat_result=path.stat())
    path.write_bytes(b"01")
    with pytest.raises(RuntimeError, match="became shorter"):
        fetch(response, headers={"Range": "bytes=4-8"})


@pytest.mark.parametrize(
    ("name", "filename", "media_type", "content_type"),
    [
        ("data.bin", "x.json", None, "application/json"),
        ("page.html", None, None, "text/html; charset=utf-8"),
        ("blob.unknownext", None, None, "application/octet-stream"),
        ("page.html", None, "application/custom", "application/custom"),
    ],
)
def test_media_type_is_guessed_from_filename_then_path(
    tmp_path: Path, name: str, filename: str | None, media_type: str | None, content_type: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"{}")
    sent = fetch(FileResponse(path, filename=filename, media_type=media_type))
    assert sent.headers["content-type"] == content_type


def test_given_stat_result_sets_headers_at_construction(hello: Path) -> None:
    response = FileResponse(hello, stat_result=hello.stat())
    assert response.headers["content-length"] == "11"
    assert response.headers["last-modified"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert fetch(response).content == b"hello world"


def test_head_sends_headers_without_the_file(hello: Path) -> None:
    get = fetch(FileResponse(hello))
    head = fetch(FileResponse(hello), "HEAD")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers == get.headers
    assert head.headers["content-length"] == "11"


@pytest.mark.parametrize("changed_after", [False, True])
def test_not_modified_keeps_validators_and_drops_content_headers(
    hello: Path, changed_after: bool
) -> None:
    if changed_after:
        response = FileResponse(hello)
        response.status_code = 304
    else:
        response = FileResponse(hello, status_code=304)
    sent = fetch(response)
    assert sent.status_code == 304
    assert sent.content == b""
    assert "content-length" not in sent.headers
    assert "content-type" not in sent.headers
    assert sent.headers["last-modified"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert "etag" in sent.headers


def test_missing_file_raises(tmp_path: Path) -> None:
    client = TestClient(serve(FileResponse(tmp_path / "missing.txt")))
    with pytest.raises(RuntimeError, match=r"file '.*missing\.txt' does not exist"):
        client.get("/")


def test_missing_file_is_a_500_when_server_exceptions_are_not_raised(tmp_path: Path) -> None:
    client = TestClient(
        serve(FileResponse(tmp_path / "missing.txt")), raise_server_exceptions=False
    )
    assert client.get("/").status_code == 500


def test_directory_is_not_a_regular_file(tmp_path: Path) -> None:
    client = TestClient(serve(FileResponse(tmp_path)))
    with pytest.raises(RuntimeError, match="is not a regular file"):
        client.get("/")
