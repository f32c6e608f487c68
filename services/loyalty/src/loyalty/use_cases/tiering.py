"""Keeps each member's tier in step with the points they earned in the rolling window."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from loyalty.adapters.ledger_store import MongoLedger, Session
from loyalty.adapters.member_store import MongoMembers
from loyalty.adapters.outbox import Outbox
from loyalty.domain.tiers import TierTerms, base_tier, next_review, tier_for
from rapport.events import TierChange, TierChanged


@dataclass(frozen=True, kw_only=True)
class TierKeeper:
    ledger: MongoLedger
    members: MongoMembers
    outbox: Outbox
    thresholds: Mapping[str, int]
    window: timedelta

    @property
    def terms(self) -> TierTerms:
        return TierTerms(self.thresholds, self.window)

    async def review(
        self, profile_id: UUID, now: datetime, *, cause: str, session: Session | None = None
    ) -> None:
        """Store the member's tier as of ``now`` and, when it changed, its ``TierChanged``,
        in one transaction (``session``'s, when the change that caused the review has one)."""

        async def work(s: Session) -> None:
            member = await self.members.get(profile_id, session=s)
            if member is None:
                return
            points, oldest = await self.ledger.window(profile_id, now - self.window, session=s)
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
                await self.outbox.add(s, profile_id, [TierChanged.of(change, cause=cause)])
            review_at = next_review(oldest, self.window)
            await self.members.set_tier(profile_id, tier, review_at, session=s)

        await self.outbox.transaction(work, session=session)
