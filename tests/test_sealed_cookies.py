"""Signed and encrypted cookies: sealed by `set_cookie`, opened by `Cookie(signed=True)`.

Every rejected value (tampered, truncated, expired, another name or purpose, a
key no longer in the ring, a payload that is not the type) is absent: the same
422 as a missing cookie, or the parameter's default.
"""

import base64
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import pytest
from pydantic import BaseModel

from transom import Cookie, CookieError, Keyring, Response, Transom
from transom.http.cookies import CookieAttributes
from transom.sealing import open_value, seal_value
from transom.testclient import TestClient

NEW = "n" * 32
OLD = "o" * 32
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class User(BaseModel):
    id: int
    name: str


def sent_cookies(response: httpx.Response) -> dict[str, str]:
    """`{name: value}` of every Set-Cookie line, as sent."""
    found = {}
    for line in response.headers.get_list("set-cookie"):
        name, _, rest = line.partition("=")
        found[name] = rest.split(";")[0]
    return found


def cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def make_app(keys: list[str], *, encrypted: bool = False) -> Transom:
    app = Transom(keyring=Keyring(keys))

    @app.get("/set")
    async def set_user(response: Response) -> None:
        response.set_cookie(
            "user", User(id=1, name="ann"), max_age=600, signed=not encrypted, encrypted=encrypted
        )

    @app.get("/user")
    async def read_user(
        user: Annotated[User, Cookie(signed=not encrypted, encrypted=encrypted)],
    ) -> User:
        return user

    return app


def issued(app: Transom, path: str = "/set") -> dict[str, str]:
    with TestClient(app) as client:
        return sent_cookies(client.get(path))


def read(app: Transom, cookies: dict[str, str], path: str = "/user") -> httpx.Response:
    with TestClient(app) as client:
        return client.get(path, headers=cookie_header(cookies))


MISSING = {
    "detail": [
        {"type": "missing", "loc": ["cookie", "user"], "msg": "Field required", "input": None}
    ]
}


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
def test_a_model_round_trips_through_a_sealed_cookie(encrypted: bool) -> None:
    app = make_app([NEW], encrypted=encrypted)
    with TestClient(app) as client:
        line = client.get("/set").headers["set-cookie"]
        assert line.startswith("user=")
        assert line.endswith("; Max-Age=600; Path=/; SameSite=Lax")
        response = client.get("/user")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "name": "ann"}


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
@pytest.mark.parametrize(
    ("value", "annotation"),
    [("plain text, with spaces; and semicolons", str), ({"a": [1, 2]}, dict[str, list[int]])],
)
def test_text_and_json_data_round_trip(encrypted: bool, value: Any, annotation: Any) -> None:
    app = Transom(keyring=Keyring([NEW]))

    @app.get("/set")
    async def set_value(response: Response) -> None:
        response.set_cookie("v", value, signed=not encrypted, encrypted=encrypted)

    @app.get("/get")
    async def get_value(
        v: Annotated[annotation, Cookie(signed=not encrypted, encrypted=encrypted)],
    ) -> Any:
        return v

    assert read(app, issued(app), "/get").json() == value


def test_a_missing_sealed_cookie_is_the_plain_cookie_422() -> None:
    plain = Transom()

    @plain.get("/user")
    async def plain_user(user: Annotated[str, Cookie()]) -> str:
        return user

    app = make_app([NEW])
    expected = read(plain, {})
    assert expected.status_code == 422
    response = read(app, {})
    assert (response.status_code, response.content) == (422, expected.content)
    assert response.json() == MISSING


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
def test_flipping_any_character_makes_the_cookie_absent(encrypted: bool) -> None:
    app = make_app([NEW], encrypted=encrypted)
    value = issued(app)["user"]
    assert read(app, {"user": value}).status_code == 200
    with TestClient(app) as client:
        for index, char in enumerate(value):
            for other in {ALPHABET[(ALPHABET.index(char) + 1) % 64], "."}:
                tampered = value[:index] + other + value[index + 1 :]
                response = client.get("/user", headers=cookie_header({"user": tampered}))
                assert response.status_code == 422, (index, other)
                assert response.json() == MISSING
                assert tampered not in response.text


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
def test_truncated_extended_and_garbage_values_are_absent(encrypted: bool) -> None:
    app = make_app([NEW], encrypted=encrypted)
    value = issued(app)["user"]
    for bad in [value[:-1], value[:-4], value[:10], value + "A", value + "AAAA", "", "x", "%%"]:
        assert read(app, {"user": bad}).json() == MISSING, bad


