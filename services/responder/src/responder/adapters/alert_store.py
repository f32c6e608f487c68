"""Negative mentions' authors counted per subject and bucket, and the crisis alerts raised
from them. An alert is stored with its ``alert.changed`` event in one transaction (the outbox).

Each negative mention is kept once (``negatives``: its subjects, bucket, author and case) and,
in the same transaction, adds one to the rolling counter (``negative_counts``) of every
subject of the bucket its author had not yet been counted in. A redelivered mention finds its
record and counts nothing; two mentions of one author racing for a counter conflict and one
retries. Reading a window is reading at most ``history + 1`` small counters per subject.
Counters hold counts only: erasing a person deletes their ``negatives``, and the anonymous
counts stay (as the dashboard's do).
"""

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport import outbox
from rapport.events import AlertChanged, CrisisAlert
from rapport.mongo import Database, Document, in_transaction
from rapport.outbox import OutboxRelay
from rapport.topics import ALERTS
from responder.domain.spikes import Negative
from responder.ports import Counts

ALERTS_TOPIC = ALERTS.name
INDEXES = {
    "negatives": [
        IndexModel([("subjects", ASCENDING), ("bucket", ASCENDING)]),
        IndexModel([("author", ASCENDING), ("bucket", ASCENDING)]),
    ],
    "negative_counts": [IndexModel([("subject", ASCENDING), ("bucket", ASCENDING)])],
    "alerts": [
        IndexModel([("status", ASCENDING), ("changed_at", DESCENDING)]),
        IndexModel([("kind", ASCENDING), ("subject", ASCENDING), ("status", ASCENDING)]),
    ],
}


