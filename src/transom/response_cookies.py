"""How a response sets and deletes cookies: `set_cookie`, `delete_cookie` and the cookie table.

`Response` gets these methods from `CookieSetter`. Cookies are kept one per
identity (name, domain, path) in a table beside the raw headers, so setting
the same cookie twice replaces its `Set-Cookie` line instead of sending both.

While the app answers a request it puts a `CookieContext` in
`transom.sealing.COOKIE_CONTEXT` if it has a key ring or a cookie policy: the
policy fills in the arguments a call leaves out, and the key ring signs or
encrypts (`signed=True`, `encrypted=True`). Without either, a call goes
straight to the per-combination cache of `transom.http.cookies`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from transom.http.cookies import (
    UNSET,
    CookieAttributes,
    CookieError,
    CookieIdentity,
    Expires,
    SameSite,
    cookie_identity,
    dump_delete_cookie,
    expiry_moment,
    set_cookie_line,
)
from transom.http.headers import RawHeaders
from transom.http.policy import Attributes, resolve_attributes
from transom.sealing import (
    CookieContext,
    Opened,
    chunk_plan,
    current_context,
    encode_payload,
    request_cookie_names,
    seal_value,
)

__all__ = ["CookieSetter", "CookieTable", "plain_set_cookie"]

#: identity -> (the `Set-Cookie` line, its attributes, kept on an error response)
CookieTable = dict[CookieIdentity, tuple[bytes, CookieAttributes, bool]]


_NO_KEYRING = (
    "set_cookie(..., {mode}=True) needs the app's key ring, and this request's app has "
    "none: Transom(keyring=Keyring.from_env('APP_KEYS')) (see docs/cookie-security.md)."
)


class CookieSetter:
    """`set_cookie`, `delete_cookie` and the cookie table of a response."""

    raw_headers: RawHeaders
    _cookies: CookieTable | None
    #: Cookies the route declared (`response_cookies=`), for `delete_cookie`.
    declared_cookies: Mapping[str, CookieAttributes]
    #: Declared cookies kept on error responses (`keep_on_error=True`), for the temporal response.
    kept_on_error: frozenset[str] = frozenset()

    def set_cookie(
        self,
        key: str,
        value: Any = "",
        max_age: int | None = None,
        expires: Expires | None = None,
        path: str | None = UNSET,
        domain: str | None = UNSET,
        secure: bool = UNSET,
        httponly: bool = UNSET,
        samesite: SameSite | None = UNSET,
        partitioned: bool = UNSET,
        # Not keyword-only: a keyword-only default costs a dict lookup per call
        # (measured, bench/instructions.py); pass them by keyword all the same.
        compat: bool = False,
        keep_on_error: bool = False,
        signed: bool = False,
        encrypted: bool = False,
        purpose: str | None = None,
    ) -> None:
        """Set a cookie, checked now against RFC 6265bis (see `dump_set_cookie`).

        Setting a cookie of the same name, domain and path again replaces it.
        An argument left out comes from the app's `CookiePolicy`, if it has
        one, else the defaults: `path="/"`, `samesite="lax"`, no domain, not
        secure, HttpOnly or partitioned. With `compat=True` a value outside
        cookie-octets is quoted the way Starlette does instead of raising. On
        the temporal response, a cookie the request *sets* is dropped from an
        error response (T7) unless it is set with `keep_on_error=True` (or
        declared so); deletions are kept.

        With `signed=True` (HMAC-SHA256) or `encrypted=True` (AES-256-GCM)
        `value` may be a `str` or any JSON-serialisable data (models
        included); it is sealed with the app's key ring, bound to the name and
        `purpose`, with its expiry inside, and split over `key.0`, `key.1`, ...
        if it is too long for one cookie. Read it with
        `Annotated[T, Cookie(signed=True)]` (or `encrypted=True`).

        Raises:
            CookieError: naming the rule the cookie breaks.
        """
        context = current_context()
        if context is None and not (signed or encrypted):
            plain_set_cookie(
                self,
                key,
                value,
                max_age,
                expires,
                path,
                domain,
                secure,
                httponly,
                samesite,
                partitioned,
                compat,
                keep_on_error,
            )
            return
        self.set_cookie_in(
            context,
            key,
            value,
            (max_age, expires, path, domain, secure, httponly, samesite, partitioned),
            compat=compat,
            keep_on_error=keep_on_error,
            signed=signed,
            encrypted=encrypted,
            purpose=purpose,
        )

    def set_cookie_in(
        self,
        context: CookieContext | None,
        key: str,
        value: Any,
        given: Attributes,
        *,
        compat: bool,
        keep_on_error: bool,
        signed: bool,
        encrypted: bool,
        purpose: str | None,
    ) -> None:
        """`set_cookie` with `context`'s policy, or sealed with its key ring.

        `given` is (max_age, expires, path, domain, secure, httponly, samesite,
        partitioned), `UNSET` for what the call leaves out.
        """
        policy = None if context is None else context.policy
        resolved = given if policy is None else resolve_attributes(policy, key, *given)
        max_age = resolved[0]
        kept = keep_on_error or key in self.kept_on_error or (max_age is not None and max_age <= 0)
        if not (signed or encrypted):
            line, attributes, identity = set_cookie_line(key, value, *resolved, compat)
            self._store_cookie(identity, line, attributes, kept)
            return
        if signed and encrypted:
            raise CookieError(
                f"Cookie {key!r}: pass signed=True or encrypted=True, not both; an "
                "encrypted cookie is authenticated too."
            )
        if purpose is not None and not isinstance(purpose, str):
            raise CookieError(f"Cookie {key!r} purpose must be a str, got {purpose!r}.")
        keyring = None if context is None else context.keyring
        if context is None or keyring is None:
            raise RuntimeError(_NO_KEYRING.format(mode="encrypted" if encrypted else "signed"))
        resolved = resolve_attributes(None, key, *resolved)
        payload = encode_payload(key, value)
        expiry = expiry_moment(key, resolved[0], resolved[1])
        self._set_sealed(context, key, payload, expiry, resolved, kept, encrypted, purpose)

    def _set_sealed(
        self,
        context: CookieContext,
        key: str,
        payload: bytes,
        expiry: float | None,
        resolved: Attributes,
        kept: bool,
        encrypted: bool,
        purpose: str | None,
    ) -> None:
        """Seal `payload`, then set it as one cookie or as chunks, deleting stale ones."""
        assert context.keyring is not None
        # The attributes checked (and the line's length without a value) once, for every chunk.
        empty, attributes, _ = set_cookie_line(f"{key}.0", "", *resolved, False)
        text = seal_value(
            context.keyring, key, purpose, payload, expiry, attributes, encrypted=encrypted
        )
        present = request_cookie_names(context.scope)
        present.update(name for name, _, _ in self._cookies or {})
        cookies, stale = chunk_plan(key, text, len(empty), present)
        for name, part in cookies:
            line, attributes, identity = set_cookie_line(name, part, *resolved, False)
            self._store_cookie(identity, line, attributes, kept)
        for name in stale:
            deletion = dump_delete_cookie(name, attributes).encode("latin-1")
            self.store_cookie(name, deletion, attributes, kept)

    def reissue(self, key: str, opened: Opened, *, encrypted: bool, purpose: str | None) -> None:
        """Seal a cookie an older key verified again with the newest key.

        Same name, attributes, payload and expiry (rotation never extends a
        cookie's life); a cookie of that name this response already set wins.
        """
        context = current_context()
        if context is None or context.keyring is None:
            return
        if self._cookies is not None and any(
            name == key or name.startswith(f"{key}.") for name, _, _ in self._cookies
        ):
            return
        attributes = opened.attributes
        max_age = None
        if opened.expiry is not None:
            max_age = max(1, int(opened.expiry - time.time()))
        resolved: Attributes = (
            max_age,
            None,
            attributes.path,
            attributes.domain,
            attributes.secure,
            attributes.httponly,
            attributes.samesite,
            attributes.partitioned,
        )
        payload = opened.payload
        self._set_sealed(context, key, payload, opened.expiry, resolved, False, encrypted, purpose)

    def delete_cookie(
        self,
        key: str,
        path: str | None = UNSET,
        domain: str | None = UNSET,
        secure: bool = UNSET,
        httponly: bool = UNSET,
        samesite: SameSite | None = UNSET,
        partitioned: bool = UNSET,
    ) -> None:
        """Tell the browser to delete cookie `key` (and its chunks, for a sealed cookie).

        Attributes not given repeat those of the cookie of that name already set
        on this response, or declared (a browser only deletes a cookie whose
        path, domain and security attributes match); otherwise they come from
        the app's `CookiePolicy`, else default as in `set_cookie`.
        """
        known = self.cookie_attributes(key)
        given: list[Any] = [path, domain, secure, httponly, samesite, partitioned]
        if known is not None:
            repeated = (
                known.path,
                known.domain,
                known.secure,
                known.httponly,
                known.samesite,
                known.partitioned,
            )
            given = [old if new is UNSET else new for new, old in zip(given, repeated, strict=True)]
        self.delete_cookie_in(current_context(), key, given)

    def delete_cookie_in(self, context: CookieContext | None, key: str, given: list[Any]) -> None:
        """`delete_cookie` with `context`'s policy; `given` are the six attributes, or `UNSET`."""
        policy = None if context is None else context.policy
        resolved = resolve_attributes(policy, key, 0, None, *given)
        attributes = CookieAttributes(*resolved[2:])
        self.store_cookie(key, dump_delete_cookie(key, attributes).encode("latin-1"), attributes)
        if context is not None and context.keyring is not None:
            for name in sorted(request_cookie_names(context.scope)):
                if name.startswith(f"{key}.") and name[len(key) + 1 :].isdigit():
                    deletion = dump_delete_cookie(name, attributes).encode("latin-1")
                    self.store_cookie(name, deletion, attributes)

    def cookie_attributes(self, key: str) -> CookieAttributes | None:
        """The attributes of the cookie named `key`: set on this response, or declared."""
        for (name, _, _), (_, attributes, _) in (self._cookies or {}).items():
            if name == key:
                return attributes
        return self.declared_cookies.get(key)

    def store_cookie(
        self, key: str, header: bytes, attributes: CookieAttributes, kept: bool = True
    ) -> None:
        """Add a formatted `Set-Cookie` line, replacing one of the same identity.

        `kept=False` marks a cookie an error response drops (T7, see `set_cookie`).
        """
        identity = cookie_identity(key, attributes.domain, attributes.path)
        self._store_cookie(identity, header, attributes, kept)

    def _store_cookie(
        self, identity: CookieIdentity, header: bytes, attributes: CookieAttributes, kept: bool
    ) -> None:
        # The header list changes first: a list that refuses changes (a response
        # that has started) leaves the cookie table as it was.
        raw = self.raw_headers
        cookies = self._cookies
        if cookies is None:
            cookies = self._cookies = {}
        previous = cookies.get(identity)
        if previous is None:
            raw.append((b"set-cookie", header))
        else:
            old = (b"set-cookie", previous[0])
            for index, pair in enumerate(raw):
                if pair == old:
                    raw[index] = (b"set-cookie", header)
                    break
            else:
                raw.append((b"set-cookie", header))
        cookies[identity] = (header, attributes, kept)


def plain_set_cookie(
    self: CookieSetter,
    key: str,
    value: Any = "",
    max_age: int | None = None,
    expires: Expires | None = None,
    path: str | None = UNSET,
    domain: str | None = UNSET,
    secure: bool = UNSET,
    httponly: bool = UNSET,
    samesite: SameSite | None = UNSET,
    partitioned: bool = UNSET,
    compat: bool = False,
    keep_on_error: bool = False,
    signed: bool = False,
    encrypted: bool = False,
    purpose: str | None = None,
) -> None:
    """`set_cookie` when the app has neither a key ring nor a cookie policy.

    The temporal response's own `set_cookie` when its request has no cookie
    context (the route decides once per request), so a call checks nothing
    more than the cookie: the per-request path.
    """
    if signed or encrypted:
        given = (max_age, expires, path, domain, secure, httponly, samesite, partitioned)
        self.set_cookie_in(
            current_context(),
            key,
            value,
            given,
            compat=compat,
            keep_on_error=keep_on_error,
            signed=signed,
            encrypted=encrypted,
            purpose=purpose,
        )
        return
    line, attributes, identity = set_cookie_line(
        key, value, max_age, expires, path, domain, secure, httponly, samesite, partitioned, compat
    )
    # An error response keeps a cookie only if it is kept or deleted (T7).
    kept = keep_on_error or key in self.kept_on_error or (max_age is not None and max_age <= 0)
    if self._cookies is None:  # the first cookie: nothing to replace (a call less)
        self.raw_headers.append((b"set-cookie", line))
        self._cookies = {identity: (line, attributes, kept)}
    else:
        self._store_cookie(identity, line, attributes, kept)
