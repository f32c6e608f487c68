"""Redemptions: spend points on a reward once per idempotency key. The conditional debit, the
ledger entry, the idempotency record and ``RewardRedeemed`` are one unit of work, so
concurrent redemptions never overspend."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from loyalty.domain.debits import debit_entry, redemption_id, repeated
from loyalty.errors import InsufficientBalance, NotFound
from loyalty.ports import RedemptionStores, RedemptionWork
from rapport.events import Redemption, RewardRedeemed


@dataclass(frozen=True)
class Redemptions:
    uow: RedemptionWork

    async def redeem(
        self, profile_id: UUID, key: str, reward_id: str, points: int, now: datetime
    ) -> Redemption:
        """Spend ``points`` on ``reward_id``: a retry returns the first redemption, the same
        key for another reward is a conflict."""
        record_id = f"{profile_id}:{key}"
        spent_id = redemption_id(record_id)

        async def work(stores: RedemptionStores) -> Redemption:
            first = await stores.redemptions.first(record_id)
            if first is not None:
                return repeated(first, reward_id)
            balance = await stores.balances.debit(profile_id, points)
            if balance is None:
                if await stores.balances.exists(profile_id):
                    raise InsufficientBalance("the balance does not cover this reward")
                raise NotFound("no such member")
            redemption = Redemption(
                profile_id=profile_id,
                redemption_id=spent_id,
                reward_id=reward_id,
                points=points,
                balance=balance,
                at=now,
            )
            entry = debit_entry(
                f"redemption:{spent_id}",
                "redemption",
                points,
                spent_id,
                profile_id=profile_id,
                balance=balance,
                now=now,
            )
            await stores.ledger.add(entry | {"reward_id": reward_id})
            await stores.redemptions.record(record_id, redemption)
            await stores.events.add(profile_id, [RewardRedeemed.of(redemption)])
            return redemption

        return await self.uow(work)
