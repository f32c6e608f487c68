"""What an earning does once its member's position is known: refuse or cap it (nothing is
written), or write an entry (credited or held) with the member's new balance, tier and
audience, and the events that announce it. One earning at a time and a batch of them decide
through the same functions, so they cannot disagree."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from loyalty.domain.announcements import announcements
from loyalty.domain.guardrails import Judgement, Recent, Verdict, judge
from loyalty.domain.offers import Audience
from loyalty.domain.rules import Rule
from loyalty.domain.tiers import TierTerms, base_tier
from rapport.events import Event, TierChange, TierChanged

Fields = dict[str, Any]


@dataclass(frozen=True)
class Candidate:
    profile_id: UUID
    entry_id: str
    rule: Rule
    cause_event_id: UUID
    audience: Audience | None = None
    """The member's latest stage, segment and consent, when the cause carries them."""


@dataclass(frozen=True)
class Position:
    """The member as an earning finds them."""

    flagged_until: datetime | None
    tier: str | None
    recent: Recent
    """The rule's entries in its cap and velocity windows."""
    window_points: int
    """Points credited within the tier window."""
    oldest_in_window: datetime | None


@dataclass(frozen=True)
class Assessment:
    """An earning that writes an entry: ``points`` into the balance (0 when held), ``fields``
    set on the member, and a tier change when the credit lifts it."""

    verdict: Verdict
    reason: str | None
    points: int
    fields: Fields
    tier_changed: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Standing:
    """What an earning finds: the entry its cause earned before (if any), and the member."""

    entry: Fields | None
    position: Position


@dataclass(frozen=True)
class Outcome:
    status: str
    """credited, held, rejected (an earlier decision), capped or refused."""
    entry: Fields | None = None
    reason: str | None = None
    new: bool = False
    """True when this call wrote the entry or decision (a repeat of its cause finds it)."""


def audience_fields(audience: Audience | None) -> Fields:
    if audience is None:
        return {}
    return {
        "stage": audience.stage,
        "segment": audience.segment,
        "marketing_consent": audience.marketing_consent,
    }


def credit(points: int) -> Fields:
    return {"balance": points, "lifetime_points": points, "settled_points": 0}


def assess(
    c: Candidate, position: Position, *, now: datetime, tiers: TierTerms
) -> Assessment | Judgement:
    """The entry's verdict, or the judgement (capped, refused) that writes nothing."""
    flagged = bool(position.flagged_until and position.flagged_until > now)
    judgement = judge(c.rule, position.recent, flagged=flagged)
    if judgement.verdict in (Verdict.CAP, Verdict.REFUSE):
        return judgement
    if judgement.verdict is not Verdict.CREDIT:
        return Assessment(judgement.verdict, judgement.reason, 0, audience_fields(c.audience))
    points = c.rule.points
    tier, review_at = tiers.after_credit(
        position.window_points, position.oldest_in_window, points, now
    )
    fields = audience_fields(c.audience) | {"tier": tier, "tier_review_at": review_at}
    previous = position.tier or base_tier(tiers.thresholds)
    if tier == previous:
        return Assessment(judgement.verdict, judgement.reason, points, fields)
    change = TierChange(
        profile_id=c.profile_id,
        tier=tier,
        previous_tier=previous,
        window_points=position.window_points + points,
        at=now,
    )
    changed: list[Event] = [TierChanged.of(change, cause=c.entry_id)]
    return Assessment(judgement.verdict, judgement.reason, points, fields, changed)


def ledger_entry(
    c: Candidate, a: Assessment, *, balance: int, now: datetime, expires_at: datetime
) -> Fields:
    """The entry ``a`` writes, ``balance`` being the member's balance once credited."""
    credited = a.verdict is Verdict.CREDIT
    return {
        "_id": c.entry_id,
        "profile_id": c.profile_id,
        "kind": "earn",
        "rule": c.rule.kind.value,
        "points": c.rule.points,
        "cause_event_id": c.cause_event_id,
        "status": a.verdict.value,
        "reason": a.reason,
        "balance": balance,
        "at": now,
        "credited_at": now if credited else None,
        "expires_at": expires_at if credited else None,
        "settled": False,
    }


def entry_events(entry: Fields, a: Assessment) -> list[Event]:
    """What the outbox stores for a new entry: its announcements, then the tier change."""
    return [*announcements(entry), *a.tier_changed]
