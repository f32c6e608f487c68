"""Bearer tokens: JWTs from one issuer, signed with Ed25519 (EdDSA), so services only verify.

Claims: ``iss`` (the issuer), ``aud`` (the services a token is for, one or several), ``sub``,
``scope`` (space-separated scopes), ``iat``, ``exp`` (required) and ``jti`` (what a revocation
names). The header's ``kid`` names the signing key among the services' public keys
(``rapport.keys``), so an old and a new key verify side by side during a rotation.

A token lives at most as long as its most powerful scope allows (``MAX_LIFETIME_S``):

=========================================  ==========
scope                                      longest
=========================================  ==========
``member``                                 15 minutes
``admin``, ``privacy``, ``operations``     1 hour
``agent``, ``supervisor``                  12 hours
``integration``                            30 days
=========================================  ==========

``admin`` satisfies every scope. A ``member`` token is a customer's own: its ``sub`` is their
profile id, it holds no other scope, and it reaches only routes that admit the member whose
profile the path names (``rapport.api.require_member_or``).
"""

import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from rapport.keys import KeySet, SigningKey

ALGORITHM = "EdDSA"
DEFAULT_ISSUER = "rapport"
HOUR_S = 3600
CLOCK_SKEW_S = 60


class Scope(StrEnum):
    INTEGRATION = "integration"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    PRIVACY = "privacy"
    OPERATIONS = "operations"
    ADMIN = "admin"
    MEMBER = "member"


MAX_LIFETIME_S: dict[Scope, int] = {
    Scope.MEMBER: 15 * 60,
    Scope.ADMIN: HOUR_S,
    Scope.PRIVACY: HOUR_S,
    Scope.OPERATIONS: HOUR_S,
    Scope.SUPERVISOR: 12 * HOUR_S,
    Scope.AGENT: 12 * HOUR_S,
    Scope.INTEGRATION: 30 * 24 * HOUR_S,
}
LONGEST_LIFETIME_S = max(MAX_LIFETIME_S.values())


class InvalidToken(Exception):
    """The token is malformed, forged, expired, revoked or meant for someone else."""


@dataclass(frozen=True)
class Principal:
    subject: str
    scopes: frozenset[Scope]
    token_id: str
    expires_at: int

    def has_any(self, wanted: Iterable[Scope]) -> bool:
        return Scope.ADMIN in self.scopes or any(scope in self.scopes for scope in wanted)

    def is_member(self, profile_id: object) -> bool:
        """A member token of the profile ``profile_id`` names (a UUID, or its text)."""
        return Scope.MEMBER in self.scopes and _same_uuid(self.subject, profile_id)


def _same_uuid(subject: str, profile_id: object) -> bool:
    try:
        return uuid.UUID(subject) == uuid.UUID(str(profile_id))
    except ValueError:
        return False


def max_lifetime_s(scopes: Iterable[Scope]) -> int:
    return min((MAX_LIFETIME_S[scope] for scope in scopes), default=HOUR_S)


def issue_token(
    key: SigningKey,
    subject: str,
    scopes: Iterable[str],
    *,
    audience: Sequence[str],
    issuer: str = DEFAULT_ISSUER,
    ttl_s: int | None = None,
    now: float | None = None,
) -> str:
    """A token for ``audience`` (service names); ``ttl_s`` defaults to the longest allowed."""
    granted = sorted({Scope(s) for s in scopes})
    longest = max_lifetime_s(granted)
    ttl_s = longest if ttl_s is None else ttl_s
    if not 0 < ttl_s <= longest:
        raise ValueError(f"a token with {' '.join(granted)} lives at most {longest} s")
    if not audience:
        raise ValueError("a token needs an audience: the services it is for")
    if Scope.MEMBER in granted:
        _member_claims(subject, granted)
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": issuer,
        "aud": list(audience),
        "sub": subject,
        "scope": " ".join(granted),
        "iat": issued,
        "exp": issued + ttl_s,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private, algorithm=ALGORITHM, headers={"kid": key.kid})


def _member_claims(subject: str, scopes: list[Scope]) -> None:
    if scopes != [Scope.MEMBER]:
        raise ValueError("a member token holds the member scope only")
    try:
        uuid.UUID(subject)
    except ValueError:
        raise ValueError("a member token's subject is the member's profile id (a UUID)") from None


def token_kid(token: str) -> str | None:
    """The ``kid`` the token names (unverified: it only picks the key to verify with)."""
    try:
        return _kid(token)
    except InvalidToken:
        return None


def _kid(token: str) -> str | None:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError as error:
        raise InvalidToken("malformed token") from error
    return kid if isinstance(kid, str) else None


def verify_token(
    token: str, *, keys: KeySet, issuer: str, audience: str, now: float | None = None
) -> Principal:
    """The token's principal if ``keys`` signed it for ``audience`` and it has not expired."""
    kid = _kid(token)
    public = keys.get(kid) if kid is not None else None
    if public is None:
        raise InvalidToken("unknown signing key")
    try:
        claims = jwt.decode(
            token,
            public,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={
                "require": ["iss", "aud", "sub", "iat", "exp", "jti"],
                "verify_iat": False,
                "verify_exp": now is None,
            },
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("token expired") from error
    except jwt.InvalidAudienceError as error:
        raise InvalidToken(f"token is not for {audience}") from error
    except jwt.InvalidIssuerError as error:
        raise InvalidToken("token is from another issuer") from error
    except jwt.InvalidTokenError as error:
        raise InvalidToken(f"invalid token: {error}") from error
    return _principal(claims, now)


def _principal(claims: dict[str, Any], now: float | None) -> Principal:
    try:
        scopes = frozenset(Scope(s) for s in str(claims.get("scope", "")).split())
        issued, expires = int(claims["iat"]), int(claims["exp"])
    except (ValueError, TypeError) as error:
        raise InvalidToken("malformed claims") from error
    now = time.time() if now is None else now
    if now >= expires:
        raise InvalidToken("token expired")
    if issued > now + CLOCK_SKEW_S:  # else a far-future iat would stretch the lifetime
        raise InvalidToken("token issued in the future")
    if expires - issued > max_lifetime_s(scopes):
        raise InvalidToken("token lives longer than its scopes allow")
    return Principal(str(claims["sub"]), scopes, str(claims["jti"]), expires)
