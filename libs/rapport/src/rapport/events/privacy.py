"""Privacy requests (GDPR export and erasure), published on ``privacy.requests``.

profiles announces a request (and re-announces it to the services that have not answered);
every service answers with a completion: how many documents it exported or erased and, for an
export, where it serves its part (never the part itself: v1 carried it, v2 does not).
"""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event
from rapport.events.upcasters import UPCASTERS

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
    services: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=32
    )
    """A re-announcement's: only these services answer (those that had not); empty: every one."""

    def asks(self, service: str) -> bool:
        return not self.services or service in self.services


class PrivacyRequested(Event):
    type: Literal["privacy.requested"] = "privacy.requested"
    schema_version: Literal[1] = 1
    payload: PrivacyRequest

    @classmethod
    def of(cls, request: PrivacyRequest) -> "PrivacyRequested":
        return cls.caused_by(
            str(request.request_id), payload=request, occurred_at=request.requested_at
        )

    @classmethod
    def again(cls, request: PrivacyRequest, attempt: int, at: datetime) -> "PrivacyRequested":
        """The ``attempt``-th announcement (2, 3, ...), to ``request.services``."""
        return cls.caused_by(str(request.request_id), str(attempt), payload=request, occurred_at=at)


class PrivacyAnswer(Contract):
    request_id: UUID
    kind: PrivacyKind
    profile_id: UUID
    service: Annotated[str, Field(min_length=1, max_length=32)]
    completed_at: AwareDatetime
    documents: int = Field(ge=0)
    """How many documents were exported or erased."""
    export_path: Annotated[str, Field(max_length=256)] | None = None
    """export only: where the service serves its part (on its own URL), to the privacy scope."""
    expires_at: AwareDatetime | None = None
    """export only: when the stored part is deleted."""


class PrivacyCompleted(Event):
    type: Literal["privacy.completed"] = "privacy.completed"
    schema_version: Literal[2] = 2
    payload: PrivacyAnswer

    @classmethod
    def of(cls, answer: PrivacyAnswer) -> "PrivacyCompleted":
        return cls.caused_by(
            str(answer.request_id), answer.service, payload=answer, occurred_at=answer.completed_at
        )


class PrivacyAnswerV1(Contract):
    request_id: UUID
    kind: PrivacyKind
    profile_id: UUID
    service: Annotated[str, Field(min_length=1, max_length=32)]
    completed_at: AwareDatetime
    documents: int = Field(ge=0)
    export: dict[str, Any] | None = None
    """export only: this service's part, JSON documents by collection (personal data)."""


class PrivacyCompletedV1(Event):
    type: Literal["privacy.completed"] = "privacy.completed"
    schema_version: Literal[1] = 1
    payload: PrivacyAnswerV1


@UPCASTERS.register(PrivacyCompletedV1, PrivacyCompleted)
def _without_the_export(old: PrivacyCompletedV1) -> PrivacyCompleted:
    """v1 carried the export itself; it is dropped unread (the part is not stored anywhere)."""
    answer = PrivacyAnswer(**old.payload.model_dump(exclude={"export"}))
    return PrivacyCompleted(event_id=old.event_id, occurred_at=old.occurred_at, payload=answer)
