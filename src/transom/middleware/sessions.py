"""Sessions: `request.session`, a dict kept between requests by a backend.

`SessionMiddleware(app, secret_key=..., backend=...)` takes Starlette's
options (`session_cookie="session"`, `max_age=1209600`, `path="/"`,
`same_site="lax"`, `https_only=False`, `domain=None`) and three backends:

- `CookieSessionBackend` (the default): the data in a signed cookie, no
  server state;
- `EncryptedCookieSessionBackend`: the data in an encrypted cookie;
- `RedisSessionBackend(url=...)`: an opaque random id in a signed cookie, the
  data in Redis (or Valkey) with a TTL of the idle timeout, so several app
  instances behind a load balancer share the sessions.

The cookies are sealed by `transom.sealing` (bound to the cookie name and the
purpose `"session"`, chunked when long) with the middleware's `secret_key` or,
without one, the app's key ring; the app's `CookiePolicy` fills in what the
middleware's options leave out. `request.session.regenerate()` gives the
session a new id and cookie with the same data (call it at login, against
session fixation); `clear()` empties it (and deletes it server-side). A
tampered, expired or unknown session cookie gives an empty session, never an
error; a session store that is down gives a 503, never a hang.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any, Protocol

from transom._types import ASGIApp, Message, Receive, Scope, Send
from transom.exceptions import KeyringError
from transom.http.cookies import (
    MAX_AGE_LIMIT,
    NAME_VALUE_LIMIT,
    UNSET,
    expiry_moment,
    parse_cookie_header,
    set_cookie_line,
)
from transom.http.headers import RawHeaders
from transom.http.merge import add_list_value, merge_headers
from transom.http.policy import CookiePolicy, resolve_attributes
from transom.keyring import Keyring
from transom.responses import JSONResponse, Response
from transom.sealing import (
    CookieContext,
    Sealer,
    associated_data,
    current_context,
    encode_payload,
    has_chunks,
    joined_value,
    open_payload,
)
from transom.serialization import dump_json, load_json

__all__ = [
    "DELETE",
    "CookieSessionBackend",
    "EncryptedCookieSessionBackend",
    "RedisSessionBackend",
    "Session",
    "SessionBackend",
    "SessionConfig",
    "SessionMiddleware",
    "SessionUnavailable",
]

logger = logging.getLogger("transom.sessions")

#: Starlette's default session lifetime: two weeks.
DEFAULT_MAX_AGE = 14 * 24 * 60 * 60
_PURPOSE = "session"


class SessionUnavailable(Exception):
    """The session store cannot be reached: the request is answered with a 503."""


class Session(dict[str, Any]):
    """`request.session`: the user's data, a dict that knows whether it changed.

    Changing a value nested inside (`session["cart"].append(...)`) is not seen:
    assign the key again, or set `session.modified = True`.
    """

    __slots__ = ("cleared", "created", "id", "modified", "regenerated", "reseal")

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        id: str | None = None,
        created: float | None = None,
    ) -> None:
        super().__init__(data or {})
        #: The backend's id of this session (`None` for a new one).
        self.id = id
        #: When the session began (seconds since the epoch), for the absolute timeout.
        self.created = time.time() if created is None else created
        self.modified = False
        self.regenerated = False
        #: The session was cleared: its stored data goes (server-side too).
        self.cleared = False
        #: A key that only an older key of the ring verified: seal it again.
        self.reseal = False

    def regenerate(self) -> None:
        """A new id and cookie for the same data; the old cookie loads nothing.

        Call it when the user logs in (or gains rights), against session fixation.
        """
        self.regenerated = True
        self.modified = True

    def clear(self) -> None:
        """Empty the session; its stored data is deleted and the cookie with it."""
        super().clear()
        self.cleared = True
        self.modified = True

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.modified = True

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.modified = True

    def pop(self, key: str, *default: Any) -> Any:
        self.modified = True
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self.modified = True
        return super().popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.modified = True
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self.modified = True


class SessionBackend(Protocol):
    """Where sessions live: `load` one from the request's cookie, `save` it into the response."""

    async def load(self, cookie: str | None, config: SessionConfig) -> Session:
        """The session the cookie names (an empty one if it names none that is valid)."""

    async def save(self, session: Session, config: SessionConfig) -> Any:
        """Store `session`; return the cookie's payload, `DELETE` to delete it, `None` for none.

        Raises:
            SessionUnavailable: if the store cannot be reached.
        """


