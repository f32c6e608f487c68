"""Earning: a rule applied to a cause, written to the ledger once, announced on loyalty.events."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from loyalty.clock import Clock
from loyalty.domain.offers import Audience
from loyalty.domain.rules import RuleKind, entry_id
from loyalty.repository.catalogue import MongoRules
from loyalty.repository.ledger import Candidate, Decision, MongoLedger, Outcome
from loyalty.tiering import TierKeeper
from loyalty.topics import LOYALTY_TOPIC
from rapport.events import AwardedPoints, Event, HeldPoints, PointsAwarded, PointsHeld
from rapport.kafka.producer import Publish
from rapport.mongo import Document


def announcements(entry: Document) -> list[Event]:
    """The events that tell an earning entry's state; the same entry always gives the same ids,
    so announcing again after a redelivery duplicates nothing downstream."""
    events: list[Event] = []
    if entry.get("reason") and entry["status"] in ("held", "credited", "rejected"):
        held = HeldPoints(
            profile_id=entry["profile_id"],
            entry_id=entry["_id"],
            rule=entry["rule"],
            points=entry["points"],
            reason=entry["reason"],
            decision=entry.get("decision"),
            at=entry.get("decided_at") or entry["at"],
        )
        events.append(PointsHeld.of(held))
    if entry["status"] == "credited":
        award = AwardedPoints(
            profile_id=entry["profile_id"],
            entry_id=entry["_id"],
            **{k: entry[k] for k in ("rule", "points", "cause_event_id", "balance")},
        )
        events.append(PointsAwarded.of(award))
    return events


@dataclass(frozen=True, kw_only=True)
class Earner:
    rules: MongoRules
    ledger: MongoLedger
    tiers: TierKeeper
    publish: Publish
    clock: Clock
    expiry: timedelta

    async def earn(
        self,
        kind: RuleKind,
        *,
        profile_id: UUID,
        cause: str,
        cause_event_id: UUID,
        audience: Audience | None = None,
    ) -> Outcome | None:
        """Apply ``kind``'s rule to ``cause`` (None when the rule is switched off)."""
        rule = await self.rules.get(kind)
        if not rule.active:
            return None
        now = self.clock()
        candidate = Candidate(
            profile_id, entry_id(kind.value, cause), rule, cause_event_id, audience
        )
        outcome = await self.ledger.earn(candidate, now=now, expires_at=now + self.expiry)
        if outcome.entry is not None:
            await self.announce(outcome.entry)
        return outcome

    async def decide(self, entry_id: str, decision: Decision) -> Document:
        """A human's decision on a held entry."""
        now = self.clock()
        entry = await self.ledger.decide(entry_id, decision, now=now, expires_at=now + self.expiry)
        await self.announce(entry)
        return entry

    async def announce(self, entry: Document) -> None:
        events = announcements(entry)
        if events:
            key = str(entry["profile_id"])
            await self.publish([(LOYALTY_TOPIC, key, event) for event in events])
        if entry["status"] == "credited":
            await self.tiers.review(entry["profile_id"], self.clock(), cause=entry["_id"])
