"""Privacy requests (GDPR export and erasure), published on ``privacy.requests``.

profiles announces a request; every service answers with a completion carrying its part.
"""

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event

PrivacyKind = Literal["export", "erase"]


class SocialIdentity(Contract):
    platform: Annotated[str, Field(min_length=1, max_length=32)]
    author_id: Annotated[str, Field(min_length=1, max_length=128)]


class PrivacyRequest(Contract):
    request_id: UUID
    kind: PrivacyKind
    profile_id: UUID
    profile_ids: list[UUID] = Field(default_factory=list, max_length=100)
    """Every id the person was known by (merged profiles included)."""
    identities: list[SocialIdentity] = Field(default_factory=list, max_length=100)
    """Social identities, so services that key by author find the person's documents."""
    requested_at: AwareDatetime


class PrivacyRequested(Event):
    type: Literal["privacy.requested"] = "privacy.requested"
    schema_version: Literal[1] = 1
    payload: PrivacyRequest

    @classmethod
    def of(cls, request: PrivacyRequest) -> "PrivacyRequested":
        return cls.caused_by(
            str(request.request_id), payload=request, occurred_at=request.requested_at
        )


class PrivacyAnswer(Contract):
    request_id: UUID
    kind: PrivacyKind
    profile_id: UUID
    service: Annotated[str, Field(min_length=1, max_length=32)]
    completed_at: AwareDatetime
    documents: int = Field(ge=0)
    """How many documents were exported or erased."""
    export: dict[str, Any] | None = None
    """export only: this service's part, JSON documents by collection."""


class PrivacyCompleted(Event):
    type: Literal["privacy.completed"] = "privacy.completed"
    schema_version: Literal[1] = 1
    payload: PrivacyAnswer

    @classmethod
    def of(cls, answer: PrivacyAnswer) -> "PrivacyCompleted":
        return cls.caused_by(
            str(answer.request_id), answer.service, payload=answer, occurred_at=answer.completed_at
        )
