"""Token revocations, published on ``auth.revocations`` by ``rapport token revoke``."""

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event


class Revocation(Contract):
    token_id: Annotated[str, Field(min_length=1, max_length=128)]
    """The token's ``jti``."""
    expires_at: AwareDatetime
    """When the token expires anyway: services forget the revocation after it."""
    revoked_at: AwareDatetime


class TokenRevoked(Event):
    type: Literal["token.revoked"] = "token.revoked"
    schema_version: Literal[1] = 1
    payload: Revocation

    @classmethod
    def of(cls, revocation: Revocation) -> "TokenRevoked":
        return cls.caused_by(
            revocation.token_id, payload=revocation, occurred_at=revocation.revoked_at
        )
