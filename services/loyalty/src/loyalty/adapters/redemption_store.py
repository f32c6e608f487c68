"""Redemptions: a conditional debit of the balance, the ledger entry, the idempotency record and
the ``RewardRedeemed`` event (the outbox) in one transaction, so concurrent redemptions are
serialised and none overspends."""

from datetime import datetime
from uuid import UUID

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from loyalty.adapters.ledger_store import debit_entry
from loyalty.adapters.outbox import Outbox
from loyalty.errors import IdempotencyConflict, InsufficientBalance, NotFound
from rapport.events import Redemption, RewardRedeemed, deterministic_id
from rapport.mongo import Database


class MongoRedemptions:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox
        self._redemptions = db["redemptions"]

    async def redeem(
        self, profile_id: UUID, key: str, reward_id: str, points: int, now: datetime
    ) -> Redemption:
        """Spend ``points`` on ``reward_id`` once per idempotency ``key``: a retry returns the
        first redemption, the same key for another reward is a conflict."""
        record_id = f"{profile_id}:{key}"
        redemption_id = deterministic_id("redemption", record_id)

        async def work(s: AsyncClientSession) -> Redemption:
            first = await self._redemptions.find_one({"_id": record_id}, session=s)
            if first is not None:
                if first["reward_id"] != reward_id:
                    raise IdempotencyConflict("this Idempotency-Key was used for another reward")
                return Redemption.model_validate(first["redemption"])
            member = await self._db["members"].find_one_and_update(
                {"_id": profile_id, "balance": {"$gte": points}},
                {"$inc": {"balance": -points}},
                return_document=ReturnDocument.AFTER,
                session=s,
            )
            if member is None:
                if await self._db["members"].count_documents({"_id": profile_id}, session=s):
                    raise InsufficientBalance("the balance does not cover this reward")
                raise NotFound("no such member")
            redemption = Redemption(
                profile_id=profile_id,
                redemption_id=redemption_id,
                reward_id=reward_id,
                points=points,
                balance=member["balance"],
                at=now,
            )
            entry = debit_entry(
                f"redemption:{redemption_id}", "redemption", points, redemption_id, member, now
            )
            await self._db["ledger"].insert_one(entry | {"reward_id": reward_id}, session=s)
            await self._redemptions.insert_one(
                {
                    "_id": record_id,
                    "profile_id": profile_id,
                    "reward_id": reward_id,
                    "redemption": redemption.model_dump(),
                },
                session=s,
            )
            await self._outbox.add(s, profile_id, [RewardRedeemed.of(redemption)])
            return redemption

        try:
            return await self._outbox.transaction(work)
        except DuplicateKeyError:  # the same key raced itself: the winner's answer is ours
            return await self._outbox.transaction(work)
