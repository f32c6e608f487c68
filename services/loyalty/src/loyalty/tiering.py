"""Keeps each member's tier in step with the points they earned in the rolling window."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from loyalty.domain.tiers import base_tier, next_review, tier_for
from loyalty.repository.ledger import MongoLedger
from loyalty.repository.members import MongoMembers
from loyalty.topics import LOYALTY_TOPIC
from rapport.events import TierChange, TierChanged
from rapport.kafka.producer import Publish


@dataclass(frozen=True, kw_only=True)
class TierKeeper:
    ledger: MongoLedger
    members: MongoMembers
    publish: Publish
    thresholds: Mapping[str, int]
    window: timedelta

    async def review(self, profile_id: UUID, now: datetime, *, cause: str) -> None:
        """Publish a tier change (before storing it, so a crash in between republishes it)."""
        member = await self.members.get(profile_id)
        if member is None:
            return
        points, oldest = await self.ledger.window(profile_id, now - self.window)
        tier = tier_for(points, self.thresholds)
        previous = member.get("tier") or base_tier(self.thresholds)
        if tier != previous:
            change = TierChange(
                profile_id=profile_id,
                tier=tier,
                previous_tier=previous,
                window_points=points,
                at=now,
            )
            event = TierChanged.of(change, cause=cause)
            await self.publish([(LOYALTY_TOPIC, str(profile_id), event)])
        await self.members.set_tier(profile_id, tier, next_review(oldest, self.window))