class SessionConfig:
    """The middleware's options as a backend sees them: the key ring, cookie and lifetimes."""

    __slots__ = ("_associated", "absolute_timeout", "cookie", "keyring", "max_age")

    def __init__(
        self, keyring: Keyring, cookie: str, max_age: int | None, absolute_timeout: int | None
    ) -> None:
        self.keyring = keyring
        self.cookie = cookie
        self.max_age = max_age
        self.absolute_timeout = absolute_timeout
        self._associated = (
            associated_data(cookie, _PURPOSE, False),
            associated_data(cookie, _PURPOSE, True),
        )

    def open(self, text: str, *, encrypted: bool) -> tuple[Any, bool] | None:
        """A sealed cookie value's payload and whether an older key sealed it, or `None`."""
        associated = self._associated[encrypted]
        opened = open_payload(
            self.keyring, self.cookie, associated, text, encrypted=encrypted, now=time.time()
        )
        if opened is None:
            return None
        payload, index = opened
        try:
            return load_json(payload), index > 0
        except ValueError:
            return None

    def expired(self, created: Any) -> bool:
        """Whether a session created at `created` (seconds) is past the absolute timeout."""
        if not isinstance(created, (int, float)) or isinstance(created, bool):
            return True
        return self.absolute_timeout is not None and time.time() >= created + self.absolute_timeout


def _new_id() -> str:
    return secrets.token_urlsafe(32)


class CookieSessionBackend:
    """The session's data in a signed cookie (readable by the client, not forgeable).

    No server state: any instance with the key ring reads it. `clear()` and
    `regenerate()` change the cookie; an old copy of the cookie stays valid
    until it expires (use `RedisSessionBackend` to revoke sessions).
    """

    encrypted = False

    async def load(self, cookie: str | None, config: SessionConfig) -> Session:
        opened = None if cookie is None else config.open(cookie, encrypted=self.encrypted)
        if opened is None:
            return Session()
        payload, older_key = opened
        if not _valid_payload(payload) or config.expired(payload["c"]):
            return Session()
        session = Session(payload["d"], id=payload["i"], created=payload["c"])
        session.reseal = older_key
        return session

    async def save(self, session: Session, config: SessionConfig) -> Any:
        if not session:
            return DELETE if session.id is not None else None
        if session.id is None or session.regenerated:
            session.id = _new_id()
            session.created = time.time()
        return {"i": session.id, "c": session.created, "d": dict(session)}


class EncryptedCookieSessionBackend(CookieSessionBackend):
    """The session's data in an encrypted cookie: neither readable nor forgeable."""

    encrypted = True


def _valid_payload(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("i"), str)
        and isinstance(payload.get("d"), dict)
        and "c" in payload
    )


