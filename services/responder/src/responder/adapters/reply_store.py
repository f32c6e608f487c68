"""Agents' replies waiting to go out, in MongoDB. A sender leases a reply before calling the
connector, so two senders never send it at once; a lease that runs out (the sender died) lets
it be retried, under the same id."""

from datetime import datetime, timedelta
from uuid import UUID

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.mongo import Database
from responder.domain.replies import Reply

INDEXES = {
    "replies": [
        IndexModel([("state", ASCENDING), ("next_attempt_at", ASCENDING)]),
        IndexModel("case_id"),
    ]
}


class MongoReplies:
    def __init__(self, db: Database) -> None:
        self._replies = db["replies"]

    async def add(self, reply: Reply) -> Reply:
        """Store the reply once per id; the stored one (perhaps from an earlier call) back."""
        await self._replies.update_one(
            {"_id": reply.id}, {"$setOnInsert": reply.model_dump(by_alias=True)}, upsert=True
        )
        found = await self.get(reply.id)
        assert found is not None
        return found

    async def get(self, reply_id: UUID) -> Reply | None:
        found = await self._replies.find_one({"_id": reply_id})
        return None if found is None else Reply.model_validate(found)

    async def of_case(self, case_id: UUID) -> list[Reply]:
        cursor = self._replies.find({"case_id": case_id}).sort("created_at", ASCENDING)
        return [Reply.model_validate(doc) for doc in await cursor.to_list()]

    async def lease(self, now: datetime, lease: timedelta) -> Reply | None:
        """The next reply due, now leased to the caller until ``now + lease`` (counted in
        ``leased`` before any send starts)."""
        found = await self._replies.find_one_and_update(
            {
                "$or": [
                    {"state": "pending", "next_attempt_at": {"$lte": now}},
                    {"state": "sending", "lease_until": {"$lte": now}},
                ]
            },
            {"$set": {"state": "sending", "lease_until": now + lease}, "$inc": {"leased": 1}},
            sort=[("next_attempt_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return None if found is None else Reply.model_validate(found)

    async def mark_sent(
        self, reply: Reply, at: datetime, external_id: str | None, session: AsyncClientSession
    ) -> None:
        await self._replies.update_one(
            {"_id": reply.id, "state": "sending"},
            {"$set": {"state": "sent", "sent_at": at, "external_id": external_id}},
            session=session,
        )

    async def retry_later(self, reply: Reply, error: str, at: datetime | None) -> None:
        """Back to pending until ``at``; failed for good when ``at`` is None."""
        update = {
            "state": "failed" if at is None else "pending",
            "last_error": error[:500],
            "next_attempt_at": at or reply.next_attempt_at,
            "lease_until": None,
        }
        await self._replies.update_one(
            {"_id": reply.id, "state": "sending"},
            {"$set": update, "$inc": {"attempts": 1}},
        )

    async def retry_now(self, reply_id: UUID, now: datetime) -> Reply | None:
        """A failed reply not superseded back to pending, due now, with fresh attempts
        (``leased`` stays: the connector still looks for an earlier post before posting)."""
        found = await self._replies.find_one_and_update(
            {"_id": reply_id, "state": "failed", "superseded_by": None},
            {"$set": {"state": "pending", "next_attempt_at": now, "attempts": 0}},
            return_document=ReturnDocument.AFTER,
        )
        return None if found is None else Reply.model_validate(found)

    async def supersede(self, reply_id: UUID, by: UUID) -> Reply | None:
        found = await self._replies.find_one_and_update(
            {"_id": reply_id, "state": "failed", "superseded_by": {"$in": [None, by]}},
            {"$set": {"superseded_by": by}},
            return_document=ReturnDocument.AFTER,
        )
        return None if found is None else Reply.model_validate(found)

    async def forget_cases(self, case_ids: list[UUID]) -> int:
        deleted = await self._replies.delete_many({"case_id": {"$in": case_ids}})
        return deleted.deleted_count
