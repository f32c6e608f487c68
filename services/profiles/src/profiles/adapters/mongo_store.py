"""What every profiles store on MongoDB shares: profile documents in and out, transactions, and the
outbox every event profiles publishes is stored in, in the transaction of its change.

A profile document is ``Profile.model_dump`` plus derived fields for the indexes and for readers
of the database: ``handle_keys`` (``<platform>:<lower-case handle>``), ``match_keys`` (look-alike
blocking keys) and ``mention_count``.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar
from uuid import UUID

import bson
from opentelemetry.context import Context
from pymongo import ASCENDING, IndexModel, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession

from profiles.domain.lookalikes import match_keys
from profiles.domain.model import Profile
from profiles.ports import MAX_MERGE_HOPS, Message
from rapport import outbox
from rapport.clock import utcnow
from rapport.events import ProfileChanged
from rapport.mongo import Database, Document, in_transaction

T = TypeVar("T")
Session = AsyncClientSession

INDEXES = {
    "profiles": [
        IndexModel(
            "identities.key",
            unique=True,
            partialFilterExpression={"identities.key": {"$exists": True}},
        ),
        IndexModel("handle_keys"),
        IndexModel("match_keys"),
        IndexModel([("stage", ASCENDING), ("_id", ASCENDING)]),
        IndexModel([("segment", ASCENDING), ("_id", ASCENDING)]),
    ],
    "history": [IndexModel([("profile_id", 1), ("created_at", -1)])],
    "cases": [IndexModel([("profile_id", 1), ("open_complaint", 1)])],
    "processed": [IndexModel("at", expireAfterSeconds=30 * 24 * 3600)],
    "audit": [IndexModel([("profile_ids", 1), ("at", -1)])],
    outbox.COLLECTION: outbox.INDEXES,
}


def to_doc(profile: Profile) -> Document:
    doc = profile.model_dump(by_alias=True)
    doc["handle_keys"] = sorted({i.handle_key for i in profile.identities if i.handle_key})
    doc["match_keys"] = match_keys(profile)
    doc["mention_count"] = mention_count(profile)
    return doc


def mention_count(profile: Profile) -> int:
    return sum(a.mentions for a in profile.activities())


def marker(cause: str, profile_id: UUID | None, events: list[ProfileChanged]) -> Document:
    """The ``processed`` document of a cause: the profile it changed, what it announced."""
    return {
        "_id": cause,
        "profile_id": profile_id,
        "events": [e.model_dump(mode="json") for e in events],
        "at": utcnow(),
    }


def from_doc(doc: Document | None) -> Profile | None:
    return Profile.model_validate(doc) if doc is not None else None


class Store:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._profiles = db["profiles"]
        self._history = db["history"]
        self._cases = db["cases"]
        self._processed = db["processed"]
        self._audit = db["audit"]

    async def _transaction(self, work: Callable[[Session], Awaitable[T]]) -> T:
        return await in_transaction(self._db, work)

    async def _find(self, query: Document, session: Session | None = None) -> Profile | None:
        return from_doc(await self._profiles.find_one(query, session=session))

    async def _resolve(
        self, profile_id: UUID, session: Session | None = None
    ) -> tuple[Profile | None, UUID | None]:
        """(the live profile ``profile_id`` is or was merged into, the merged id if it was)."""
        found = await self._find({"_id": profile_id}, session)
        hops = 0
        while found is not None and found.merged_into is not None and hops < MAX_MERGE_HOPS:
            found = await self._find({"_id": found.merged_into}, session)
            hops += 1
        if found is None:
            return None, None
        return found, profile_id if found.id != profile_id else None

    async def _save(self, profile: Profile, session: Session) -> None:
        await self._profiles.replace_one(
            {"_id": profile.id}, to_doc(profile), upsert=True, session=session
        )

    async def _save_all(self, profiles: Iterable[Profile], session: Session) -> None:
        replaced = [ReplaceOne({"_id": p.id}, to_doc(p), upsert=True) for p in profiles]
        if replaced:
            await self._profiles.bulk_write(replaced, session=session)

    def _as_stored(self, profile: Profile) -> Profile:
        """``profile`` as the database would give it back (times to the millisecond)."""
        options = self._profiles.codec_options
        data = bson.encode(to_doc(profile), codec_options=options)
        found = from_doc(bson.decode(data, codec_options=options))
        assert found is not None
        return found

    async def _owner(self, key: str, session: Session | None = None) -> Profile | None:
        return await self._find({"identities.key": key}, session)

    async def _publish(
        self,
        messages: list[Message],
        session: Session,
        traces: Sequence[Context | None] | None = None,
    ) -> None:
        """Store events in the outbox, in the transaction of the change that caused them (and
        in the current trace, or message by message in ``traces``); an event stored before (a
        redelivery) raises DuplicateKeyError."""
        await outbox.add(self._db, session, messages, contexts=traces)

    async def _audit_entry(self, entry: dict[str, Any], session: Session) -> None:
        await self._audit.insert_one(entry, session=session)
