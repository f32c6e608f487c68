"""Ed25519 keys: the issuer's private key (a PEM file) and the services' public keys (a JWKS).

A key's ``kid`` is its RFC 7638 thumbprint, so the issuer never has to be told it. ``add_key``
writes a new private key and adds its public half to a JWKS, keeping the keys already there:
that is a rotation (mint with the new key; drop the old one from the JWKS once its tokens have
expired). Services read the JWKS from a file (re-read when it changes) or a URL (cached for
``cache_s``, fetched again at once for a ``kid`` it does not know, at most every 10 s; while
the URL does not answer, the keys fetched before stay in use).
"""

import base64
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rapport.failures import error_type

ED25519 = ("OKP", "Ed25519")
log = logging.getLogger(__name__)


class UnusableKey(ValueError):
    """A key or key set that cannot be used: missing, unreadable, or not Ed25519."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    canonical = {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}
    thumbprint = hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).digest()
    return {**canonical, "kid": _b64(thumbprint), "alg": "EdDSA", "use": "sig"}


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    kid: str

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> "SigningKey":
        return cls(private, public_jwk(private.public_key())["kid"])

    @classmethod
    def load(cls, path: str | Path) -> "SigningKey":
        try:
            private = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as error:
            raise UnusableKey(f"cannot read the private key {path}: {error}") from error
        if not isinstance(private, Ed25519PrivateKey):
            raise UnusableKey(f"{path} is not an Ed25519 private key")
        return cls.of(private)


class KeySet:
    """Public keys by ``kid``."""

    def __init__(self, keys: dict[str, Ed25519PublicKey]) -> None:
        self._keys = keys

    def get(self, kid: str) -> Ed25519PublicKey | None:
        return self._keys.get(kid)

    def __len__(self) -> int:
        return len(self._keys)

    @classmethod
    def from_jwks(cls, jwks: Any, origin: str) -> "KeySet":
        keys: dict[str, Ed25519PublicKey] = {}
        entries = jwks.get("keys") if isinstance(jwks, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and (entry.get("kty"), entry.get("crv")) == ED25519:
                try:
                    public = Ed25519PublicKey.from_public_bytes(_unb64(str(entry["x"])))
                except (KeyError, ValueError):
                    continue  # a malformed entry verifies nothing; the others still do
                keys[str(entry.get("kid") or public_jwk(public)["kid"])] = public
        if not keys:
            raise UnusableKey(f"{origin} holds no Ed25519 public key")
        return cls(keys)

    @classmethod
    def read(cls, path: str | Path) -> "KeySet":
        try:
            return cls.from_jwks(json.loads(Path(path).read_text()), str(path))
        except (OSError, ValueError) as error:
            raise UnusableKey(f"cannot read the key set {path}: {error}") from error


def add_key(private_path: Path, jwks_path: Path) -> SigningKey:
    """A new key pair: the private key to ``private_path`` (mode 0600), its public key added to
    ``jwks_path`` beside the keys already there."""
    key = SigningKey.of(Ed25519PrivateKey.generate())
    pem = key.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.unlink(missing_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    kept = json.loads(jwks_path.read_text())["keys"] if jwks_path.exists() else []
    jwks = {"keys": [*kept, public_jwk(key.private.public_key())]}
    jwks_path.parent.mkdir(parents=True, exist_ok=True)
    jwks_path.write_text(json.dumps(jwks, indent=2) + "\n")
    return key


class PublicKeys:
    """The services' view of the issuer's public keys, from a JWKS file path or URL."""

    REFETCH_S = 10.0

    def __init__(self, source: str, *, cache_s: float = 300.0) -> None:
        self.source = source
        self._cache_s = cache_s
        self._is_url = source.startswith(("https://", "http://"))
        self._keys: KeySet | None = None
        self._version: float = -1.0
        self._fetched_at = float("-inf")
        self._tried_at = float("-inf")

    async def key_set(self, kid: str | None) -> KeySet:
        """The current keys; from a URL, fetched again first when ``kid`` is not among them."""
        keys = await self._current()
        unknown = kid is not None and keys.get(kid) is None
        if unknown and self._is_url and self._since(self._tried_at) > self.REFETCH_S:
            keys = await self._fetched()
        return keys

    async def _current(self) -> KeySet:
        if self._is_url:
            expired = self._since(self._fetched_at) > self._cache_s
            if self._keys is None or (expired and self._since(self._tried_at) > self.REFETCH_S):
                return await self._fetched()
            return self._keys
        version = os.stat(self.source).st_mtime
        if self._keys is None or version != self._version:
            self._keys, self._version = KeySet.read(self.source), version
        return self._keys

    async def _fetched(self) -> KeySet:
        """The keys fetched again; when that fails, those fetched before (tried again after
        ``REFETCH_S``), so the issuer's key server being away refuses no valid token."""
        self._tried_at = time.monotonic()
        try:
            self._keys = await self._fetch()
        except (httpx.HTTPError, OSError, ValueError) as error:
            if self._keys is None:
                raise
            log.warning(
                "cannot fetch the token issuer's keys again: using those fetched before",
                extra={"error": error_type(error)},
            )
        else:
            self._fetched_at = self._tried_at
        return self._keys

    @staticmethod
    def _since(moment: float) -> float:
        return time.monotonic() - moment

    async def _fetch(self) -> KeySet:
        async with httpx.AsyncClient(timeout=5.0) as http:
            response = await http.get(self.source)
            response.raise_for_status()
            return KeySet.from_jwks(response.json(), self.source)
