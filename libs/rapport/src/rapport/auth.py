"""Bearer tokens with scopes, signed with the shared ``RAPPORT_AUTH_SECRET`` (HMAC-SHA256).

A token is ``rp1.<claims>.<signature>``, both parts base64url; claims are
``{"sub": ..., "scopes": [...], "exp": unix seconds | null}``. ``admin`` satisfies every scope.
"""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

PREFIX = "rp1"


class Scope(StrEnum):
    INTEGRATION = "integration"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    PRIVACY = "privacy"
    OPERATIONS = "operations"
    ADMIN = "admin"


class InvalidToken(Exception):
    """The token is malformed, forged or expired."""


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[Scope]

    def has_any(self, wanted: Iterable[Scope]) -> bool:
        return Scope.ADMIN in self.scopes or any(scope in self.scopes for scope in wanted)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, message: str) -> str:
    return _b64(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest())


def issue_token(secret: str, subject: str, scopes: Iterable[str], ttl_s: int | None = None) -> str:
    claims = {
        "sub": subject,
        "scopes": sorted(Scope(s).value for s in scopes),
        "exp": int(time.time()) + ttl_s if ttl_s is not None else None,
    }
    body = f"{PREFIX}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    return f"{body}.{_sign(secret, body)}"


def verify_token(secret: str, token: str, *, now: float | None = None) -> Principal:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise InvalidToken("malformed token")
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(secret, body), parts[2]):
        raise InvalidToken("bad signature")
    try:
        claims = json.loads(_unb64(parts[1]))
        subject = str(claims["sub"])
        scopes = frozenset(Scope(s) for s in claims["scopes"])
        expires = claims.get("exp")
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidToken("malformed claims") from error
    if expires is not None and (now if now is not None else time.time()) >= expires:
        raise InvalidToken("token expired")
    return Principal(subject=subject, scopes=scopes)
