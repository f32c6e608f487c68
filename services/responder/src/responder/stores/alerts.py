"""Negative mentions' authors counted per subject and bucket, and the crisis alerts raised
from them. An alert is stored with its ``alert.changed`` event in one transaction (the outbox)."""

from collections.abc import Sequence
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport import outbox
from rapport.events import AlertChanged, CrisisAlert
from rapport.mongo import Database, Document
from rapport.outbox import OutboxRelay

ALERTS_TOPIC = "care.alerts"
INDEXES = {
    "negatives": [IndexModel([("subjects", ASCENDING), ("bucket", ASCENDING)])],
    "alerts": [
        IndexModel([("status", ASCENDING), ("changed_at", DESCENDING)]),
        IndexModel([("kind", ASCENDING), ("subject", ASCENDING), ("status", ASCENDING)]),
    ],
}


class Alerts:
    def __init__(self, db: Database, relay: OutboxRelay | None = None) -> None:
        self._db = db
        self._negatives = db["negatives"]
        self._alerts = db["alerts"]
        self._relay = relay

    async def count_negative(
        self, mention_id: UUID, author: str, case_id: UUID | None, subjects: list[str], bucket: int
    ) -> None:
        document = {"subjects": subjects, "bucket": bucket, "author": author, "case_id": case_id}
        await self._negatives.update_one(
            {"_id": mention_id}, {"$setOnInsert": document}, upsert=True
        )

    async def counts(self, subjects: list[str], first: int, last: int) -> dict[str, dict[int, int]]:
        """Per subject and bucket (``first`` to ``last``), the authors of negative mentions."""
        pipeline: list[Document] = [
            {"$match": {"subjects": {"$in": subjects}, "bucket": {"$gte": first, "$lte": last}}},
            {"$unwind": "$subjects"},
            {"$match": {"subjects": {"$in": subjects}}},
            {
                "$group": {
                    "_id": {"subject": "$subjects", "bucket": "$bucket"},
                    "authors": {"$addToSet": "$author"},
                }
            },
            {"$project": {"n": {"$size": "$authors"}}},
        ]
        found: dict[str, dict[int, int]] = {subject: {} for subject in subjects}
        for row in await (await self._negatives.aggregate(pipeline)).to_list():
            found[row["_id"]["subject"]][row["_id"]["bucket"]] = row["n"]
        return found

    async def in_bucket(self, subject: str, bucket: int, limit: int = 1000) -> list[Document]:
        cursor = self._negatives.find({"subjects": subject, "bucket": bucket}).limit(limit)
        return await cursor.to_list()

    async def get(self, alert_id: UUID) -> CrisisAlert | None:
        found = await self._alerts.find_one({"_id": alert_id})
        return None if found is None else _alert(found)

    async def active(self, kind: str, subjects: list[str]) -> list[CrisisAlert]:
        query = {"kind": kind, "subject": {"$in": subjects}, "status": "active"}
        return [_alert(doc) for doc in await self._alerts.find(query).to_list()]

    async def list(self, status: str | None, skip: int, limit: int) -> list[CrisisAlert]:
        query = {} if status is None else {"status": status}
        cursor = self._alerts.find(query).sort("changed_at", DESCENDING).skip(skip).limit(limit)
        return [_alert(doc) for doc in await cursor.to_list()]

    async def save(self, alert: CrisisAlert) -> bool:
        """Store the alert in this status once, with its event; False if it already was."""
        event = AlertChanged.of(alert)
        document = {"_id": alert.alert_id, **alert.model_dump(exclude={"alert_id"})}

        async def write(session: AsyncClientSession) -> bool:
            replaced = await self._alerts.replace_one(
                {"_id": alert.alert_id, "status": {"$ne": alert.status}},
                document,
                session=session,
            )
            if replaced.matched_count == 0:
                inserted = await self._alerts.update_one(
                    {"_id": alert.alert_id},
                    {"$setOnInsert": document},
                    upsert=True,
                    session=session,
                )
                if inserted.upserted_id is None:
                    return False
            await outbox.add(self._db, session, [(ALERTS_TOPIC, alert.subject, event)])
            return True

        async with self._db.client.start_session() as session:
            saved: bool = await session.with_transaction(write)
        if saved and self._relay is not None:
            self._relay.wake()
        return saved

    async def forget_cases(self, case_ids: Sequence[UUID]) -> None:
        await self._negatives.delete_many({"case_id": {"$in": list(case_ids)}})


def _alert(document: Document) -> CrisisAlert:
    fields = dict(document)
    fields["alert_id"] = fields.pop("_id")
    return CrisisAlert.model_validate(fields)