def test_only_the_canonical_spelling_of_a_sealed_value_opens() -> None:
    ring = Keyring([NEW])
    lengths = set()
    for size in range(3):  # every length of base64url text a sealed value can have
        payload = b'"' + b"x" * size + b'"'
        value = seal_value(ring, "c", None, payload, None, CookieAttributes(), encrypted=False)
        lengths.add(len(value) % 4)
        # The other spellings of the same bytes (a last character whose unused bits
        # are set) verify as well as the original would: only canonical text opens.
        opening = [
            char
            for char in ALPHABET
            if open_value(ring, "c", None, value[:-1] + char, encrypted=False) is not None
        ]
        assert opening == [value[-1]], size
        for other in [value + "=", value + "==", value.replace("_", "/").replace("-", "+")]:
            if other != value:
                assert open_value(ring, "c", None, other, encrypted=False) is None, other
    assert lengths == {0, 2, 3}


def test_a_value_moved_to_another_cookie_is_absent() -> None:
    app = Transom(keyring=Keyring([NEW]))

    @app.get("/set")
    async def set_both(response: Response) -> None:
        response.set_cookie("role", "user", signed=True)
        response.set_cookie("admin_role", "admin", signed=True)

    @app.get("/role")
    async def role(role: Annotated[str | None, Cookie(signed=True)] = None) -> str | None:
        return role

    cookies = issued(app)
    assert read(app, {"role": cookies["role"]}, "/role").json() == "user"
    assert read(app, {"role": cookies["admin_role"]}, "/role").json() is None


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
def test_the_purpose_is_authenticated(encrypted: bool) -> None:
    app = Transom(keyring=Keyring([NEW]))

    @app.get("/set")
    async def set_token(response: Response) -> None:
        response.set_cookie(
            "t", "42", signed=not encrypted, encrypted=encrypted, purpose="email-confirm"
        )

    @app.get("/confirm")
    async def confirm(
        t: Annotated[
            str | None, Cookie(signed=not encrypted, encrypted=encrypted, purpose="email-confirm")
        ] = None,
    ) -> str | None:
        return t

    @app.get("/reset")
    async def reset(
        t: Annotated[
            str | None, Cookie(signed=not encrypted, encrypted=encrypted, purpose="password-reset")
        ] = None,
    ) -> str | None:
        return t

    cookies = issued(app)
    assert read(app, cookies, "/confirm").json() == "42"
    assert read(app, cookies, "/reset").json() is None


def test_a_signed_value_is_not_accepted_as_encrypted_or_the_other_way() -> None:
    signed, encrypted = make_app([NEW]), make_app([NEW], encrypted=True)
    assert read(encrypted, issued(signed)).json() == MISSING
    assert read(signed, issued(encrypted)).json() == MISSING


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
def test_an_expired_cookie_is_absent(encrypted: bool) -> None:
    app = Transom(keyring=Keyring([NEW]))
    past = datetime.now(UTC) - timedelta(seconds=5)

    @app.get("/set")
    async def set_expired(response: Response) -> None:
        response.set_cookie("user", "ann", expires=past, signed=not encrypted, encrypted=encrypted)

    @app.get("/user")
    async def user(
        user: Annotated[str, Cookie(signed=not encrypted, encrypted=encrypted)],
    ) -> str:
        return user

    assert read(app, issued(app)).json() == MISSING


def test_the_expiry_is_embedded_and_checked_on_read() -> None:
    ring = Keyring([NEW])
    attributes = CookieAttributes()
    now = time.time()
    value = seal_value(ring, "c", None, b'"x"', now + 60, attributes, encrypted=False)
    opened = open_value(ring, "c", None, value, encrypted=False, now=now)
    assert opened is not None
    assert opened.expiry == float(int(now + 60))
    assert opened.value() == "x"
    assert open_value(ring, "c", None, value, encrypted=False, now=now + 61) is None
    session = seal_value(ring, "c", None, b'"x"', None, attributes, encrypted=False)
    assert open_value(ring, "c", None, session, encrypted=False, now=now + 10**9) is not None


def test_a_payload_that_is_not_json_or_not_the_type_is_absent() -> None:
    ring = Keyring([NEW])
    app = make_app([NEW])
    attributes = CookieAttributes()
    for payload in [b"not json", b'{"id": "x", "name": "ann"}', b"[]"]:
        value = seal_value(ring, "user", None, payload, None, attributes, encrypted=False)
        assert read(app, {"user": value}).json() == MISSING, payload


