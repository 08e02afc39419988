"""The typed header setters of every response: Cache-Control, ETag, Last-Modified, Link, Vary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

import pytest

from transom import CacheControl, Cookie, JSONResponse, Response, Transom
from transom.exceptions import ResponseStartedError
from transom.temporal import TemporalResponse
from transom.testclient import TestClient


def raw(response: Response, name: bytes) -> list[bytes]:
    return [value for key, value in response.raw_headers if key == name]


# --- Cache-Control --------------------------------------------------------------------


def test_set_cache_control_writes_the_canonical_value_and_replaces() -> None:
    response = Response()
    response.set_cache_control(max_age=60, public=True, stale_while_revalidate=30)
    assert raw(response, b"cache-control") == [b"public, max-age=60, stale-while-revalidate=30"]
    response.set_cache_control(no_store=True)
    assert raw(response, b"cache-control") == [b"no-store"]
    response.headers.append("Cache-Control", "max-age=1")  # a second raw line ...
    response.set_cache_control(CacheControl(private=True, max_age=0))  # ... is replaced too
    assert raw(response, b"cache-control") == [b"private, max-age=0"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"public": True, "private": True}, "public and private contradict"),
        ({"no_store": True, "max_age": 5}, "no-store and max-age contradict"),
        ({"max_age": -1}, "max-age must be a non-negative int"),
        ({"max_age": 2.5}, "got max_age=2.5"),
        ({}, "at least one directive"),
    ],
)
def test_set_cache_control_raises_naming_the_rule(kwargs: dict[str, Any], message: str) -> None:
    response = Response()
    with pytest.raises(ValueError, match=message):
        response.set_cache_control(**kwargs)
    assert raw(response, b"cache-control") == []


def test_set_cache_control_remembers_only_valid_arguments_of_the_same_types() -> None:
    response = Response()
    response.set_cache_control(max_age=1)
    response.set_cache_control(public=True, max_age=1)
    for kwargs in ({"max_age": True}, {"max_age": 1.0}, {"public": 1, "max_age": 1}):
        with pytest.raises(ValueError, match=r"must be a non-negative int|is a flag"):
            response.set_cache_control(**kwargs)
    with pytest.raises(ValueError, match=r"got max_age=\[1\]"):
        response.set_cache_control(max_age=[1])  # type: ignore[arg-type]


def test_set_cache_control_takes_a_policy_or_keywords_not_both() -> None:
    with pytest.raises(TypeError, match="a CacheControl or directives, not both"):
        Response().set_cache_control(CacheControl(max_age=1), public=True)
    with pytest.raises(TypeError, match="takes a CacheControl or keyword directives, got str"):
        Response().set_cache_control("max-age=1")  # type: ignore[arg-type]


# --- ETag and Last-Modified --------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "weak", "value"),
    [("v1", False, b'"v1"'), ("v1", True, b'W/"v1"'), ('"v1"', False, b'"v1"'), ("", False, b'""')],
)
def test_set_etag_quotes_the_tag(tag: str, weak: bool, value: bytes) -> None:
    response = Response()
    assert not response.has_validators
    response.set_etag(tag, weak=weak)
    assert raw(response, b"etag") == [value]
    assert response.has_validators


def test_set_etag_replaces_and_refuses_what_is_not_etagc() -> None:
    response = Response(headers={"ETag": '"old"'})
    response.set_etag("new")
    assert raw(response, b"etag") == [b'"new"']
    with pytest.raises(ValueError, match="etagc characters"):
        response.set_etag("two words")


def test_set_last_modified_writes_an_imf_fixdate_truncated_to_seconds() -> None:
    response = Response()
    paris = timezone(timedelta(hours=2))
    response.set_last_modified(datetime(2015, 10, 21, 9, 28, 0, 999999, tzinfo=paris))
    assert raw(response, b"last-modified") == [b"Wed, 21 Oct 2015 07:28:00 GMT"]
    assert response.has_validators
    response.set_last_modified(datetime(2016, 1, 1, tzinfo=UTC))
    assert raw(response, b"last-modified") == [b"Fri, 01 Jan 2016 00:00:00 GMT"]


@pytest.mark.parametrize("moment", [datetime(2015, 10, 21), "Wed, 21 Oct 2015 07:28:00 GMT", 0])
def test_set_last_modified_needs_an_aware_datetime(moment: Any) -> None:
    with pytest.raises(ValueError, match="needs an aware datetime"):
        Response().set_last_modified(moment)


# --- Link ------------------------------------------------------------------------------


def test_add_link_formats_and_unites_links() -> None:
    response = Response()
    response.add_link("/items?page=3", rel="next", title="Page 3")
    response.add_link("/items?page=1", rel="prev")
    response.add_link("/items?page=3", rel="next", title="Page 3")  # the same link: once
    response.add_link("/Items?page=1", rel="prev")  # URLs are case-sensitive: another link
    response.add_link("https://example.com/a", rel="alternate", type="text/html", hreflang="de")
    assert raw(response, b"link") == [
        b'</items?page=3>; rel="next"; title="Page 3", </items?page=1>; rel="prev", '
        b'</Items?page=1>; rel="prev", '
        b'<https://example.com/a>; rel="alternate"; type="text/html"; hreflang="de"'
    ]


def test_add_link_escapes_quotes_in_parameters() -> None:
    response = Response()
    response.add_link("/a", rel="next", title='say "hi" \\ bye')
    assert raw(response, b"link") == [b'</a>; rel="next"; title="say \\"hi\\" \\\\ bye"']


@pytest.mark.parametrize(
    ("url", "rel", "params", "message"),
    [
        ("/a>; rel=evil", "next", {}, "is not a URI reference"),
        ("/a\r\nX-Evil: 1", "next", {}, "is not a URI reference"),
        ("/a b", "next", {}, "is not a URI reference"),
        ('/a"b', "next", {}, "is not a URI reference"),
        ("/caf\u00e9", "next", {}, "percent-encode them"),
        ("/a", "", {}, "must name the relation"),
        ("/a", "next", {"bad name": "x"}, "parameter name 'bad name' must be a token"),
        ("/a", "next", {"title": "a\nb"}, "Link parameter title 'a\\\\nb' contains"),
        ("/a", "next\x00", {}, "Link rel 'next\\\\x00' contains"),
        ("/a", "next", {"title": 5}, "must be a str, got int 5"),
    ],
)
def test_add_link_refuses_what_would_break_the_header(
    url: str, rel: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Response().add_link(url, rel=rel, **params)


# --- Vary ------------------------------------------------------------------------------


def test_add_vary_unites_names_case_insensitively() -> None:
    response = Response(headers={"Vary": "Accept"})
    response.add_vary("accept", "Origin")
    response.add_vary("Accept-Encoding", "origin")
    response.add_vary()
    assert raw(response, b"vary") == [b"Accept, Origin, Accept-Encoding"]


@pytest.mark.parametrize("name", ["Accept, Origin", "", "X Y"])
def test_add_vary_refuses_what_is_not_a_field_name(name: str) -> None:
    with pytest.raises(ValueError, match=r"is not one \(RFC 9110 section 12.5.5\)"):
        Response().add_vary("Accept", name)


# --- On the temporal response ------------------------------------------------------------


def test_the_temporal_response_notes_validators_however_they_are_set() -> None:
    setters: list[Callable[[TemporalResponse], object]] = [
        lambda r: r.set_etag("v1"),
        lambda r: r.set_last_modified(datetime(2020, 1, 1, tzinfo=UTC)),
        lambda r: r.headers.__setitem__("ETag", '"v1"'),
        lambda r: r.headers.append("etag", '"v1"'),
        lambda r: r.headers.setdefault("Last-Modified", "Wed, 01 Jan 2020 00:00:00 GMT"),
        lambda r: r.headers.update({"ETag": '"v1"'}),
    ]
    for setter in setters:
        temporal = TemporalResponse()
        assert not temporal.has_validators
        setter(temporal)
        assert temporal.has_validators
    temporal = TemporalResponse()
    temporal.headers["X-Other"] = "1"
    temporal.set_cache_control(max_age=1)
    assert not temporal.has_validators


def test_a_started_temporal_response_refuses_the_setters() -> None:
    temporal = TemporalResponse()
    temporal.freeze()
    calls: list[Callable[[], object]] = [
        lambda: temporal.set_cache_control(max_age=1),
        lambda: temporal.set_etag("v1"),
        lambda: temporal.set_last_modified(datetime(2020, 1, 1, tzinfo=UTC)),
        lambda: temporal.add_link("/a", rel="next"),
        lambda: temporal.add_vary("Accept"),
    ]
    for call in calls:
        with pytest.raises(ResponseStartedError):
            call()
    assert temporal.raw_headers == []


def test_temporal_headers_reach_the_client_merged_by_kind() -> None:
    app = Transom()

    @app.get("/items")
    def items(response: Response, theme: Annotated[str | None, Cookie()] = None) -> list[int]:
        response.set_cache_control(private=True, max_age=60)
        response.set_etag("list-v3")
        response.set_last_modified(datetime(2015, 10, 21, 7, 28, tzinfo=UTC))
        response.add_link("/items?page=2", rel="next")
        response.add_vary("Accept", "cookie")
        return [1, 2]

    @app.get("/own")
    def own(response: Response) -> JSONResponse:
        response.add_vary("Accept")
        response.add_link("/a", rel="next")
        returned = JSONResponse([1], headers={"Vary": "Origin, accept", "Link": '</b>; rel="prev"'})
        returned.add_link("/a", rel="next")
        return returned

    client = TestClient(app)
    assert client.get("/items").headers.multi_items() == [
        ("content-length", "5"),
        ("cache-control", "private, max-age=60"),
        ("etag", '"list-v3"'),
        ("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("link", '</items?page=2>; rel="next"'),
        ("vary", "Accept, cookie"),  # the route read cookies: its Vary: Cookie joined
        ("content-type", "application/json"),
    ]
    assert client.get("/own").headers.multi_items() == [
        ("vary", "Origin, accept"),
        ("link", '</b>; rel="prev", </a>; rel="next"'),
        ("content-length", "3"),
        ("content-type", "application/json"),
    ]
