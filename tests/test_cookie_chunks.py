"""Sealed cookies too long for one cookie: chunks `name.0` ... `name.N-1`, bounded, cleaned up."""

import secrets
from typing import Annotated

import httpx
import pytest

from transom import Cookie, CookieError, Keyring, Response, Transom
from transom.sealing import MAX_CHUNKS, chunk_plan
from transom.testclient import TestClient

KEY = "k" * 32
DELETED = "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"


def sent(response: httpx.Response) -> list[tuple[str, str, str]]:
    """(name, value, attributes) of every Set-Cookie line."""
    found = []
    for line in response.headers.get_list("set-cookie"):
        name_value, _, attributes = line.partition("; ")
        name, _, value = name_value.partition("=")
        found.append((name, value, attributes))
    return found


def make_app(*, encrypted: bool = False) -> Transom:
    app = Transom(keyring=Keyring([KEY]))

    @app.get("/set/{size}")
    async def set_data(size: int, response: Response) -> None:
        # Random text: it does not compress, and each size is its own length.
        data = secrets.token_hex(size // 2)
        response.set_cookie("data", data, max_age=3600, signed=not encrypted, encrypted=encrypted)

    @app.get("/get")
    async def get_data(
        data: Annotated[str | None, Cookie(signed=not encrypted, encrypted=encrypted)] = None,
    ) -> int | None:
        return None if data is None else len(data)

    @app.get("/delete")
    async def delete(response: Response) -> None:
        response.delete_cookie("data")

    return app


def call(app: Transom, path: str, cookies: dict[str, str] | None = None) -> httpx.Response:
    headers = {}
    if cookies:
        headers["cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    with TestClient(app) as client:
        return client.get(path, headers=headers)


def jar(response: httpx.Response) -> dict[str, str]:
    return {
        name: value for name, value, attributes in sent(response) if "Max-Age=0" not in attributes
    }


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
def test_a_long_value_is_split_over_numbered_chunks_and_read_back(encrypted: bool) -> None:
    app = make_app(encrypted=encrypted)
    response = call(app, "/set/10000")
    cookies = sent(response)
    assert [name for name, _, _ in cookies] == ["data.0", "data.1", "data.2", "data.3"]
    assert all(attributes == "Max-Age=3600; Path=/; SameSite=Lax" for _, _, attributes in cookies)
    assert all(len(line) < 4096 for line in response.headers.get_list("set-cookie"))
    assert call(app, "/get", jar(response)).json() == 10000


def test_a_value_that_fits_is_one_plain_cookie() -> None:
    app = make_app()
    response = call(app, "/set/100")
    assert [name for name, _, _ in sent(response)] == ["data"]
    assert call(app, "/get", jar(response)).json() == 100


def test_every_line_stays_under_4096_bytes_at_the_boundary() -> None:
    app = make_app()
    for size in range(2900, 3100, 2):
        response = call(app, f"/set/{size}")
        assert all(len(line) < 4096 for line in response.headers.get_list("set-cookie")), size
        assert call(app, "/get", jar(response)).json() == size


def test_too_many_chunks_is_a_clear_error() -> None:
    app = make_app()
    with pytest.raises(CookieError, match=r"more than 10 cookies of \d+ bytes\. Store less"):
        call(app, "/set/40000")
    assert MAX_CHUNKS == 10


def test_a_missing_or_swapped_chunk_makes_the_cookie_absent() -> None:
    app = make_app()
    cookies = jar(call(app, "/set/10000"))
    missing = {name: value for name, value in cookies.items() if name != "data.1"}
    assert call(app, "/get", missing).json() is None
    last = {name: value for name, value in cookies.items() if name != "data.3"}
    assert call(app, "/get", last).json() is None
    swapped = dict(cookies, **{"data.0": cookies["data.1"], "data.1": cookies["data.0"]})
    assert call(app, "/get", swapped).json() is None


def test_a_plain_cookie_beside_chunks_wins_and_is_deleted_when_chunks_are_set() -> None:
    app = make_app()
    small = jar(call(app, "/set/100"))
    response = call(app, "/set/10000", small)
    names = [(name, DELETED in attributes) for name, _, attributes in sent(response)]
    assert names == [
        ("data.0", False),
        ("data.1", False),
        ("data.2", False),
        ("data.3", False),
        ("data", True),
    ]


def test_a_shrinking_value_deletes_every_stale_chunk_the_request_carried() -> None:
    app = make_app()
    big = jar(call(app, "/set/10000"))
    response = call(app, "/set/100", big)
    assert [(name, DELETED in attributes) for name, _, attributes in sent(response)] == [
        ("data", False),
        ("data.0", True),
        ("data.1", True),
        ("data.2", True),
        ("data.3", True),
    ]
    deletion = sent(response)[1]
    assert deletion[2] == f"{DELETED}; Path=/; SameSite=Lax"
    fewer = call(app, "/set/5000", big)
    assert [(name, DELETED in attributes) for name, _, attributes in sent(fewer)] == [
        ("data.0", False),
        ("data.1", False),
        ("data.2", True),
        ("data.3", True),
    ]


def test_deleting_a_chunked_cookie_deletes_every_chunk() -> None:
    app = make_app()
    big = jar(call(app, "/set/10000"))
    response = call(app, "/delete", big)
    assert [(name, attributes) for name, _, attributes in sent(response)] == [
        ("data", f"{DELETED}; Path=/; SameSite=Lax"),
        ("data.0", f"{DELETED}; Path=/; SameSite=Lax"),
        ("data.1", f"{DELETED}; Path=/; SameSite=Lax"),
        ("data.2", f"{DELETED}; Path=/; SameSite=Lax"),
        ("data.3", f"{DELETED}; Path=/; SameSite=Lax"),
    ]


def test_setting_a_long_then_a_short_value_in_one_response_leaves_one_cookie() -> None:
    app = Transom(keyring=Keyring([KEY]))

    @app.get("/")
    async def twice(response: Response) -> None:
        response.set_cookie("data", "x" * 9000, signed=True)
        response.set_cookie("data", "short", signed=True)

    names = [(name, DELETED in attributes) for name, _, attributes in sent(call(app, "/"))]
    assert names[0] == ("data.0", True)
    assert ("data", False) in names
    assert all(deleted for name, deleted in names if name != "data")


def test_chunk_plan_ignores_other_cookies_and_refuses_attributes_too_long_for_a_chunk() -> None:
    cookies, stale = chunk_plan("a", "v", 20, {"a.x", "ab.0", "b", "a.1"})
    assert (cookies, stale) == ([("a", "v")], ["a.1"])
    with pytest.raises(CookieError, match="attributes leave no room"):
        chunk_plan("a", "v" * 5000, 4090, set())
