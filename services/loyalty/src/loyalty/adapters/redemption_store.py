"""Redemptions in MongoDB: the idempotency records, the conditional debit of a balance, the
ledger entry, and the unit of work that binds them and the outbox to one transaction."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from uuid import UUID

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from loyalty.adapters.outbox import Outbox, Session
from loyalty.adapters.outreach_store import OutboxEvents
from loyalty.ports import RedemptionStores
from rapport.events import Redemption
from rapport.mongo import Database

T = TypeVar("T")


class MongoRedemptionStore:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._redemptions = db["redemptions"]
        self._session = session

    async def first(self, record_id: str) -> Redemption | None:
        found = await self._redemptions.find_one({"_id": record_id}, session=self._session)
        return None if found is None else Redemption.model_validate(found["redemption"])

    async def record(self, record_id: str, redemption: Redemption) -> None:
        await self._redemptions.insert_one(
            {
                "_id": record_id,
                "profile_id": redemption.profile_id,
                "reward_id": redemption.reward_id,
                "redemption": redemption.model_dump(),
            },
            session=self._session,
        )


class MongoBalances:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._members = db["members"]
        self._session = session

    async def debit(self, profile_id: UUID, points: int) -> int | None:
        member = await self._members.find_one_and_update(
            {"_id": profile_id, "balance": {"$gte": points}},
            {"$inc": {"balance": -points}},
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )
        return None if member is None else int(member["balance"])

    async def exists(self, profile_id: UUID) -> bool:
        return bool(await self._members.count_documents({"_id": profile_id}, session=self._session))


class MongoLedgerEntries:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._ledger = db["ledger"]
        self._session = session

    async def add(self, entry: Mapping[str, Any]) -> None:
        await self._ledger.insert_one(dict(entry), session=self._session)


class MongoRedemptionWork:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox

    async def __call__(self, work: Callable[[RedemptionStores], Awaitable[T]]) -> T:
        async def bound(s: Session) -> T:
            stores = RedemptionStores(
                redemptions=MongoRedemptionStore(self._db, s),
                balances=MongoBalances(self._db, s),
                ledger=MongoLedgerEntries(self._db, s),
                events=OutboxEvents(self._outbox, s),
            )
            return await work(stores)

        try:
            return await self._outbox.transaction(bound)
        except DuplicateKeyError:  # the same key raced itself: the winner's answer is ours
            return await self._outbox.transaction(bound)
