"""The units of work of earning (the ledger, members, referrals and the outbox bound to one
transaction) and of a batch of mentions (its one read and its writes)."""

from collections.abc import Awaitable, Callable, Collection, Iterable
from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

from loyalty.adapters.batch_standing import read_batch_standing
from loyalty.adapters.book_writes import write_book
from loyalty.adapters.ledger_store import MongoLedger
from loyalty.adapters.member_store import MongoMembers
from loyalty.adapters.outbox import Outbox, Session
from loyalty.adapters.outreach_store import OutboxEvents
from loyalty.adapters.people_store import MongoPeople
from loyalty.adapters.referral_store import MongoReferrals
from loyalty.domain.batches import BatchStanding
from loyalty.domain.rules import Rule
from loyalty.ports import BatchStore, Book, EarningStores
from rapport.mongo import Database

T = TypeVar("T")


class MongoEarningWork:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox
        self._people = MongoPeople(db)

    def bind(self, s: Session) -> EarningStores:
        """The stores in ``s``'s transaction (for a caller that opened it)."""
        return EarningStores(
            ledger=MongoLedger(self._db, s),
            members=MongoMembers(self._db, s),
            referrals=MongoReferrals(self._db, self._people, s),
            events=OutboxEvents(self._outbox, s),
        )

    async def __call__(self, work: Callable[[EarningStores], Awaitable[T]]) -> T:
        async def bound(s: Session) -> T:
            return await work(self.bind(s))

        return await self._outbox.transaction(bound)


class MongoBatchStore:
    def __init__(self, db: Database, outbox: Outbox, session: Session) -> None:
        self._db = db
        self._outbox = outbox
        self._session = session

    async def standing(
        self,
        *,
        profile_ids: Collection[UUID],
        entry_ids: Iterable[str],
        rules: Iterable[Rule],
        questions: Iterable[str],
        now: datetime,
        tier_window: timedelta,
    ) -> BatchStanding:
        return await read_batch_standing(
            self._db,
            profile_ids=profile_ids,
            entry_ids=entry_ids,
            rules=rules,
            questions=questions,
            now=now,
            tier_window=tier_window,
            session=self._session,
        )

    async def write(self, book: Book) -> None:
        await write_book(self._db, self._outbox, book, self._session)


class MongoBatchWork:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox

    async def __call__(self, work: Callable[[BatchStore], Awaitable[T]]) -> T:
        async def bound(s: Session) -> T:
            return await work(MongoBatchStore(self._db, self._outbox, s))

        return await self._outbox.transaction(bound)
