"""The messages of cases, in platform time: customers' mentions, brand posts (from ingest or
sent by agents). Brand posts are kept even before their case exists, since a reply may arrive
before the complaint it answers (they travel on different partitions)."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from pymongo import ASCENDING, IndexModel, UpdateMany, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.mongo import Database
from responder.domain.case import Case
from responder.domain.messages import Message

INDEXES = {
    "timeline": [
        IndexModel([("case_id", ASCENDING), ("created_at", ASCENDING)]),
        IndexModel("conversation_id", partialFilterExpression={"case_id": None}),
        IndexModel("in_reply_to", partialFilterExpression={"case_id": None}),
        IndexModel([("platform", ASCENDING), ("author_id", ASCENDING)]),
    ]
}


class MongoTimeline:
    def __init__(self, db: Database) -> None:
        self._messages = db["timeline"]

    async def add(self, message: Message, session: AsyncClientSession | None = None) -> None:
        """Once per id; a repeat leaves the stored message as it is."""
        document = message.model_dump(by_alias=True)
        await self._messages.update_one(
            {"_id": message.id}, {"$setOnInsert": document}, upsert=True, session=session
        )

    async def add_all(self, messages: Sequence[Message]) -> None:
        """``add`` for each message, in one round trip."""
        if messages:
            await self._messages.bulk_write([_kept(m) for m in messages], ordered=False)

    async def unattached_answers(self, case: Case) -> list[Message]:
        """Brand posts not yet attached, since the case opened, that answer it (as in
        ``MongoCases.answered_by``)."""
        return await self.unattached_posts(case.external_ids, case.conversation_ids, case.opened_at)

    async def unattached_posts(
        self, external_ids: Iterable[str], conversations: Iterable[str], since: datetime
    ) -> list[Message]:
        """Brand posts not yet attached, since ``since``, replying to one of ``external_ids``
        or, replying to nothing, in one of ``conversations``."""
        query = {
            "case_id": None,
            "kind": "brand",
            "created_at": {"$gte": since},
            "$or": [
                {"in_reply_to": {"$in": list(external_ids)}},
                {"in_reply_to": None, "conversation_id": {"$in": list(conversations)}},
            ],
        }
        docs = await self._messages.find(query).to_list()
        return [Message.model_validate(doc) for doc in docs]

    async def attach(self, ids: Sequence[UUID], case_id: UUID, session: AsyncClientSession) -> None:
        await self._messages.update_many(
            {"_id": {"$in": list(ids)}}, {"$set": {"case_id": case_id}}, session=session
        )

    async def thread_all(
        self, threads: Sequence[tuple[Message, Sequence[UUID]]], session: AsyncClientSession
    ) -> None:
        """Add each customer message and attach the brand posts it came with to its case, in
        one round trip."""
        writes: list[UpdateOne | UpdateMany] = []
        for customer, answers in threads:
            writes.append(_kept(customer))
            if answers:
                attached = {"$set": {"case_id": customer.case_id}}
                writes.append(UpdateMany({"_id": {"$in": list(answers)}}, attached))
        if writes:
            await self._messages.bulk_write(writes, session=session)

    async def of_case(self, case_id: UUID) -> list[Message]:
        cursor = self._messages.find({"case_id": case_id}).sort("created_at", ASCENDING)
        return [Message.model_validate(doc) for doc in await cursor.to_list()]

    async def move(self, source: UUID, target: UUID, session: AsyncClientSession) -> None:
        await self._messages.update_many(
            {"case_id": source}, {"$set": {"case_id": target}}, session=session
        )


def _kept(message: Message) -> UpdateOne:
    """Keep the message once; a repeat leaves the stored one as it is."""
    return UpdateOne({"_id": message.id}, {"$setOnInsert": message.model_dump(by_alias=True)}, True)
