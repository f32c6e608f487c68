"""Notices and their deliveries in MongoDB. A notice is stored once (its id is its key) with
all its deliveries in one transaction, so a second planner (another replica, or a restart)
finds it planned. A sender claims a delivery before sending: the claim's token and lease
(``lease_until``) keep every other sender off it until the lease runs out (the sender died),
and only the token's holder can mark it sent or failed."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from rapport.mongo import Database, Document, in_transaction
from responder.notifications.adapters.sealing import Sealer
from responder.notifications.domain.deliveries import Delivery, DeliveryStatus
from responder.notifications.domain.notices import Notice
from responder.notifications.domain.routes import Target
from responder.notifications.ports import Claimed

NOTICES, DELIVERIES = "notices", "notifications"
INDEXES = {
    NOTICES: [IndexModel([("planned_at", ASCENDING)])],
    DELIVERIES: [
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("lease_until", ASCENDING)]),
        IndexModel([("status", ASCENDING), ("created_at", DESCENDING)]),
    ],
}
_LAST_ERROR_CHARS = 500


class MongoDeliveries:
    def __init__(self, db: Database, sealer: Sealer) -> None:
        self._db = db
        self._notices = db[NOTICES]
        self._deliveries = db[DELIVERIES]
        self._sealer = sealer

    async def planned(self, notice_ids: Sequence[UUID]) -> set[UUID]:
        cursor = self._notices.find({"_id": {"$in": list(notice_ids)}}, {"_id": 1})
        return {doc["_id"] for doc in await cursor.to_list()}

    async def plan(self, notice: Notice, deliveries: Sequence[tuple[Delivery, Target]]) -> bool:
        async def write(session: AsyncClientSession) -> None:
            planned_at = deliveries[0][0].created_at if deliveries else notice.at
            notice_doc = {"_id": notice.id, "planned_at": planned_at, "deliveries": len(deliveries)}
            await self._notices.insert_one(notice_doc, session=session)
            if deliveries:
                documents = [self._document(d, t) for d, t in deliveries]
                await self._deliveries.insert_many(documents, session=session)

        try:
            await in_transaction(self._db, write)
        except DuplicateKeyError:
            return False
        return True

    async def claim(self, now: datetime, lease: timedelta) -> Claimed | None:
        token = uuid.uuid4().hex
        found = await self._deliveries.find_one_and_update(
            {
                "$or": [
                    {"status": "pending", "next_attempt_at": {"$lte": now}},
                    {"status": "sending", "lease_until": {"$lte": now}},
                ]
            },
            {"$set": {"status": "sending", "lease_until": now + lease, "claim": token}},
            sort=[("next_attempt_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        if found is None:
            return None
        sealed = found["address"]
        address = self._sealer.open(sealed) if found["channel"] == "webhook" else sealed
        return Claimed(_delivery(found), address, token)

    async def sent(self, claimed: Claimed, at: datetime) -> bool:
        done = await self._deliveries.update_one(
            _held(claimed),
            {"$set": {"status": "sent", "sent_at": at, "lease_until": None}},
        )
        return done.modified_count == 1

    async def retry_later(self, claimed: Claimed, error: str, at: datetime | None) -> None:
        update = {
            "status": "failed" if at is None else "pending",
            "last_error": error[:_LAST_ERROR_CHARS],
            "next_attempt_at": at or claimed.delivery.next_attempt_at,
            "lease_until": None,
        }
        await self._deliveries.update_one(_held(claimed), {"$set": update, "$inc": {"attempts": 1}})

    async def list(self, status: DeliveryStatus | None, skip: int, limit: int) -> list[Delivery]:
        query = {} if status is None else {"status": status}
        cursor = self._deliveries.find(query).sort("created_at", DESCENDING).skip(skip)
        return [_delivery(doc) for doc in await cursor.limit(limit).to_list()]

    def _document(self, delivery: Delivery, target: Target) -> dict[str, Any]:
        fields = delivery.model_dump(exclude={"id"})
        address = target.address
        sealed = self._sealer.seal(address) if target.channel == "webhook" else address
        return {"_id": delivery.id, **fields, "address": sealed, "lease_until": None}


def _held(claimed: Claimed) -> Document:
    return {"_id": claimed.delivery.id, "status": "sending", "claim": claimed.claim}


def _delivery(document: Document) -> Delivery:
    return Delivery.model_validate({**document, "id": document["_id"]})
