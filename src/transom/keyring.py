"""The key ring: the secrets that sign and encrypt cookies, newest first.

`Keyring([newest, older, ...])` holds an app's keys. The first key signs and
encrypts; every key verifies and decrypts, so a key can be rotated in without
logging anyone out, and rotated out later (a removed key verifies nothing).

Each key is used only through two keys derived from it (HMAC-SHA256 of the key
over a fixed label): one for HMAC-SHA256 signatures, one for AES-256-GCM. So
the same secret never serves two algorithms. Signing needs only the standard
library; encryption needs the `cryptography` package (`pip install
'transom[crypto]'`), imported when a key ring first encrypts or decrypts.

A key never leaves this module: `repr`, `str`, pickling and every error
message name keys by their position, never by their bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from typing import Any, NoReturn

from transom.exceptions import KeyringError

__all__ = ["KEY_BYTES", "TAG_BYTES", "Keyring"]

#: The fewest bytes a key may have: 256 bits, the strength of HMAC-SHA256 and AES-256.
KEY_BYTES = 32
#: The length of an HMAC-SHA256 tag.
TAG_BYTES = 32
_NONCE_BYTES = 12

_HOW_TO_GENERATE = (
    'Generate a key with `python -c "import secrets; print(secrets.token_urlsafe(32))"` '
    "and keep it out of the code, e.g. in an environment variable read with "
    "Keyring.from_env('NAME')."
)


def _derive(key: bytes, label: bytes) -> bytes:
    return hmac.new(key, b"transom keyring\x00" + label, hashlib.sha256).digest()


def _key_bytes(key: object, position: int, count: int) -> bytes:
    """`key` as bytes, checked; the errors never show the key."""
    if isinstance(key, str):
        data = key.encode("utf-8")
    elif isinstance(key, (bytes, bytearray, memoryview)):
        data = bytes(key)
    else:
        raise KeyringError(
            f"Keyring key {position} of {count} must be str or bytes, got "
            f"{type(key).__name__}. {_HOW_TO_GENERATE}"
        )
    if len(data) < KEY_BYTES:
        raise KeyringError(
            f"Keyring key {position} of {count} is {len(data)} bytes long; a key needs at "
            f"least {KEY_BYTES} bytes of entropy (256 bits). {_HOW_TO_GENERATE}"
        )
    return data


class Keyring:
    """The keys that sign and encrypt cookies: the newest first.

    Args:
        keys: Each a `str` (used as its UTF-8 bytes) or `bytes` of at least 32
            bytes of entropy, newest first. The first signs and encrypts; all
            verify and decrypt.

    Raises:
        KeyringError: if there is no key, or a key is too short or not text or
            bytes; the message says how to generate one and never shows a key.
    """

    __slots__ = ("_aead", "_encryption", "_signing")

    #: One keyed HMAC-SHA256 per signing key, copied for each tag (keying it again
    #: for every cookie would cost more than the tag itself).
    _signing: tuple[hmac.HMAC, ...]

    def __init__(self, keys: Iterable[str | bytes]) -> None:
        if isinstance(keys, (str, bytes)):
            raise KeyringError(
                "Keyring takes a list of keys, newest first: Keyring([key]) or "
                "Keyring([new_key, old_key])."
            )
        items = list(keys)
        if not items:
            raise KeyringError(f"Keyring needs at least one key. {_HOW_TO_GENERATE}")
        raw = [_key_bytes(key, index + 1, len(items)) for index, key in enumerate(items)]
        self._signing = tuple(
            hmac.new(_derive(key, b"sign"), digestmod=hashlib.sha256) for key in raw
        )
        self._encryption = tuple(_derive(key, b"encrypt") for key in raw)
        self._aead: tuple[Any, ...] | None = None

    @classmethod
    def from_env(cls, name: str) -> Keyring:
        """The key ring in environment variable `name`: keys separated by commas, newest first.

        Raises:
            KeyringError: if the variable is not set or holds no valid key.
        """
        value = os.environ.get(name)
        if value is None:
            raise KeyringError(
                f"Environment variable {name!r} is not set; it should hold the app's keys, "
                f"comma-separated, newest first. {_HOW_TO_GENERATE}"
            )
        keys = [key.strip() for key in value.split(",")]
        if any(not key for key in keys):
            raise KeyringError(
                f"Environment variable {name!r} has an empty key; separate keys with single "
                "commas, newest first."
            )
        return cls(keys)

    def __len__(self) -> int:
        return len(self._signing)

    def __repr__(self) -> str:
        count = len(self._signing)
        return f"<Keyring: {count} key{'s' if count != 1 else ''}>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("A Keyring cannot be pickled: its keys stay in the process.")

    def sign(self, data: bytes) -> bytes:
        """The HMAC-SHA256 tag of `data` under the newest key (32 bytes)."""
        mac = self._signing[0].copy()
        mac.update(data)
        return mac.digest()

    def verify(self, data: bytes, tag: bytes) -> int | None:
        """The position of the key whose tag `data` carries (0 the newest), or `None`.

        Each tag is compared in constant time.
        """
        for index, keyed in enumerate(self._signing):
            mac = keyed.copy()
            mac.update(data)
            if hmac.compare_digest(mac.digest(), tag):
                return index
        return None

    def _ciphers(self) -> tuple[Any, ...]:
        if self._aead is None:
            try:
                from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            except ImportError:  # pragma: no cover - the dev extra installs it
                raise RuntimeError(
                    "Encrypted cookies need the 'cryptography' package: "
                    "pip install 'transom[crypto]'."
                ) from None
            self._aead = tuple(AESGCM(key) for key in self._encryption)
        return self._aead

    def encrypt(self, plaintext: bytes, associated: bytes) -> bytes:
        """AES-256-GCM under the newest key: a random 96-bit nonce, then ciphertext and tag.

        `associated` is authenticated, not stored: decrypting needs the same bytes.
        """
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed: bytes = self._ciphers()[0].encrypt(nonce, plaintext, associated)
        return nonce + sealed

    def decrypt(self, token: bytes, associated: bytes) -> tuple[bytes, int] | None:
        """The plaintext of `token` and the position of the key that opened it, or `None`."""
        from cryptography.exceptions import InvalidTag

        if len(token) < _NONCE_BYTES + 16:
            return None
        nonce, sealed = token[:_NONCE_BYTES], token[_NONCE_BYTES:]
        for index, cipher in enumerate(self._ciphers()):
            try:
                return cipher.decrypt(nonce, sealed, associated), index
            except InvalidTag:
                continue
        return None
