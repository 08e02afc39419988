"""Properties of the whole request path, driven with raw ASGI calls to the fuzz app.

Each drawn request is sent as drawn and then, with the same headers, query and
body, to every route of the app (`ROUTES`), so every handler meets every
input. Whatever arrives, the app answers once, well-formed, below 500 (see
`client.response_problems`), and one request's cookies never reach another.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz.app import (
    ALLOWED_ORIGIN,
    ALLOWED_ORIGIN_REGEX,
    SHARED,
    SHARED_HEADERS,
    app,
    user_token,
)
from tests.fuzz.client import Exchange, RawRequest, exchange, exchange_all, response_problems
from tests.fuzz.conftest import Run
from tests.fuzz.findings import known_finding
from tests.fuzz.strategies import (
    chunked,
    deliverable_requests,
    field_values,
    hostile_requests,
    user_ids,
)

#: (method, path) of one request to each route, the drawn request's parts sent to all.
ROUTES = (
    ("GET", "/items/1"),
    ("PUT", "/items/1"),
    ("DELETE", "/items/1"),
    ("POST", "/items"),
    ("POST", "/bulk"),
    ("GET", "/shared"),
    ("GET", "/files/a/b.txt"),
    ("GET", "/stream"),
    ("GET", "/private"),
    ("OPTIONS", "/items/1"),
)


def fan_out(request: RawRequest) -> list[RawRequest]:
    """`request` as drawn, then its headers, query and body sent to each of `ROUTES`."""
    return [request] + [
        dataclasses.replace(request, method=method, path=path, raw_path=None, root_path="")
        for method, path in ROUTES
    ]


def assert_well_formed(results: list[Exchange]) -> None:
    for result in results:
        finding = known_finding(result)
        if finding is not None:
            event(f"known finding: {finding}")
            continue
        problems = response_problems(result)
        assert not problems, f"{problems}\n{result.describe()}"


@given(deliverable_requests())
def test_every_deliverable_request_gets_one_well_formed_answer(
    run: Run[Any], request: RawRequest
) -> None:
    assert_well_formed(run(exchange_all(app, fan_out(request))))


@given(hostile_requests())
def test_any_bytes_in_any_field_get_one_well_formed_answer(
    run: Run[Any], request: RawRequest
) -> None:
    assert_well_formed(run(exchange_all(app, fan_out(request))))


@given(deliverable_requests(), st.lists(st.integers(0, 64), max_size=4))
def test_how_the_body_is_chunked_never_changes_the_answer(
    run: Run[Any], request: RawRequest, cuts: list[int]
) -> None:
    body = b"".join(request.body)
    whole, split = run(
        exchange_all(
            app,
            [
                dataclasses.replace(request, body=[body]),
                dataclasses.replace(request, body=chunked(body, cuts)),
            ],
        )
    )
    assert_well_formed([whole, split])
    if whole.error is None and split.error is None:
        assert (whole.status, whole.headers, whole.body) == (
            split.status,
            split.headers,
            split.body,
        )


def _as_user(request: RawRequest, user: str, path: str) -> RawRequest:
    headers = [(name, value) for name, value in request.headers if name != b"x-user"]
    headers.append((b"x-user", user.encode("ascii")))
    return dataclasses.replace(
        request, method="GET", path=path, raw_path=None, root_path="", headers=headers
    )


def _cookies(result: Exchange) -> dict[str, list[str]]:
    """Each cookie name sent in `Set-Cookie`, with every value sent for it."""
    cookies: dict[str, list[str]] = {}
    for line in result.values(b"set-cookie"):
        name, _, value = line.decode("latin-1").partition(";")[0].partition("=")
        cookies.setdefault(name.strip(), []).append(value.strip())
    return cookies


@given(
    deliverable_requests(),
    # Distinct by construction: a filter for distinct ids would throw examples away.
    st.tuples(user_ids.map("a".__add__), user_ids.map("b".__add__)),
    st.sampled_from(["/shared", "/items/7", "/private"]),
    st.booleans(),
)
def test_no_cookie_of_one_user_reaches_another(
    run: Run[Any], request: RawRequest, users: tuple[str, str], path: str, concurrent: bool
) -> None:
    first, second = (_as_user(request, user, path) for user in users)

    async def pair() -> list[Exchange]:
        if concurrent:
            return list(await asyncio.gather(exchange(app, first), exchange(app, second)))
        return await exchange_all(app, [first, second])

    results = run(pair())
    assert_well_formed(results)
    assert SHARED.raw_headers == SHARED_HEADERS, "the shared response was changed"
    for result, user, other in zip(results, users, reversed(users), strict=True):
        if result.error is not None:
            continue
        own, stranger = user_token(user), user_token(other)
        for name, values in _cookies(result).items():
            assert stranger not in values, f"{name} of {other!r} sent to {user!r}"
        assert stranger.encode() not in result.values(b"x-user")
        if result.status == 200:
            assert _cookies(result).get("session") == [own], result.describe()


_origins = st.one_of(
    st.sampled_from([ALLOWED_ORIGIN, "https://shop.example.org", "https://app.example.com"]),
    field_values,
)


@given(deliverable_requests(), _origins)
def test_cors_headers_go_only_to_allowed_origins(
    run: Run[Any], request: RawRequest, origin: str
) -> None:
    headers = [(name, value) for name, value in request.headers if name != b"origin"]
    sent = dataclasses.replace(request, headers=[*headers, (b"origin", origin.encode("latin-1"))])
    result = run(exchange(app, sent))
    assert_well_formed([result])
    if result.error is not None:
        return
    allow = [name for name, _ in result.headers if name.startswith(b"access-control-allow-")]
    allowed = origin == ALLOWED_ORIGIN or re.fullmatch(ALLOWED_ORIGIN_REGEX, origin) is not None
    vary = b",".join(result.values(b"vary")).decode("latin-1").lower()
    assert "origin" in [item.strip() for item in vary.split(",")], result.describe()
    if not allowed:
        assert not allow, result.describe()
    elif result.status != 400:  # a refused preflight names no allowed origin
        assert result.values(b"access-control-allow-origin") == [origin.encode()]
        assert result.values(b"access-control-allow-credentials") == [b"true"]
