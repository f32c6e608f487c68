"""Offers and members for the outreach and roll-out unit tests."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from loyalty.domain.catalogue import Offer
from loyalty.domain.offers import Audience
from rapport.events import ParticipationSegment, RelationshipStage

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
FAN = Audience(RelationshipStage.FAN, ParticipationSegment.OCCASIONAL_PARTICIPANT, True)
SILENT_FAN = Audience(RelationshipStage.FAN, None, False)
DETRACTOR = Audience(RelationshipStage.DETRACTOR, None, True)


def offer(offer_id: str = "descaler", *, starts_at: datetime = NOW - timedelta(hours=1)) -> Offer:
    return Offer(
        offer_id=offer_id,
        title="Descaler kit, 20% off",
        stages=[RelationshipStage.FAN],
        starts_at=starts_at,
        expires_at=NOW + timedelta(days=30),
    )


def member(n: int) -> UUID:
    return UUID(int=n)
