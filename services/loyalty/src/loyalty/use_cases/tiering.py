"""Keeps each member's tier in step with the points they earned in the rolling window."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from loyalty.domain.tiers import TierTerms, review
from loyalty.ports import EarningStores, EarningWork
from rapport.events import TierChanged


@dataclass(frozen=True, kw_only=True)
class TierKeeper:
    uow: EarningWork
    thresholds: Mapping[str, int]
    window: timedelta

    @property
    def terms(self) -> TierTerms:
        return TierTerms(self.thresholds, self.window)

    async def review(self, profile_id: UUID, now: datetime, *, cause: str) -> None:
        """Store the member's tier as of ``now`` and, when it changed, its ``TierChanged``,
        in one unit of work."""
        await self.uow(lambda stores: self.review_in(stores, profile_id, now, cause=cause))

    async def review_in(
        self, stores: EarningStores, profile_id: UUID, now: datetime, *, cause: str
    ) -> None:
        """``review`` in a unit of work the caller opened (the change that caused it)."""
        member = await stores.members.get(profile_id)
        if member is None:
            return
        points, oldest = await stores.ledger.window(profile_id, now - self.window)
        reviewed = review(profile_id, member.get("tier"), points, oldest, terms=self.terms, now=now)
        if reviewed.change is not None:
            await stores.events.add(profile_id, [TierChanged.of(reviewed.change, cause=cause)])
        await stores.members.set_tier(profile_id, reviewed.tier, reviewed.review_at)
