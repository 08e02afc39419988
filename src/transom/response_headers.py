"""Typed response headers: `Cache-Control`, `ETag`, `Last-Modified`, `Link` and `Vary`.

`Response` (and so the temporal response) gets these methods from
`HeaderSetters`. Each checks its arguments when called and raises a
`ValueError` naming the rule (the rules live in `transom.http.caching` and
`transom.http.media`), then writes the header by its kind: `Cache-Control`,
`ETag` and `Last-Modified` are single-valued (a second call replaces the
first), `Link` and `Vary` are lists whose items are united without
duplicates, as the merge of `transom.http.merge` unites them.
"""

from __future__ import annotations

from datetime import datetime

from transom.http.caching import (
    CacheControl,
    check_vary_names,
    dump_entity_tag,
    format_http_date,
)
from transom.http.headers import RawHeaders, replace_header
from transom.http.media import dump_link
from transom.http.merge import add_list_value

__all__ = ["HeaderSetters"]

_CACHE_CONTROL_LIMIT = 256
#: (arguments, their types) -> the `Cache-Control` value: a repeated call checks nothing.
_CACHE_CONTROL: dict[tuple[object, ...], bytes] = {}
#: `set_cache_control`'s defaults, in `CacheControl`'s field order.
_NO_DIRECTIVES = (None, None, False, False, False, False, False, False, False, None, None, False)


class HeaderSetters:
    """`set_cache_control`, `set_etag`, `set_last_modified`, `add_link` and `add_vary`."""

    raw_headers: RawHeaders
    #: Whether an `ETag` or `Last-Modified` was set, so a conditional request is
    #: evaluated for this response (see `transom.http.caching.not_modified`).
    has_validators: bool = False

    def _noted_validator(self) -> None:
        """An `ETag` or `Last-Modified` was set (the temporal response also marks its list)."""
        self.has_validators = True

    def _set_single(self, name: bytes, value: bytes) -> None:
        """Set single-valued header `name`, replacing its earlier lines."""
        replace_header(self.raw_headers, name, value)

    def set_cache_control(
        self,
        policy: CacheControl | None = None,
        *,
        max_age: int | None = None,
        s_maxage: int | None = None,
        public: bool = False,
        private: bool = False,
        no_cache: bool = False,
        no_store: bool = False,
        must_revalidate: bool = False,
        proxy_revalidate: bool = False,
        immutable: bool = False,
        stale_while_revalidate: int | None = None,
        stale_if_error: int | None = None,
        no_transform: bool = False,
    ) -> None:
        """Set `Cache-Control` from its directives, checked (see `CacheControl`).

        Pass a `CacheControl` built once, or the directives as keywords:

        ```python
        response.set_cache_control(public=True, max_age=3600, stale_while_revalidate=60)
        # Cache-Control: public, max-age=3600, stale-while-revalidate=60
        ```

        Raises:
            ValueError: an age that is not a non-negative `int`, no directive, or
                contradictory directives (`public` with `private`, `no_store`
                with `max_age`, ...), naming the rule.
        """
        args = (
            max_age,
            s_maxage,
            public,
            private,
            no_cache,
            no_store,
            must_revalidate,
            proxy_revalidate,
            immutable,
            stale_while_revalidate,
            stale_if_error,
            no_transform,
        )
        if policy is not None:
            if not isinstance(policy, CacheControl):
                raise TypeError(
                    "set_cache_control() takes a CacheControl or keyword directives, got "
                    f"{type(policy).__name__} {policy!r}."
                )
            if args != _NO_DIRECTIVES:
                raise TypeError("Pass set_cache_control() a CacheControl or directives, not both.")
            self._set_single(b"cache-control", str(policy).encode("ascii"))
            return
        key = (*args, *map(type, args))  # 1 and True, or 1.0 and 1, must not share a value
        try:
            value = _CACHE_CONTROL.get(key)
        except TypeError:  # an unhashable argument: CacheControl says what is wrong
            value = None
        if value is None:
            value = str(CacheControl(*args)).encode("ascii")
            if len(_CACHE_CONTROL) < _CACHE_CONTROL_LIMIT:
                _CACHE_CONTROL[key] = value  # valid arguments, so hashable
        self._set_single(b"cache-control", value)

    def set_etag(self, tag: str, weak: bool = False) -> None:
        """Set `ETag` to `tag`, quoted (RFC 9110 section 8.8.3).

        `tag` is the opaque tag without quotes (`"v1"` is sent for `v1`; a tag
        already quoted is taken as it is), `weak=True` sends `W/"v1"`. A
        conditional `GET` whose `If-None-Match` matches it is answered 304.

        Raises:
            ValueError: if `tag` holds characters an entity tag cannot (space,
                `"`, control or non-latin-1 characters).
        """
        self._set_single(b"etag", dump_entity_tag(tag, weak).encode("latin-1"))
        self._noted_validator()

    def set_last_modified(self, moment: datetime) -> None:
        """Set `Last-Modified` to `moment`, an aware datetime, as an IMF-fixdate in GMT.

        Fractions of a second are dropped (HTTP dates have none). A conditional
        `GET` whose `If-Modified-Since` is not before it is answered 304.

        Raises:
            ValueError: if `moment` is not an aware `datetime`.
        """
        if not isinstance(moment, datetime) or moment.utcoffset() is None:
            raise ValueError(
                f"set_last_modified() needs an aware datetime, got {moment!r}; e.g. "
                "datetime.now(timezone.utc) or a datetime with tzinfo=timezone.utc."
            )
        self._set_single(b"last-modified", format_http_date(moment).encode("ascii"))
        self._noted_validator()

    def add_link(self, url: str, *, rel: str, **params: str) -> None:
        """Add a `Link` (RFC 8288): `<url>; rel="..."`, then each of `params` quoted.

        ```python
        response.add_link("/items?page=3", rel="next", title="Page 3")
        # Link: </items?page=3>; rel="next"; title="Page 3"
        ```

        Links are united into one `Link` header; the same link twice is sent once.

        Raises:
            ValueError: if `url` holds `<`, `>`, `"`, whitespace, control or
                non-ASCII characters, `rel` is empty, or a parameter cannot be sent.
        """
        value = dump_link(url, rel, params)
        add_list_value(self.raw_headers, b"link", value.encode("latin-1"))

    def add_vary(self, *names: str) -> None:
        """Add field names to `Vary`: the request headers this response depends on.

        Names already there (compared case-insensitively) are not repeated, and
        the `Vary: Cookie` that routes reading cookies add joins the same header.

        Raises:
            ValueError: if a name is not a token (e.g. `"Accept, Origin"`:
                pass `"Accept", "Origin"`).
        """
        checked = check_vary_names(names)
        if checked:
            add_list_value(self.raw_headers, b"vary", ", ".join(checked).encode("ascii"))