def test_an_optional_sealed_cookie_falls_back_to_its_default() -> None:
    app = Transom(keyring=Keyring([NEW]))

    @app.get("/theme")
    async def theme(theme: Annotated[str, Cookie(signed=True)] = "light") -> str:
        return theme

    assert read(app, {"theme": "dark"}, "/theme").json() == "light"
    assert read(app, {}, "/theme").json() == "light"


def test_a_rejected_cookie_is_logged_at_debug_level_without_its_value(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app([NEW])
    value = issued(app)["user"]
    tampered = value[:5] + ("A" if value[5] != "A" else "B") + value[6:]
    with caplog.at_level(logging.DEBUG, logger="transom.cookies"):
        read(app, {"user": tampered})
    records = [r for r in caplog.records if r.name == "transom.cookies"]
    assert [r.levelno for r in records] == [logging.DEBUG]
    assert records[0].getMessage() == (
        "Cookie 'user' was ignored: no key of the key ring verifies its signature."
    )
    assert tampered not in caplog.text


def test_the_encrypted_value_reveals_nothing_of_the_plaintext() -> None:
    app = Transom(keyring=Keyring([NEW]))
    secret = "card-4242-4242-4242-4242"

    @app.get("/set")
    async def set_secret(response: Response) -> None:
        response.set_cookie("s", secret, encrypted=True)

    first, second = issued(app)["s"], issued(app)["s"]
    assert first != second
    for value in (first, second):
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        assert secret.encode() not in raw
        assert b"card" not in raw
        assert secret not in value


def test_a_signed_value_is_readable_but_not_forgeable() -> None:
    app = Transom(keyring=Keyring([NEW]))

    @app.get("/set")
    async def set_secret(response: Response) -> None:
        response.set_cookie("s", "visible", signed=True)

    value = issued(app)["s"]
    assert b'"visible"' in base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_sealing_without_a_keyring_names_the_fix() -> None:
    app = Transom()

    @app.get("/set")
    async def set_it(response: Response) -> None:
        response.set_cookie("s", "x", signed=True)

    with TestClient(app) as client, pytest.raises(RuntimeError, match=r"Transom\(keyring="):
        client.get("/set")
    with pytest.raises(RuntimeError, match="needs the app's key ring"):
        Response().set_cookie("s", "x", encrypted=True)


def test_reading_a_sealed_cookie_without_a_keyring_names_the_fix() -> None:
    app = Transom()

    @app.get("/get")
    async def get_it(s: Annotated[str, Cookie(signed=True)]) -> str:
        return s

    with TestClient(app) as client, pytest.raises(RuntimeError, match="has no key ring"):
        client.get("/get", headers={"cookie": "s=abc"})


def test_sealing_errors_name_the_rule() -> None:
    app = Transom(keyring=Keyring([NEW]))
    errors: list[str] = []

    @app.get("/set")
    async def set_bad(response: Response) -> None:
        calls: list[Callable[[], None]] = [
            lambda: response.set_cookie("s", object(), signed=True),
            lambda: response.set_cookie("s", "x", signed=True, encrypted=True),
            lambda: response.set_cookie("s", "x", signed=True, purpose=3),  # type: ignore[arg-type]
            lambda: response.set_cookie("bad name", "x", signed=True),
            lambda: response.set_cookie("s", "x", signed=True, samesite="none"),
        ]
        for call in calls:
            with pytest.raises(CookieError) as caught:
                call()
            errors.append(str(caught.value))

    with TestClient(app) as client:
        client.get("/set")
    assert errors[0].startswith("Cookie 's' is signed or encrypted, so its value is sent as JSON")
    assert errors[1].startswith("Cookie 's': pass signed=True or encrypted=True, not both")
    assert errors[2] == "Cookie 's' purpose must be a str, got 3."
    assert "is not a valid token" in errors[3]
    assert "samesite='none' requires secure=True" in errors[4]


def test_cookie_markers_refuse_contradictions() -> None:
    with pytest.raises(ValueError, match="choose one"):
        Cookie(signed=True, encrypted=True)
    with pytest.raises(ValueError, match="for signed or encrypted cookies only"):
        Cookie(purpose="x")


def test_a_sealed_cookie_is_documented_as_a_string() -> None:
    app = make_app([NEW])
    parameters = app.openapi()["paths"]["/user"]["get"]["parameters"]
    assert parameters == [
        {
            "name": "user",
            "in": "cookie",
            "required": True,
            "schema": {"type": "string", "title": "User"},
        }
    ]


# Key rotation


def rotated_line(response: httpx.Response) -> str:
    (line,) = response.headers.get_list("set-cookie")
    return line


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "encrypted"])
def test_a_cookie_only_an_older_key_opens_is_accepted_and_reissued(encrypted: bool) -> None:
    old_cookies = issued(make_app([OLD], encrypted=encrypted))
    rotated = make_app([NEW, OLD], encrypted=encrypted)
    response = read(rotated, old_cookies)
    assert response.json() == {"id": 1, "name": "ann"}
    fresh = sent_cookies(response)["user"]
    assert fresh != old_cookies["user"]
    assert read(make_app([NEW], encrypted=encrypted), {"user": fresh}).status_code == 200
    assert read(make_app([OLD], encrypted=encrypted), {"user": fresh}).json() == MISSING


