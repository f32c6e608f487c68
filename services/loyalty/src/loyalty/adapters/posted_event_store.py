"""Purchases and referrals posted by external systems, remembered by their own id so a retry
gets the same answer and a different body under the same id is refused. The first post stores
its ``commerce.events`` event (the outbox) in the same transaction."""

from collections.abc import Awaitable, Callable
from uuid import UUID

from pymongo.errors import DuplicateKeyError

from loyalty.adapters.outbox import Outbox, Session
from loyalty.errors import IdempotencyConflict
from loyalty.ports import EarningStores
from loyalty.topics import COMMERCE_TOPIC
from rapport.events import Event
from rapport.mongo import Database, Document

Recorder = Callable[[EarningStores], Awaitable[object]]
"""What loyalty records of a posted event with it (``use_cases.referring``)."""


class MongoPostedEvents:
    def __init__(
        self, db: Database, outbox: Outbox, bind: Callable[[Session], EarningStores]
    ) -> None:
        self._intake = db["intake"]
        self._outbox = outbox
        self._bind = bind

    async def remember(
        self,
        key: str,
        body: Document,
        profile_ids: list[UUID],
        event: Event,
        also: Recorder | None = None,
    ) -> None:
        """Record ``body`` under ``key`` and ``event``, keyed by the first of ``profile_ids``,
        with what ``also`` stores (or refuses) in the same transaction; the same body again is
        fine and stores nothing, another is a conflict."""

        async def work(s: Session) -> None:
            first = await self._intake.find_one({"_id": key}, session=s)
            if first is not None:
                if first["body"] != body:
                    raise IdempotencyConflict(f"{key} was already posted with a different body")
                return
            record = {
                "_id": key,
                "body": body,
                "profile_ids": profile_ids,
                "event_id": str(event.event_id),
            }
            if also is not None:
                await also(self._bind(s))
            await self._intake.insert_one(record, session=s)
            await self._outbox.add(s, profile_ids[0], [event], topic=COMMERCE_TOPIC)

        try:
            await self._outbox.transaction(work)
        except DuplicateKeyError:  # raced another post: compare with what the winner stored
            await self._outbox.transaction(work)
