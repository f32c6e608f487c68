"""Cases in MongoDB. Every change is stored with its ``case.changed`` events in the unit of
work's transaction (the outbox), guarded by the case's sequence: a writer that read an older
sequence gets ``CaseConflict`` and starts again from the stored case. At most one active case
per profile (a unique partial index).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport import outbox
from rapport.events import ProfileSnapshot
from rapport.mongo import Database, Document
from rapport.topics import CASES
from responder.adapters.profile_store import PROFILES
from responder.domain.case import Case
from responder.domain.case_events import Changed
from responder.domain.taking import Taking, Takings
from responder.ports import CaseConflict, Query, Sort

CASES_TOPIC = CASES.name

INDEXES = {
    "cases": [
        IndexModel(
            "profile_id",
            name="one_active_case_per_profile",
            unique=True,
            partialFilterExpression={"active": True},
        ),
        IndexModel([("profile_id", ASCENDING), ("resolved_at", DESCENDING)]),
        IndexModel([("queue", ASCENDING), ("state", ASCENDING), ("priority_score", DESCENDING)]),
        IndexModel([("active", ASCENDING), ("assignee", ASCENDING)]),
        IndexModel("next_due", partialFilterExpression={"next_due": {"$type": "date"}}),
        IndexModel("causes"),
        IndexModel("conversation_ids"),
        IndexModel("external_ids"),
        IndexModel("opened_at"),
        IndexModel("tags"),
    ],
    outbox.COLLECTION: outbox.INDEXES,
}


class MongoCases:
    def __init__(self, db: Database) -> None:
        self._cases = db["cases"]

    async def get(self, case_id: UUID) -> Case | None:
        return _case(await self._cases.find_one({"_id": case_id}))

    async def get_all(self, case_ids: Sequence[UUID]) -> list[Case]:
        return [
            Case.model_validate(doc)
            for doc in await self._cases.find({"_id": {"$in": list(case_ids)}}).to_list()
        ]

    async def active_of(self, profile_id: UUID) -> Case | None:
        return _case(await self._cases.find_one({"profile_id": profile_id, "active": True}))

    async def taking(self, cause: str, profile_id: UUID) -> Taking:
        """The case holding ``cause``, the profile's current case and its kept snapshot."""
        current = [{"$sort": {"active": -1, "resolved_at": -1}}, {"$limit": 1}]
        pipeline: list[Document] = [
            {"$match": {"$or": [{"causes": cause}, {"profile_id": profile_id}]}},
            {
                "$facet": {
                    "taken_by": [{"$match": {"causes": cause}}, {"$limit": 1}],
                    "current": [{"$match": {"profile_id": profile_id}}, *current],
                }
            },
            {
                "$unionWith": {
                    "coll": PROFILES,
                    "pipeline": [{"$match": {"_id": profile_id}}, {"$project": {"_id": 0}}],
                }
            },
        ]
        cases, *kept = await (await self._cases.aggregate(pipeline)).to_list()
        return Taking(
            taken_by=_case(next(iter(cases["taken_by"]), None)),
            current=_case(next(iter(cases["current"]), None)),
            kept=ProfileSnapshot.model_validate(kept[0]) if kept else None,
        )

    async def takings(self, causes: Sequence[str], profile_ids: Sequence[UUID]) -> Takings:
        """``taking`` for many mentions and profiles in one round trip."""
        if not profile_ids:
            return Takings()
        current = [{"$sort": {"active": -1, "resolved_at": -1}}]
        pipeline: list[Document] = [
            {"$match": {"profile_id": {"$in": list(profile_ids)}}},
            *current,
            {"$group": {"_id": "$profile_id", "doc": {"$first": "$$ROOT"}}},
            {"$project": {"_id": 0, "kind": "current", "doc": 1}},
            {
                "$unionWith": {
                    "coll": self._cases.name,
                    "pipeline": [
                        {"$match": {"causes": {"$in": list(causes)}}},
                        {"$project": {"_id": 0, "kind": "taken", "doc": "$$ROOT"}},
                    ],
                }
            },
            {
                "$unionWith": {
                    "coll": PROFILES,
                    "pipeline": [
                        {"$match": {"_id": {"$in": list(profile_ids)}}},
                        {"$project": {"_id": 0, "kind": "kept", "doc": "$$ROOT"}},
                    ],
                }
            },
        ]
        found = Takings()
        for row in await (await self._cases.aggregate(pipeline)).to_list():
            doc = row["doc"]
            if row["kind"] == "kept":
                doc.pop("_id")
                snapshot = ProfileSnapshot.model_validate(doc)
                found.kept[snapshot.profile_id] = snapshot
                continue
            case = Case.model_validate(doc)
            if row["kind"] == "current":
                found.current[case.profile_id] = case
            else:
                found.taken.update((cause, case) for cause in set(causes) & set(case.causes))
        return found

    async def answered_by(self, conversation: str | None, in_reply_to: str | None) -> Case | None:
        """The case a brand post answers: the one holding the message it replies to; for a post
        replying to nothing, the latest case of its conversation. (Several customers may talk
        in one conversation, so a reply is never given to a case by conversation alone.)"""
        if in_reply_to is not None:
            query = {"external_ids": in_reply_to}
        elif conversation is not None:
            query = {"conversation_ids": conversation}
        else:
            return None
        return _case(await self._cases.find_one(query, sort=[("opened_at", DESCENDING)]))

    async def due(self, now: datetime, limit: int) -> list[Case]:
        cursor = self._cases.find({"next_due": {"$lte": now}}).sort("next_due").limit(limit)
        return [Case.model_validate(doc) for doc in await cursor.to_list()]

    async def find(self, query: Query, sort: Sort, skip: int, limit: int) -> list[Case]:
        cursor = self._cases.find(dict(query)).sort(list(sort)).skip(skip).limit(limit)
        return [Case.model_validate(doc) for doc in await cursor.to_list()]

    async def queue_counts(self) -> list[dict[str, Any]]:
        pipeline: list[Document] = [
            {"$match": {"active": True}},
            {
                "$group": {
                    "_id": "$queue",
                    "active": {"$sum": 1},
                    "unassigned": {"$sum": {"$cond": [{"$eq": ["$assignee", None]}, 1, 0]}},
                    "breached": {"$sum": {"$cond": [{"$gt": [{"$size": "$breaches"}, 0]}, 1, 0]}},
                    "urgent": {"$sum": {"$cond": [{"$eq": ["$priority", "urgent"]}, 1, 0]}},
                }
            },
            {"$sort": {"_id": 1}},
        ]
        rows = await (await self._cases.aggregate(pipeline)).to_list()
        return [{"queue": row.pop("_id"), **row} for row in rows]

    async def count(self, query: Query) -> int:
        return await self._cases.count_documents(dict(query))

    async def tag(self, case_id: UUID, tag: str, most: int) -> bool | None:
        """Add the tag unless the case holds ``most`` already (True when it holds it now);
        None: no such case."""
        room = {"$or": [{"tags": tag}, {f"tags.{most - 1}": {"$exists": False}}]}
        added = await self._cases.update_one({"_id": case_id, **room}, {"$addToSet": {"tags": tag}})
        if added.matched_count:
            return True
        return False if await self._cases.count_documents({"_id": case_id}) else None

    async def untag(self, case_id: UUID, tag: str) -> bool:
        """Remove the tag (if it is there); False: no such case."""
        removed = await self._cases.update_one({"_id": case_id}, {"$pull": {"tags": tag}})
        return removed.matched_count == 1


