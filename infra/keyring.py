"""The application-wide cipher with a keyring: a current key and old keys, for rotation.

Ciphertext written here starts with a marker and the id of the key that wrote it:

    b"EK1" + key id (4 bytes: the first bytes of the key's SHA-256) + AES-GCM (nonce, tag, text)

so a reader picks the right key at once, and `espcrm data rotate-key` can tell which rows
still need re-encrypting. Ciphertext written before the keyring existed (eventsourcing's
AESCipher: nonce, tag, text, no marker) is still read: every key is tried in turn.

Rotation without downtime (docs/erasure.md): start every process with the new key as
ESPCRM_CIPHER_KEY and the old one in ESPCRM_CIPHER_OLD_KEYS (reads accept both, writes use
the new one), run `espcrm data rotate-key` (re-encrypts what the old key wrote, in small
batches while the system runs), then drop the old key from the settings.
"""

from __future__ import annotations

import hashlib
from base64 import b64decode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Cipher
from eventsourcing.utils import Environment

MARKER = b"EK1"
_ID_BYTES = 4
_HEADER = len(MARKER) + _ID_BYTES

OLD_KEYS = "CIPHER_OLD_KEYS"


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:_ID_BYTES]


def _key(encoded: str) -> bytes:
    key = b64decode(encoded.strip().encode("utf8"))
    AESCipher.check_key_size(len(key))
    return key


class Keyring:
    """The current key and the old ones, by id."""

    def __init__(self, current: str, old: list[str] | None = None) -> None:
        self.current = _key(current)
        self.current_id = key_id(self.current)
        self.keys: dict[bytes, bytes] = {self.current_id: self.current}
        for encoded in old or []:
            key = _key(encoded)
            self.keys.setdefault(key_id(key), key)
        # One AES-GCM object per key, made once (stateless, safe across threads): making one
        # per event was two thirds of each event's decryption.
        self._aeads = {key: AESGCM(key) for key in self.keys.values()}

    @classmethod
    def from_settings(cls, current: str, old: str | None) -> Keyring:
        return cls(current, [k for k in (old or "").split(",") if k.strip()])

    def encrypt(self, plaintext: bytes) -> bytes:
        nonce = AESCipher.random_bytes(12)
        sealed = self._aeads[self.current].encrypt(nonce, plaintext, None)
        # The tag in front, as eventsourcing's AESCipher lays it out.
        return MARKER + self.current_id + nonce + sealed[-16:] + sealed[:-16]

    def decrypt(self, ciphertext: bytes) -> bytes:
        if ciphertext[: len(MARKER)] == MARKER:
            key = self.keys.get(ciphertext[len(MARKER) : _HEADER])
            if key is not None:
                try:
                    return _open(self._aeads[key], ciphertext[_HEADER:])
                except ValueError:
                    pass  # a legacy ciphertext whose nonce happens to begin with the marker
        for key in self.keys.values():
            try:
                return _open(self._aeads[key], ciphertext)
            except ValueError:
                continue
        raise ValueError("no key of the keyring opens this ciphertext")

    def is_current(self, ciphertext: bytes) -> bool:
        """Written by the current key (rotation leaves it as it is)."""
        return ciphertext[:_HEADER] == MARKER + self.current_id


def _open(aead: AESGCM, body: bytes) -> bytes:
    if len(body) < 28:
        raise ValueError("damaged ciphertext")
    nonce, tag, text = body[:12], body[12:28], body[28:]
    try:
        return aead.decrypt(nonce, text + tag, None)
    except InvalidTag as exc:
        raise ValueError("invalid cipher tag") from exc


class KeyringCipher(Cipher):
    """eventsourcing's cipher strategy (CIPHER_TOPIC), reading CIPHER_KEY and CIPHER_OLD_KEYS."""

    def __init__(self, environment: Environment) -> None:
        current = environment.get(AESCipher.CIPHER_KEY)
        if not current:
            raise OSError(f"'{AESCipher.CIPHER_KEY}' not in env")
        self.keyring = Keyring.from_settings(current, environment.get(OLD_KEYS))

    def encrypt(self, plaintext: bytes) -> bytes:
        return self.keyring.encrypt(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        return self.keyring.decrypt(ciphertext)
