"""Cases in MongoDB. Every change is stored with its ``case.changed`` events in one
transaction (the outbox), guarded by the case's sequence: a writer that read an older
sequence gets ``CaseConflict`` and starts again from the stored case. At most one active case
per profile (a unique partial index).
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from opentelemetry.context import Context
from pymongo import ASCENDING, DESCENDING, IndexModel, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError, DuplicateKeyError

from rapport import outbox
from rapport.errors import Conflict
from rapport.events import CaseChange, CaseChanged, ProfileSnapshot
from rapport.mongo import Database, Document, in_transaction
from rapport.outbox import OutboxRelay
from rapport.topics import CASES
from responder.domain.case import Case, Changes
from responder.stores.profiles import PROFILES
from responder.taking import Taking, Takings

CASES_TOPIC = CASES.name
DUPLICATE_KEY = 11000
Also = Callable[[AsyncClientSession], Awaitable[None]]
"""More writes that must happen with the change, in its transaction."""

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
    ],
    outbox.COLLECTION: outbox.INDEXES,
}


class CaseConflict(Conflict):
    """The case changed since it was read (or a second active case was about to open)."""

    reason = "the case is busy; try again"


def change_of(case: Case, kind: str, sequence: int, at: datetime, breached: Any) -> CaseChange:
    return CaseChange.model_validate(
        {
            **case.model_dump(include=set(CaseChange.model_fields)),
            "case_id": case.id,
            "sequence": sequence,
            "change": kind,
            "mention_ids": case.mention_ids[-1000:],
            "breached": breached,
            "changed_at": at,
        }
    )


@dataclass(frozen=True)
class Changed:
    """A case changed from sequence ``before``, and its events, in order."""

    case: Case
    before: int
    events: list[CaseChanged]
    trace: Context | None = None
    """The trace its events' outbox rows carry (default: the current one)."""


def changed(case: Case, changes: Changes, at: datetime) -> Changed:
    """The case (read at ``case.sequence``) after ``changes``, each an event."""
    before = case.sequence
    case = case.model_copy(update={"sequence": before + len(changes)})
    events = [
        CaseChanged.of(change_of(case, kind, before + n, at, breached))
        for n, (kind, breached) in enumerate(changes, start=1)
    ]
    return Changed(case, before, events)


class MongoCases:
    def __init__(self, db: Database, relay: OutboxRelay | None = None) -> None:
        self._db = db
        self._cases = db["cases"]
        self._relay = relay

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

    async def find(
        self, query: Document, sort: Sequence[tuple[str, int]], skip: int, limit: int
    ) -> list[Case]:
        cursor = self._cases.find(query).sort(list(sort)).skip(skip).limit(limit)
        return [Case.model_validate(doc) for doc in await cursor.to_list()]

    async def queue_counts(self) -> list[Document]:
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

    async def count(self, query: Document) -> int:
        return await self._cases.count_documents(query)

    async def save(
        self, case: Case, changes: Changes, *, at: datetime, also: Also | None = None
    ) -> Case:
        """Store the changed case (read at ``case.sequence``) and its events, atomically."""
        change = changed(case, changes, at)
        await self.save_all([change], also)
        return change.case

    async def save_all(self, changes: Sequence[Changed], also: Also | None = None) -> None:
        """Store the changes (several may follow one another on a case) and all their events
        in one transaction; ``CaseConflict`` if a case is no longer at the sequence its first
        change was read at, or a second active case of a profile was about to open."""
        first: dict[UUID, int] = {}
        last: dict[UUID, Case] = {}
        for change in changes:
            first.setdefault(change.case.id, change.before)
            last[change.case.id] = change.case
        new = [last[case_id].document() for case_id, before in first.items() if before == 0]
        replacements = [
            ReplaceOne({"_id": case_id, "sequence": before}, last[case_id].document())
            for case_id, before in first.items()
            if before > 0
        ]
        events = [(CASES_TOPIC, str(c.case.profile_id), e) for c in changes for e in c.events]
        traces = [c.trace for c in changes for _ in c.events]

        async def write(session: AsyncClientSession) -> None:
            if new:
                await self._cases.insert_many(new, session=session)
            if replacements:
                replaced = await self._cases.bulk_write(replacements, session=session)
                if replaced.matched_count < len(replacements):
                    raise CaseConflict(", ".join(map(str, first)))
            if also is not None:
                await also(session)
            await outbox.add(self._db, session, events, contexts=traces)

        try:
            await in_transaction(self._db, write)
        except (DuplicateKeyError, BulkWriteError) as error:
            if not _duplicate(error):
                raise
            raise CaseConflict(", ".join(map(str, first))) from error
        if self._relay is not None:
            self._relay.wake()


def _duplicate(error: DuplicateKeyError | BulkWriteError) -> bool:
    if isinstance(error, DuplicateKeyError):
        return True
    return all(
        e.get("code") == DUPLICATE_KEY for e in error.details.get("writeErrors", [None]) if e
    )


def _case(doc: Document | None) -> Case | None:
    return None if doc is None else Case.model_validate(doc)
