"""The expiry worker: takes expired points out of balances (oldest first) and lets tiers fall
when points leave the window. Reads run the same check for the member they read. Each expiry
and tier change is stored with its event (the outbox) in one transaction."""

from dataclasses import dataclass, field
from uuid import UUID

from loyalty.adapters.ledger_store import MongoLedger
from loyalty.adapters.member_store import MongoMembers
from loyalty.clock import Clock
from loyalty.ports import EarningWork
from loyalty.use_cases.expiry import expire
from loyalty.use_cases.tiering import TierKeeper
from rapport.workers import Poller, Repeat

BATCH = 500


@dataclass(frozen=True, kw_only=True)
class Sweeper:
    ledger: MongoLedger
    members: MongoMembers
    tiers: TierKeeper
    uow: EarningWork
    clock: Clock
    interval_s: float
    _loop: Poller = field(init=False)

    def __post_init__(self) -> None:
        # A failed sweep is retried (MongoDB away) or left to the next interval (anything
        # else); nothing is half-written.
        object.__setattr__(self, "_loop", Repeat(self.interval_s, self.sweep))

    def stop(self) -> None:
        self._loop.stop()

    async def run(self) -> None:
        await self._loop.run()

    async def sweep(self) -> int:
        """Expire and review every member that is due; how many members were touched."""
        now = self.clock()
        due = await self.ledger.due_for_expiry(now, BATCH)
        for profile_id in due:
            await self.expire(profile_id)
        reviews = await self.members.due_for_tier_review(now, BATCH)
        for profile_id in reviews:
            await self.tiers.review(profile_id, now, cause=f"review:{now.isoformat()}")
        return len(due) + len(reviews)

    async def expire(self, profile_id: UUID) -> None:
        await expire(profile_id, self.clock(), uow=self.uow)

    async def refresh(self, profile_id: UUID) -> None:
        """The on-read check: this member's expiry and tier, as of now."""
        await self.expire(profile_id)
        member = await self.members.get(profile_id)
        now = self.clock()
        if member and member.get("tier_review_at") and member["tier_review_at"] <= now:
            await self.tiers.review(profile_id, now, cause=f"review:{now.isoformat()}")