def test_a_cookie_the_newest_key_opens_is_not_reissued() -> None:
    app = make_app([NEW, OLD])
    response = read(app, issued(app))
    assert response.status_code == 200
    assert "set-cookie" not in response.headers


def test_a_key_removed_from_the_ring_verifies_nothing() -> None:
    old_cookies = issued(make_app([OLD]))
    assert read(make_app([NEW]), old_cookies).json() == MISSING


def test_the_reissued_cookie_keeps_its_expiry_attributes_and_payload() -> None:
    old = Transom(keyring=Keyring([OLD]))
    later = datetime.now(UTC) + timedelta(hours=2)

    @old.get("/set")
    async def set_user(response: Response) -> None:
        response.set_cookie(
            "user",
            "ann",
            expires=later,
            path="/app",
            secure=True,
            httponly=True,
            samesite="strict",
            signed=True,
        )

    new_ring = Keyring([NEW, OLD])
    app = Transom(keyring=new_ring)

    @app.get("/app/user")
    async def user(user: Annotated[str, Cookie(signed=True)]) -> str:
        return user

    original = issued(old)["user"]
    response = read(app, {"user": original}, "/app/user")
    assert response.json() == "ann"
    line = rotated_line(response)
    name_value, *attributes = line.split("; ")
    max_age = int(attributes[0].removeprefix("Max-Age="))
    assert 7100 < max_age <= 7200
    assert attributes[1:] == ["Path=/app", "Secure", "HttpOnly", "SameSite=Strict"]
    before = open_value(new_ring, "user", None, original, encrypted=False)
    after = open_value(new_ring, "user", None, name_value.removeprefix("user="), encrypted=False)
    assert before is not None
    assert after is not None
    assert (after.key_index, before.key_index) == (0, 1)
    assert after.expiry == before.expiry == float(int(later.timestamp()))
    assert after.attributes == before.attributes
    assert after.payload == before.payload == b'"ann"'


def test_a_cookie_the_handler_sets_itself_wins_over_the_reissue() -> None:
    old_cookies = issued(make_app([OLD]))
    app = Transom(keyring=Keyring([NEW, OLD]))

    @app.get("/user")
    async def rename(user: Annotated[User, Cookie(signed=True)], response: Response) -> None:
        response.set_cookie("user", User(id=user.id, name="bob"), signed=True)

    response = read(app, old_cookies)
    line = rotated_line(response)
    assert line.endswith("; Path=/; SameSite=Lax")
    assert "Max-Age" not in line
    assert read(make_app([NEW]), sent_cookies(response)).json() == {"id": 1, "name": "bob"}


def test_a_cookie_a_dependency_set_wins_over_the_reissue() -> None:
    from transom import Depends

    old_cookies = issued(make_app([OLD]))
    app = Transom(keyring=Keyring([NEW, OLD]))

    async def logout(response: Response) -> None:
        response.delete_cookie("user")

    @app.get("/user", dependencies=[Depends(logout)])
    async def user(user: Annotated[User | None, Cookie(signed=True)] = None) -> None:
        return None

    line = rotated_line(read(app, old_cookies))
    assert line.startswith("user=; Max-Age=0;")


def test_a_rotated_cookie_is_reissued_on_an_error_response_only_if_kept() -> None:
    from transom import HTTPException

    old_cookies = issued(make_app([OLD]))
    app = Transom(keyring=Keyring([NEW, OLD]))

    @app.get("/user")
    async def user(user: Annotated[User, Cookie(signed=True)]) -> None:
        raise HTTPException(403)

    response = read(app, old_cookies)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