class CaseWrites:
    """The cases' writes in one transaction (``unit_of_work.MongoUnitOfWork``)."""

    def __init__(self, db: Database, session: AsyncClientSession) -> None:
        self._db = db
        self._cases = db["cases"]
        self._session = session

    async def save_all(self, changes: Sequence[Changed]) -> None:
        """Store the changes (several may follow one another on a case) and all their events;
        ``CaseConflict`` if a case is no longer at the sequence its first change was read at
        (a second active case of a profile is a duplicate key: the unit of work says so)."""
        first: dict[UUID, int] = {}
        last: dict[UUID, Case] = {}
        for change in changes:
            first.setdefault(change.case.id, change.before)
            last[change.case.id] = change.case
        new = [last[case_id].document() for case_id, before in first.items() if before == 0]
        replacements = [
            UpdateOne({"_id": case_id, "sequence": before}, {"$set": _changed(last[case_id])})
            for case_id, before in first.items()
            if before > 0
        ]
        events = [(CASES_TOPIC, str(c.case.profile_id), e) for c in changes for e in c.events]
        traces = [c.trace for c in changes for _ in c.events]
        if new:
            await self._cases.insert_many(new, session=self._session)
        if replacements:
            replaced = await self._cases.bulk_write(replacements, session=self._session)
            if replaced.matched_count < len(replacements):
                raise CaseConflict(", ".join(map(str, first)))
        await outbox.add(self._db, self._session, events, contexts=traces)


def _changed(case: Case) -> dict[str, object]:
    """What a case change writes: every field but the id and the tags (see ``Case.tags``)."""
    document = case.document()
    del document["_id"], document["tags"]
    return document


def _case(doc: Document | None) -> Case | None:
    return None if doc is None else Case.model_validate(doc)
