"""The units of work of earning (the ledger, members, referrals and the outbox bound to one
transaction) and of a batch of mentions (its one read and its writes)."""

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from loyalty.adapters.batch_standing import read_batch_standing
from loyalty.adapters.book_writes import write_book
from loyalty.adapters.ledger_store import MongoLedger
from loyalty.adapters.member_store import MongoMembers
from loyalty.adapters.outbox import Outbox, Session
from loyalty.adapters.outreach_store import OutboxEvents
from loyalty.adapters.people_store import MongoPeople
from loyalty.adapters.referral_store import MongoReferrals
from loyalty.domain.batches import BatchQuery, BatchStanding
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
        return await self._outbox.work(self.bind, work)


class MongoBatchStore:
    def __init__(self, db: Database, outbox: Outbox, session: Session) -> None:
        self._db = db
        self._outbox = outbox
        self._session = session

    async def standing(self, query: BatchQuery) -> BatchStanding:
        return await read_batch_standing(self._db, query, self._session)

    async def write(self, book: Book) -> None:
        await write_book(self._db, self._outbox, book, self._session)


class MongoBatchWork:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox

    async def __call__(self, work: Callable[[BatchStore], Awaitable[T]]) -> T:
        return await self._outbox.work(partial(MongoBatchStore, self._db, self._outbox), work)
