"""S10's hand-written revalidation for the frameworks without it (all but Transom).

What their endpoints do: hash the serialised body into a strong ETag (BLAKE2b,
128 bits, hex: the same tag transom's `etag=True` computes) and answer 304 when
the request's `If-None-Match` lists it (weak comparison, `*` included).
"""

from __future__ import annotations

import hashlib


def body_etag(body: bytes) -> str:
    """The quoted ETag of `body`."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether `If-None-Match: if_none_match` holds `etag` (or is `*`)."""
    if if_none_match is None:
        return False
    if if_none_match == etag or if_none_match.strip() == "*":
        return True
    return etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
