"""HMAC-SHA256 request signatures, as the platforms send them, checked in constant time."""

import base64
import binascii
import hashlib
import hmac
import re
from typing import Literal

Encoding = Literal["hex", "base64"]
PREFIX = "sha256="


class InvalidSignature(Exception):
    """The request is not signed with the shared secret; the message says why."""


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def sign(secret: str, message: bytes, encoding: Encoding) -> str:
    """``sha256=<digest>``: the header value a sender computes over ``message``."""
    digest = hmac_sha256(secret, message)
    if encoding == "hex":
        return PREFIX + digest.hex()
    return PREFIX + base64.b64encode(digest).decode()


def verify(
    header: str | None, *, name: str, secret: str, message: bytes, encoding: Encoding
) -> None:
    """Raise ``InvalidSignature`` unless ``header`` (the value of header ``name``) signs it."""
    if not header:
        raise InvalidSignature(f"missing {name} header")
    if not header.startswith(PREFIX):
        raise InvalidSignature(f"{name} must be 'sha256=<{encoding} digest>'")
    given = _decode(header.removeprefix(PREFIX), encoding)
    if given is None:
        raise InvalidSignature(f"{name} must be 'sha256=<{encoding} digest>'")
    if not hmac.compare_digest(given, hmac_sha256(secret, message)):
        raise InvalidSignature(f"{name} does not match the body")


HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
MAX_TIMESTAMP_DIGITS = 12
"""Unix seconds until the year 33658: a longer header is not a time."""


def _decode(digest: str, encoding: Encoding) -> bytes | None:
    """The digest, if spelled exactly one way (``bytes.fromhex`` would skip whitespace, and the
    same signature spelled twice would pass the replay guard twice)."""
    try:
        if encoding == "hex":
            return bytes.fromhex(digest) if HEX_DIGEST.fullmatch(digest) else None
        return base64.b64decode(digest, validate=True)
    except (ValueError, binascii.Error):
        return None


def check_timestamp(header: str | None, *, name: str, now: float, window_s: int) -> int:
    """The header's unix seconds, if within ``window_s`` of ``now``; ``InvalidSignature`` if not."""
    if not header:
        raise InvalidSignature(f"missing {name} header")
    if not header.isascii() or not header.isdigit() or len(header) > MAX_TIMESTAMP_DIGITS:
        raise InvalidSignature(f"{name} must be unix seconds")
    timestamp = int(header)
    if abs(now - timestamp) > window_s:
        raise InvalidSignature(f"{name} is outside the {window_s} s replay window")
    return timestamp


def same(given: str, expected: str) -> bool:
    """Compare a shared token in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())
