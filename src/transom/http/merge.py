"""How two sets of response headers combine: the one merge, by header kind.

Every place that combines headers calls `merge_headers`: a route merging the
temporal response into what it sends, an exception layer merging it into an
error response, a route's declared static headers, CORS replacing its own
headers. The rules (contract rule T5):

- `Content-Length` belongs to whoever built the body, never to the other side;
- `Set-Cookie`: one line per cookie identity (name, domain, path), see
  `cookie_identity`;
- list headers (`Vary`, `Link`, ...; see `HeaderKind`): the items are united,
  without duplicates, in order of first appearance (compared case-insensitively,
  but for `Link`, whose URLs are case-sensitive: `list_item_key`);
- any other header is single-valued: the winning side's value, and of several
  values on the other side, the last.

Sans-IO and standard library only, like the rest of `transom.http`.
"""

from __future__ import annotations

from transom.http.cookies import CookieIdentity, cookie_identity
from transom.http.headers import (
    HeaderKind,
    RawHeaders,
    header_kind,
    list_item_key,
    split_list_value,
)

__all__ = ["add_list_value", "merge_data_headers", "merge_headers", "set_cookie_identity"]


def set_cookie_identity(value: bytes) -> CookieIdentity:
    """The identity (name, domain, path) of a `Set-Cookie` header value.

    Parsed from the bytes, then folded by `cookie_identity` exactly as a cookie
    set through `set_cookie` is, so both ways of setting a cookie agree.
    """
    name_value, *attributes = value.decode("latin-1").split(";")
    domain: str | None = None
    path: str | None = None
    for attribute in attributes:
        key, _, item = attribute.partition("=")
        key = key.strip().lower()
        if key == "domain":
            domain = item.strip()
        elif key == "path":
            path = item.strip()
    return cookie_identity(name_value.partition("=")[0].strip(), domain, path)


def _unite(name: bytes, current: bytes, extra: bytes) -> bytes:
    items = split_list_value(current.decode("latin-1"))
    fold = list_item_key(name)
    seen = {fold(item) for item in items}
    for item in split_list_value(extra.decode("latin-1")):
        key = fold(item)
        if key not in seen:
            seen.add(key)
            items.append(item)
    return ", ".join(items).encode("latin-1")


def merge_headers(primary: RawHeaders, secondary: RawHeaders, *, data: bool = False) -> RawHeaders:
    """Merge `secondary` into `primary` by kind; `primary` wins on conflict.

    Neither list is changed: the result is a new list (or `primary` itself when
    `secondary` is empty), so an object that outlives the request, such as a
    module-level response, never collects one request's headers.

    Args:
        primary: The winning headers. For a response a handler returned, its
            own headers; for a response built from data, the temporal ones.
        secondary: The headers that fill in. For a returned response, the
            temporal ones; for a response built from data, the framework's.
        data: The response is built from data: `Content-Length` comes from
            `secondary` (the framework serialised the body), never from
            `primary`, and repeated headers within `primary` resolve by kind.
            Otherwise `Content-Length` is never taken from `secondary`.
    """
    if data:
        return merge_data_headers(primary, secondary)
    if not secondary:
        return primary
    merged = list(primary)
    present = {name for name, _ in primary}
    added: dict[bytes, int] = {}
    identities: set[CookieIdentity] | None = None
    cookies: dict[CookieIdentity, int] = {}
    for name, value in secondary:
        kind = header_kind(name)
        if kind is HeaderKind.SET_COOKIE:
            if identities is None:
                identities = {set_cookie_identity(v) for n, v in primary if n == b"set-cookie"}
            identity = set_cookie_identity(value)
            if identity in identities:
                continue
            if identity in cookies:  # the later line of one cookie replaces the earlier
                merged[cookies[identity]] = (name, value)
            else:
                cookies[identity] = len(merged)
                merged.append((name, value))
        elif kind is HeaderKind.LIST:
            _add_list_item(merged, name, value)
        elif name in present or name == b"content-length":
            continue
        elif name in added:
            merged[added[name]] = (name, value)
        else:
            added[name] = len(merged)
            merged.append((name, value))
    return merged


def add_list_value(headers: RawHeaders, name: bytes, value: bytes) -> None:
    """Add the items of list header `name` (e.g. `Vary`) to `headers` in place, by kind.

    They join the first `name` line, without duplicates (case-insensitively),
    or become a new line if there is none.
    """
    _add_list_item(headers, name, value)


def _add_list_item(merged: RawHeaders, name: bytes, value: bytes) -> None:
    for index, (existing, current) in enumerate(merged):
        if existing == name:
            merged[index] = (name, _unite(name, current, value))
            return
    merged.append((name, value))


def merge_data_headers(
    own: RawHeaders, framework: RawHeaders, resolved: bool = False
) -> RawHeaders:
    """`merge_headers(own, framework, data=True)`: the temporal headers over the defaults.

    Called by that name on the request path (a keyword dispatch less).

    The common case is a handful of temporal headers with distinct names over
    `Content-Length` and `Content-Type`: one pass each, no merge by kind. The
    `Set-Cookie` lines of `own` are one per cookie identity already: the
    temporal response keeps them so, raw lines included. (Plain loops: a
    comprehension is a call of its own on the per-request path.)
    """
    headers: RawHeaders = []
    defaults: RawHeaders = []
    for pair in framework:
        (headers if pair[0] == b"content-length" else defaults).append(pair)
    seen: set[bytes] = set()
    for pair in own:
        name = pair[0]
        if name in seen and name != b"set-cookie" and not resolved:
            # Resolve the repeats by kind first.
            return merge_data_headers(merge_headers([], own), framework, True)
        seen.add(name)
        if name != b"content-length":
            headers.append(pair)
    if len(defaults) == 1 and defaults[0][0] == b"content-type":
        if b"content-type" not in seen:
            headers.append(defaults[0])
        return headers
    return merge_headers(headers, defaults)
