"""The deployment's export keys: AES-256-GCM keys by id, one of them sealing new exports.

``RAPPORT_EXPORT_KEYS`` is a JSON object of key id -> 32 bytes in URL-safe base64;
``RAPPORT_EXPORT_KEY_ID`` names the one new exports are sealed with (optional when there is
one). Each stored export names its key id, so a key can rotate: add the new key, point
``RAPPORT_EXPORT_KEY_ID`` at it, and drop the old one once the exports it sealed expired.

Outside the explicit local profile (``RAPPORT_ENVIRONMENT=development``) a service refuses to
start with no key or with the public development key; ``make run`` and ``make test`` generate a
key under ``.state/<profile>/exports/`` like the token keys.
"""

import base64
import json
import logging
import os
from dataclasses import dataclass
from typing import Self

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)
KEY_BYTES = 32
NONCE_BYTES = 12
DEVELOPMENT_KEY_ID = "development-only"
DEVELOPMENT_KEY = base64.urlsafe_b64encode(b"rapport-development-export-key!!").decode()
"""Public, so only the local profile may use it: anyone can read what it seals."""


class ExportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAPPORT_", extra="ignore")

    export_keys: SecretStr = SecretStr("")
    """JSON: key id -> 32-byte key, URL-safe base64 (``rapport exports keygen`` makes one)."""
    export_key_id: str = ""
    """The key that seals new exports; may be left out when there is only one."""
    export_ttl_days: float = Field(30.0, gt=0, le=366)
    """How long a stored export can be fetched before the sweeper deletes it."""
    export_sweep_s: float = Field(3600.0, gt=0)
    """How often each service deletes its expired exports."""


@dataclass(frozen=True)
class Sealed:
    key_id: str
    nonce: bytes
    ciphertext: bytes


class UnknownKey(LookupError):
    """The export was sealed with a key this deployment no longer has: it cannot be read."""


class ExportKeys:
    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        self._aead = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current = current

    @classmethod
    def parse(cls, settings: ExportSettings, *, development: bool) -> Self:
        """The settings' keys; ValueError when they are missing, malformed or a placeholder,
        except in the local profile (``development``), which falls back to the public key."""
        raw = settings.export_keys.get_secret_value()
        if not raw:
            if not development:
                raise ValueError(
                    "RAPPORT_EXPORT_KEYS is not set: give the export key(s) as JSON "
                    '{"<key id>": "<32 bytes, URL-safe base64>"} (rapport exports keygen)'
                )
            log.warning("RAPPORT_EXPORT_KEYS is not set: exports use the public development key")
            raw = json.dumps({DEVELOPMENT_KEY_ID: DEVELOPMENT_KEY})
        keys = parse_keys(raw)
        if not development and (DEVELOPMENT_KEY_ID in keys or DEVELOPMENT_KEY in raw):
            raise ValueError("RAPPORT_EXPORT_KEYS holds the public development key")
        current = settings.export_key_id or (next(iter(keys)) if len(keys) == 1 else "")
        if current not in keys:
            raise ValueError("RAPPORT_EXPORT_KEY_ID must name one of RAPPORT_EXPORT_KEYS")
        return cls(keys, current)

    def seal(self, plaintext: bytes, context: bytes) -> Sealed:
        """Encrypt ``plaintext`` bound to ``context`` (it must be given again to open it)."""
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = self._aead[self.current].encrypt(nonce, plaintext, context)
        return Sealed(self.current, nonce, ciphertext)

    def open(self, sealed: Sealed, context: bytes) -> bytes:
        aead = self._aead.get(sealed.key_id)
        if aead is None:
            raise UnknownKey(f"export key {sealed.key_id!r} is not configured")
        return aead.decrypt(sealed.nonce, sealed.ciphertext, context)


def parse_keys(raw: str) -> dict[str, bytes]:
    """RAPPORT_EXPORT_KEYS' keys; ValueError naming what is wrong (never a key)."""
    try:
        given = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError("RAPPORT_EXPORT_KEYS is not JSON") from error
    if not isinstance(given, dict) or not given:
        raise ValueError("RAPPORT_EXPORT_KEYS must be a JSON object of key id -> key")
    keys = {}
    for key_id, encoded in given.items():
        try:
            key = base64.urlsafe_b64decode(str(encoded))
        except ValueError as error:
            raise ValueError(f"export key {key_id!r} is not URL-safe base64") from error
        if len(key) != KEY_BYTES:
            raise ValueError(f"export key {key_id!r} must be {KEY_BYTES} bytes")
        keys[str(key_id)] = key
    return keys


def new_key() -> str:
    """A fresh key, encoded as RAPPORT_EXPORT_KEYS holds it."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()
