"""The key ring: keys newest first, at least 32 bytes, never shown."""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle

import pytest

from transom import Keyring, Transom
from transom.exceptions import KeyringError

KEY = "k" * 32
OLD = "o" * 40


def test_a_key_of_exactly_32_bytes_is_accepted() -> None:
    assert len(Keyring([b"\x01" * 32])) == 1
    assert len(Keyring(["a" * 32])) == 1


@pytest.mark.parametrize("key", ["short-secret-31-characters-long", b"\x00" * 31, "", b""])
def test_a_short_key_is_refused_with_how_to_generate_one_and_without_the_key(
    key: str | bytes,
) -> None:
    with pytest.raises(KeyringError) as caught:
        Keyring([KEY, key])
    message = str(caught.value)
    assert message.startswith(f"Keyring key 2 of 2 is {len(key)} bytes long;")
    assert "at least 32 bytes" in message
    assert "secrets.token_urlsafe(32)" in message
    if key:
        assert str(key) not in message
        assert repr(key) not in message


def test_a_short_key_is_not_in_the_exception_or_its_arguments() -> None:
    secret = "my-very-secret-key"
    with pytest.raises(KeyringError) as caught:
        Keyring([secret])
    assert secret not in repr(caught.value)
    assert all(secret not in str(arg) for arg in caught.value.args)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None


def test_a_key_that_is_not_text_or_bytes_is_refused_by_type_only() -> None:
    with pytest.raises(KeyringError, match=r"^Keyring key 1 of 1 must be str or bytes, got int\."):
        Keyring([12345678901234567890123456789012345])  # type: ignore[list-item]


def test_an_empty_ring_and_a_bare_string_are_refused() -> None:
    with pytest.raises(KeyringError, match="at least one key"):
        Keyring([])
    with pytest.raises(KeyringError, match=r"takes a list of keys, newest first"):
        Keyring(KEY)


def test_keys_never_appear_in_repr_str_or_pickles() -> None:
    ring = Keyring([KEY, OLD])
    assert repr(ring) == "<Keyring: 2 keys>"
    assert str(ring) == "<Keyring: 2 keys>"
    assert repr(Keyring([KEY])) == "<Keyring: 1 key>"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(ring)
    assert KEY not in repr(vars(type(ring)))


def test_the_newest_key_signs_and_every_key_verifies() -> None:
    new, old = Keyring([KEY, OLD]), Keyring([OLD])
    assert new.verify(b"data", new.sign(b"data")) == 0
    assert new.verify(b"data", old.sign(b"data")) == 1
    assert Keyring([KEY]).verify(b"data", old.sign(b"data")) is None
    assert new.verify(b"other", new.sign(b"data")) is None


def test_a_tag_is_hmac_sha256_under_the_signing_key_derived_from_the_key() -> None:
    derived = hmac.new(KEY.encode(), b"transom keyring\x00sign", hashlib.sha256).digest()
    expected = hmac.new(derived, b"data", hashlib.sha256).digest()
    ring = Keyring([KEY, OLD])
    # The same tag every time: each tag starts from the keyed HMAC, never changes it.
    assert ring.sign(b"data") == ring.sign(b"data") == expected
    assert ring.sign(b"other") != expected
    assert ring.verify(b"data", expected) == 0
    assert ring.verify(b"data", expected[:-1] + bytes([expected[-1] ^ 1])) is None


def test_the_newest_key_encrypts_and_every_key_decrypts() -> None:
    new, old = Keyring([KEY, OLD]), Keyring([OLD])
    token = old.encrypt(b"plain", b"aad")
    assert new.decrypt(token, b"aad") == (b"plain", 1)
    assert new.decrypt(new.encrypt(b"plain", b"aad"), b"aad") == (b"plain", 0)
    assert new.decrypt(token, b"other aad") is None
    assert Keyring([KEY]).decrypt(token, b"aad") is None
    assert new.decrypt(token[:20], b"aad") is None
    assert new.encrypt(b"plain", b"aad") != new.encrypt(b"plain", b"aad")


def test_signing_and_encryption_use_different_derived_keys() -> None:
    ring = Keyring([KEY])
    token = ring.encrypt(b"x", b"")
    assert ring.sign(b"x") not in token
    assert KEY.encode() not in token


def test_from_env_reads_comma_separated_keys_newest_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_KEYS", f"{KEY}, {OLD}")
    ring = Keyring.from_env("APP_KEYS")
    assert len(ring) == 2
    assert ring.verify(b"d", Keyring([OLD]).sign(b"d")) == 1


def test_from_env_names_a_missing_variable_and_an_empty_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("APP_KEYS", raising=False)
    with pytest.raises(KeyringError, match=r"^Environment variable 'APP_KEYS' is not set"):
        Keyring.from_env("APP_KEYS")
    monkeypatch.setenv("APP_KEYS", f"{KEY},,{OLD}")
    with pytest.raises(KeyringError, match="has an empty key") as caught:
        Keyring.from_env("APP_KEYS")
    assert KEY not in str(caught.value)


def test_from_env_with_a_short_key_does_not_show_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_KEYS", f"{KEY},tooshort")
    with pytest.raises(KeyringError, match="Keyring key 2 of 2 is 8 bytes long") as caught:
        Keyring.from_env("APP_KEYS")
    assert "tooshort" not in str(caught.value)


def test_the_app_takes_a_keyring_and_refuses_anything_else() -> None:
    ring = Keyring([KEY])
    assert Transom(keyring=ring).keyring is ring
    assert Transom().keyring is None
    with pytest.raises(TypeError, match=r"takes a Keyring, got str") as caught:
        Transom(keyring=KEY)  # type: ignore[arg-type]
    assert KEY not in str(caught.value)


def test_keys_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    ring = Keyring([KEY, OLD])
    ring.verify(b"x", b"\x00" * 32)
    ring.decrypt(b"\x00" * 40, b"")
    assert KEY not in caplog.text
    assert OLD not in caplog.text