class RedisSessionBackend:
    """Sessions in Redis (or Valkey): an opaque random id in the cookie, the data server-side.

    The data lives under `prefix + id` with a TTL of the idle timeout (the
    middleware's `max_age`), renewed on each request; `absolute_timeout`
    (seconds) ends a session however active it is. Data is written only when
    the session changed; `clear()` deletes it, `regenerate()` moves it to a
    new id and deletes the old one. Needs the `redis` package (`pip install
    'transom[redis]'`).

    Args:
        url: A `redis://` URL, e.g. `redis://127.0.0.1:6379/0`.
        prefix: The key prefix of sessions.
        absolute_timeout: The most seconds a session lives, or `None`.
        timeout: Seconds to wait for Redis before answering 503.
        client: A `redis.asyncio.Redis` client to use instead of `url`.
    """

    encrypted = False

    def __init__(
        self,
        url: str | None = None,
        *,
        prefix: str = "transom:session:",
        absolute_timeout: int | None = None,
        timeout: float = 2.0,
        client: Any = None,
    ) -> None:
        if client is None:
            if url is None:
                raise ValueError(
                    "RedisSessionBackend needs url= (e.g. 'redis://127.0.0.1:6379/0')."
                )
            try:
                import redis.asyncio
            except ImportError:  # pragma: no cover - the dev extra installs it
                raise RuntimeError(
                    "RedisSessionBackend needs the 'redis' package: pip install 'transom[redis]'."
                ) from None
            client = redis.asyncio.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout
            )
        self.client = client
        self.prefix = prefix
        self.absolute_timeout = absolute_timeout

    async def close(self) -> None:
        """Close the connections to Redis (the middleware does it at shutdown)."""
        await self.client.aclose()

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        from redis.exceptions import RedisError

        try:
            return await getattr(self.client, method)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            logger.warning("The session store did not answer %s: %s", method.upper(), exc)
            raise SessionUnavailable(str(exc)) from None

    async def load(self, cookie: str | None, config: SessionConfig) -> Session:
        opened = None if cookie is None else config.open(cookie, encrypted=False)
        if opened is None or not isinstance(opened[0], str):
            return Session()
        session_id, older_key = opened
        ttl = config.max_age
        if ttl is None:
            stored = await self._call("get", self.prefix + session_id)
        else:
            stored = await self._call("getex", self.prefix + session_id, ex=ttl)
        if stored is None:
            return Session()
        try:
            record = json.loads(stored)
        except ValueError:
            return Session()
        if not isinstance(record, dict) or not isinstance(record.get("d"), dict):
            return Session()
        timeout = (
            config.absolute_timeout if self.absolute_timeout is None else self.absolute_timeout
        )
        created = record.get("c")
        if timeout is not None and (
            not isinstance(created, (int, float)) or time.time() >= created + timeout
        ):
            await self._call("delete", self.prefix + session_id)
            return Session()
        session = Session(record["d"], id=session_id, created=created)
        session.reseal = older_key
        return session

    async def save(self, session: Session, config: SessionConfig) -> Any:
        old = session.id
        if not session:
            if old is not None:
                await self._call("delete", self.prefix + old)
                return DELETE
            return None
        if old is None or session.regenerated:
            if old is not None:
                await self._call("delete", self.prefix + old)
            session.id = _new_id()
            session.created = time.time()
            session.modified = True
        session_id: str = session.id  # type: ignore[assignment]  # set above for a new one
        key = self.prefix + session_id
        if session.modified:
            record = {"c": session.created, "d": dict(session)}
            await self._call("set", key, dump_json(record), ex=config.max_age)
        return session_id


