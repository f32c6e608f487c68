"""Outreach without spam: consent, relevance and a weekly frequency cap."""

from dataclasses import dataclass
from datetime import datetime

from rapport.events import ParticipationSegment, RelationshipStage


@dataclass(frozen=True)
class Audience:
    """What loyalty knows of a member for outreach: their latest stage, segment and consent."""

    stage: RelationshipStage | None
    segment: ParticipationSegment | None
    marketing_consent: bool


@dataclass(frozen=True)
class Targeting:
    stages: frozenset[RelationshipStage]
    segments: frozenset[ParticipationSegment]
    starts_at: datetime
    expires_at: datetime


def relevance(targeting: Targeting, audience: Audience) -> list[str]:
    """What makes the offer relevant to the member: the stage or segment it targets that they
    are in ("stage:fan", "segment:frequent_creator"); empty when it is not relevant."""
    found = []
    if audience.stage in targeting.stages:
        found.append(f"stage:{audience.stage}")
    if audience.segment in targeting.segments:
        found.append(f"segment:{audience.segment}")
    return found


def may_contact(
    targeting: Targeting, audience: Audience, *, now: datetime, sent_this_week: int, weekly_cap: int
) -> list[str]:
    """The reasons to send, or empty when it must not be sent (no consent, not running, not
    relevant, or the member already had ``weekly_cap`` messages in the last seven days)."""
    if not audience.marketing_consent or sent_this_week >= weekly_cap:
        return []
    if not targeting.starts_at <= now < targeting.expires_at:
        return []
    return relevance(targeting, audience)