class MongoAlerts:
    def __init__(self, db: Database, relay: OutboxRelay | None = None) -> None:
        self._db = db
        self._negatives = db["negatives"]
        self._counts = db["negative_counts"]
        self._alerts = db["alerts"]
        self._relay = relay

    async def count_negative(
        self, mention_id: UUID, author: str, case_id: UUID | None, subjects: list[str], bucket: int
    ) -> bool:
        """Count the mention's author once per subject and bucket; False if it was counted."""
        return bool(
            await self.count_negatives([Negative(mention_id, author, case_id, subjects, bucket)])
        )

    async def count_negatives(self, negatives: Sequence[Negative]) -> int:
        """``count_negative`` of each, in order, in one transaction (one write keeping the
        marks not kept yet, one read of their authors' earlier marks in those buckets, one
        increment per counter); how many were new."""

        async def write(session: AsyncClientSession) -> int:
            marks = [
                UpdateOne({"_id": n.mention_id}, {"$setOnInsert": _document(n)}, upsert=True)
                for n in negatives
            ]
            kept = await self._negatives.bulk_write(marks, session=session)
            new = [negatives[index] for index in sorted(kept.upserted_ids or {})]
            increments = await self._increments(new, session) if new else []
            if increments:
                await self._counts.bulk_write(increments, ordered=False, session=session)
            return len(new)

        return await in_transaction(self._db, write)

    async def _increments(
        self, new: list[Negative], session: AsyncClientSession
    ) -> list[UpdateOne]:
        """One per counter: each author once per subject and bucket, counting the authors'
        marks already kept."""
        earlier = {
            "author": {"$in": sorted({n.author for n in new})},
            "bucket": {"$in": sorted({n.bucket for n in new})},
            "_id": {"$nin": [n.mention_id for n in new]},
        }
        projection = {"author": 1, "bucket": 1, "subjects": 1}
        cursor = self._negatives.find(earlier, projection, session=session)
        counted = {
            (doc["author"], doc["bucket"], subject)
            for doc in await cursor.to_list()
            for subject in doc["subjects"]
        }
        increments: Counter[tuple[int, str]] = Counter()
        for n in new:
            fresh = {(n.author, n.bucket, subject) for subject in n.subjects} - counted
            increments.update((bucket, subject) for _, bucket, subject in fresh)
            counted |= fresh
        return [
            UpdateOne(
                {"_id": f"{bucket}:{subject}"},
                {"$inc": {"n": n}, "$setOnInsert": {"subject": subject, "bucket": bucket}},
                upsert=True,
            )
            for (bucket, subject), n in sorted(increments.items())
        ]

    async def window(
        self, kind: str, subjects: list[str], first: int, last: int
    ) -> tuple[Counts, list[CrisisAlert]]:
        """``counts``, and the alerts of ``kind`` active on the subjects, in one round trip."""
        active = {"kind": kind, "subject": {"$in": subjects}, "status": "active"}
        pipeline: list[Document] = [
            {"$match": _counted(subjects, first, last)},
            {"$facet": {"counts": [{"$project": {"_id": 0}}]}},
            {"$unionWith": {"coll": self._alerts.name, "pipeline": [{"$match": active}]}},
        ]
        counted, *alerts = await (await self._counts.aggregate(pipeline)).to_list()
        return _by_subject(subjects, counted["counts"]), [_alert(doc) for doc in alerts]

    async def counts(self, subjects: list[str], first: int, last: int) -> Counts:
        """Per subject and bucket (``first`` to ``last``), the authors of negative mentions."""
        rows = await self._counts.find(_counted(subjects, first, last), {"_id": 0}).to_list()
        return _by_subject(subjects, rows)

    async def in_bucket(self, subject: str, bucket: int, limit: int = 1000) -> list[Negative]:
        cursor = self._negatives.find({"subjects": subject, "bucket": bucket}).limit(limit)
        return [_negative(doc) for doc in await cursor.to_list()]

    async def get(self, alert_id: UUID) -> CrisisAlert | None:
        found = await self._alerts.find_one({"_id": alert_id})
        return None if found is None else _alert(found)

    async def list(self, status: str | None, skip: int, limit: int) -> list[CrisisAlert]:
        query = {} if status is None else {"status": status}
        cursor = self._alerts.find(query).sort("changed_at", DESCENDING).skip(skip).limit(limit)
        return [_alert(doc) for doc in await cursor.to_list()]

    async def save(self, alert: CrisisAlert) -> bool:
        """Store the alert in this status once, with its event; False if it already was. An
        acknowledgement already stored stays, whatever the copy saved says."""

        async def write(session: AsyncClientSession) -> bool:
            changed = await self._alerts.find_one_and_update(
                {"_id": alert.alert_id, "status": {"$ne": alert.status}},
                {"$set": _changes(alert)},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if changed is None:
                inserted = await self._alerts.update_one(
                    {"_id": alert.alert_id},
                    {"$setOnInsert": _changes(alert)},
                    upsert=True,
                    session=session,
                )
                if inserted.upserted_id is None:
                    return False
            stored = alert if changed is None else _alert(changed)
            await self._publish(session, stored)
            return True

        return await self._changed(write)

    async def acknowledge(self, alert_id: UUID, agent: str, at: datetime) -> CrisisAlert | None:
        """Mark the active alert seen by ``agent`` (once: the first acknowledgement stays),
        with its event; the alert as stored, or None if there is no such alert."""
        found: list[CrisisAlert] = []

        async def write(session: AsyncClientSession) -> bool:
            seen = {"acknowledged_by": agent, "acknowledged_at": at, "changed_at": at}
            changed = await self._alerts.find_one_and_update(
                {"_id": alert_id, "status": "active", "acknowledged_at": None},
                {"$set": seen},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if changed is None:
                stored = await self._alerts.find_one({"_id": alert_id}, session=session)
                found[:] = [] if stored is None else [_alert(stored)]
                return False
            found[:] = [_alert(changed)]
            await self._publish(session, found[0])
            return True

        await self._changed(write)
        return found[0] if found else None

    async def _publish(self, session: AsyncClientSession, alert: CrisisAlert) -> None:
        event = AlertChanged.of(alert)
        await outbox.add(self._db, session, [(ALERTS_TOPIC, alert.subject, event)])

    async def _changed(self, write: Callable[[AsyncClientSession], Awaitable[bool]]) -> bool:
        saved = await in_transaction(self._db, write)
        if saved and self._relay is not None:
            self._relay.wake()
        return saved

    async def forget_cases(self, case_ids: Sequence[UUID]) -> None:
        await self._negatives.delete_many({"case_id": {"$in": list(case_ids)}})


def _changes(alert: CrisisAlert) -> Document:
    """The alert's fields to store: all but an acknowledgement it does not carry."""
    unset = {"acknowledged_by", "acknowledged_at"} if alert.acknowledged_at is None else set()
    return alert.model_dump(exclude={"alert_id", *unset})


def _document(negative: Negative) -> Document:
    return {
        "subjects": negative.subjects,
        "bucket": negative.bucket,
        "author": negative.author,
        "case_id": negative.case_id,
    }


def _negative(doc: Document) -> Negative:
    return Negative(doc["_id"], doc["author"], doc.get("case_id"), doc["subjects"], doc["bucket"])


def _counted(subjects: list[str], first: int, last: int) -> Document:
    return {"subject": {"$in": subjects}, "bucket": {"$gte": first, "$lte": last}}


def _by_subject(subjects: list[str], rows: list[Document]) -> Counts:
    found: Counts = {subject: {} for subject in subjects}
    for row in rows:
        found[row["subject"]][row["bucket"]] = row["n"]
    return found


def _alert(document: Document) -> CrisisAlert:
    fields = dict(document)
    fields["alert_id"] = fields.pop("_id")
    return CrisisAlert.model_validate(fields)