class SessionMiddleware:
    """`request.session`, kept by `backend` between requests; see the module docstring.

    Args:
        app: The ASGI app.
        secret_key: A `Keyring`, or one key (at least 32 bytes); without it the
            app's key ring (`Transom(keyring=...)`) seals the cookie.
        session_cookie: The cookie's name.
        max_age: The session's idle lifetime in seconds (`None`: until the
            browser closes); the cookie's `Max-Age` and Redis' TTL.
        path, same_site, https_only, domain: The cookie's attributes; left
            out, they come from the app's `CookiePolicy`, else Starlette's
            defaults (`/`, `lax`, not Secure, no domain). It is always HttpOnly.
        backend: `CookieSessionBackend()` (default),
            `EncryptedCookieSessionBackend()` or `RedisSessionBackend(url=...)`.
        absolute_timeout: The most seconds a session lives however active it is.
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: str | bytes | Keyring | None = None,
        session_cookie: str = "session",
        max_age: int | None = DEFAULT_MAX_AGE,
        path: str = UNSET,
        same_site: str = UNSET,
        https_only: bool = UNSET,
        domain: str | None = UNSET,
        backend: SessionBackend | None = None,
        absolute_timeout: int | None = None,
    ) -> None:
        self.app = app
        if secret_key is None or isinstance(secret_key, Keyring):
            self.keyring = secret_key
        else:
            try:
                self.keyring = Keyring([secret_key])
            except KeyringError as exc:
                raise KeyringError(f"SessionMiddleware secret_key: {exc}") from None
        self.session_cookie = session_cookie
        self.max_age = max_age
        self.attributes: dict[str, Any] = {
            "path": path,
            "samesite": same_site,
            "secure": https_only,
            "domain": domain,
        }
        self.backend: SessionBackend = backend or CookieSessionBackend()
        self.absolute_timeout = absolute_timeout
        #: The options as the backend sees them, for the last key ring used.
        self._config: SessionConfig | None = None
        #: The session cookie's attributes, resolved for the last policy used.
        self._cookie: _SessionCookie | None = None

    def _session_config(self) -> tuple[SessionConfig, CookiePolicy | None]:
        """The backend's view of the options, and the app's cookie policy (if any)."""
        app_context = current_context()
        keyring = self.keyring
        if keyring is None and app_context is not None:
            keyring = app_context.keyring
        if keyring is None:
            raise RuntimeError(
                "SessionMiddleware needs a key: SessionMiddleware(app, secret_key=...) or "
                "Transom(keyring=Keyring.from_env('APP_KEYS'))."
            )
        config = self._config
        if config is None or config.keyring is not keyring:
            config = self._config = SessionConfig(
                keyring, self.session_cookie, self.max_age, self.absolute_timeout
            )
        return config, app_context.policy if app_context is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing_send(send))
            return
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        config, policy = self._session_config()
        cookies = _request_cookies(scope)
        cookie = joined_value(cookies, self.session_cookie)
        try:
            session = await self.backend.load(cookie, config)
        except SessionUnavailable:
            await _unavailable(scope, receive, send)
            return
        scope["session"] = session
        answered = False

        async def send_with_session(message: Message) -> None:
            nonlocal answered
            if answered:
                return  # the 503 went instead of the app's response
            if message["type"] == "http.response.start":
                try:
                    payload = await self.backend.save(session, config)
                except SessionUnavailable:
                    answered = True
                    await _unavailable(scope, receive, send)
                    return
                headers = list(message.get("headers", ()))
                add_list_value(headers, b"vary", b"Cookie")
                if payload is not None and (payload is not DELETE or cookie is not None):
                    lines = self._cookie_lines(scope, config, policy, cookies, payload)
                    headers = _with_cookies(headers, lines)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _closing_send(self, send: Send) -> Send:
        """Close the backend's connections once the app has shut down."""

        async def closing(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                close = getattr(self.backend, "close", None)
                if close is not None:
                    await close()
            await send(message)

        return closing

    def _cookie_lines(
        self,
        scope: Scope,
        config: SessionConfig,
        policy: CookiePolicy | None,
        cookies: Mapping[str, str],
        payload: Any,
    ) -> RawHeaders:
        """The `Set-Cookie` lines that store `payload` (or delete the cookie, for `DELETE`).

        The common case, one cookie where the request carried no chunks of it,
        is formatted from the attributes resolved once (`_SessionCookie`);
        everything else goes through a response's `set_cookie`, which the
        result is the same as.
        """
        if payload is not DELETE and (policy is None or policy.rewrite is None):
            spec = self._cookie
            if spec is None or spec.policy is not policy:
                spec = self._cookie = _SessionCookie(self, policy)
            line = spec.line(config.keyring, payload, cookies)
            if line is not None:
                return [(b"set-cookie", line)]
        jar = Response()  # sealed with the session's key ring, under the app's policy
        context = CookieContext(config.keyring, policy, scope)
        given = self._given(policy)
        if payload is DELETE:
            attributes = [given[name] for name in ("path", "domain", "secure", "httponly")]
            attributes += [given["samesite"], UNSET]
            jar.delete_cookie_in(context, self.session_cookie, attributes)
        else:
            encrypted = self._encrypted
            jar.set_cookie_in(
                context,
                self.session_cookie,
                payload,
                self._set_cookie_arguments(given),
                compat=False,
                keep_on_error=False,
                signed=not encrypted,
                encrypted=encrypted,
                purpose=_PURPOSE,
            )
        return [pair for pair in jar.raw_headers if pair[0] == b"set-cookie"]

    def _given(self, policy: CookiePolicy | None) -> dict[str, Any]:
        """The cookie's attributes: the middleware's, else the policy's, else Starlette's."""
        given = dict(self.attributes)
        if policy is None:
            given = {
                key: _STARLETTE[key] if value is UNSET else value for key, value in given.items()
            }
        given["httponly"] = True
        return given

    def _set_cookie_arguments(self, given: dict[str, Any]) -> tuple[Any, ...]:
        """`set_cookie`'s (max_age, expires, path, domain, secure, httponly, samesite,
        partitioned) for the session cookie, from `_given`'s attributes."""
        return (
            self.max_age,
            None,
            given["path"],
            given["domain"],
            given["secure"],
            given["httponly"],
            given["samesite"],
            UNSET,
        )

    @property
    def _encrypted(self) -> bool:
        """Whether the backend keeps the data in an encrypted cookie (else signed)."""
        return bool(getattr(self.backend, "encrypted", False))


class _SessionCookie:
    """The session cookie under one policy (without `rewrite`): resolved and checked once.

    `line` formats exactly what `set_cookie_in(..., signed=True, purpose="session")`
    (or `encrypted=True`) sends for a value that fits in one cookie.
    """

    __slots__ = ("key", "lifetime", "policy", "prefix", "room", "sealer", "suffix")

    def __init__(self, middleware: SessionMiddleware, policy: CookiePolicy | None) -> None:
        key = middleware.session_cookie
        given = middleware._given(policy)
        resolved = resolve_attributes(policy, key, *middleware._set_cookie_arguments(given))
        resolved = resolve_attributes(None, key, *resolved)
        expiry_moment(key, resolved[0], resolved[1])  # checks the lifetime as set_cookie does
        # Checked once; a chunk's line without a value measures what the value may take.
        empty_chunk, attributes, _ = set_cookie_line(f"{key}.0", "", *resolved, False)
        empty, _, _ = set_cookie_line(key, "", *resolved, False)
        encrypted = middleware._encrypted
        self.key = key
        self.policy = policy
        self.prefix = f"{key}=".encode("latin-1")
        self.suffix = empty[len(self.prefix) :]
        #: One cookie holds a value shorter than this (`chunk_plan`'s rule).
        self.room = NAME_VALUE_LIMIT - len(empty_chunk) + 2
        self.sealer = Sealer(key, _PURPOSE, attributes, encrypted=encrypted)
        max_age = resolved[0]
        self.lifetime = None if max_age is None else min(max_age, MAX_AGE_LIMIT)

    def line(self, keyring: Keyring, payload: Any, cookies: Mapping[str, str]) -> bytes | None:
        """The `Set-Cookie` line for `payload`, or `None` if it takes chunks or stale ones go."""
        if has_chunks(self.key, cookies):
            return None  # they must be deleted: set_cookie knows how
        expiry = None if self.lifetime is None else time.time() + self.lifetime
        text = self.sealer.seal(keyring, encode_payload(self.key, payload), expiry)
        if len(text) >= self.room:
            return None
        return self.prefix + text.encode("ascii") + self.suffix


def _with_cookies(headers: RawHeaders, lines: RawHeaders) -> RawHeaders:
    """`headers` with the session's `Set-Cookie` lines: a cookie the app set itself wins."""
    for name, _ in headers:
        if name == b"set-cookie":
            return merge_headers(headers, lines)
    headers += lines
    return headers


#: Starlette's session cookie attributes, for those neither the middleware nor a policy gives.
_STARLETTE: dict[str, Any] = {"path": "/", "samesite": "lax", "secure": False, "domain": None}


class _Delete:
    __slots__ = ()


#: What `SessionBackend.save` returns for "delete the session cookie".
DELETE: Any = _Delete()


def _request_cookies(scope: Scope) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            for key, item in parse_cookie_header(value.decode("latin-1")).items():
                cookies.setdefault(key, item)
    return cookies


async def _unavailable(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {"detail": "The session store is unavailable; try again shortly."},
        status_code=503,
        headers={"Retry-After": "5"},
    )
    await response(scope, receive, send)
