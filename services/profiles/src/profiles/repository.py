"""Profiles and their mention history in MongoDB; recording a mention twice changes nothing."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from pymongo import IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.events import MentionIngested, ProfileSnapshot, RelationshipStage, deterministic_id
from rapport.mongo import Database, Document

INDEXES = {
    "profiles": [IndexModel("identities.key", unique=True)],
    "history": [IndexModel([("profile_id", 1), ("created_at", -1)])],
}


def profile_id_for(identity_key: str) -> UUID:
    """A social identity's first profile id: the same author always lands on the same profile."""
    return deterministic_id("profile", identity_key)


@dataclass(frozen=True)
class Recorded:
    profile: ProfileSnapshot
    first_time: bool
    """False when this mention had been recorded before (a redelivery)."""
    created_by_this_mention: bool


class ProfileRepository(Protocol):
    async def record(self, event: MentionIngested) -> Recorded: ...

    async def get(self, profile_id: UUID) -> Document | None: ...


def snapshot(doc: Document) -> ProfileSnapshot:
    return ProfileSnapshot(
        profile_id=doc["_id"],
        stage=RelationshipStage(doc["stage"]),
        mention_count=doc["mention_count"],
        first_seen=doc["first_seen"],
        last_seen=doc["last_seen"],
    )


class MongoProfiles:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._profiles = db["profiles"]
        self._history = db["history"]

    async def get(self, profile_id: UUID) -> Document | None:
        return await self._profiles.find_one({"_id": profile_id})

    async def record(self, event: MentionIngested) -> Recorded:
        mention = event.payload
        profile_id = profile_id_for(mention.author_key)
        mention_id = str(event.event_id)
        result: dict[str, Any] = {}

        async def write(session: AsyncClientSession) -> None:
            result.clear()
            if await self._history.find_one({"_id": mention_id}, {"_id": 1}, session=session):
                result["doc"] = await self._profiles.find_one({"_id": profile_id}, session=session)
                result["first_time"] = False
                return
            await self._history.insert_one(
                {
                    "_id": mention_id,
                    "profile_id": profile_id,
                    "platform": mention.platform.value,
                    "external_id": mention.external_id,
                    "created_at": mention.created_at,
                    "sentiment": mention.sentiment.model_dump(mode="json"),
                },
                session=session,
            )
            result["doc"] = await self._profiles.find_one_and_update(
                {"_id": profile_id},
                self._update(
                    mention.author_key, mention.author.handle, mention_id, mention.created_at
                ),
                upsert=True,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            result["first_time"] = True

        async with self._db.client.start_session() as session:
            await session.with_transaction(write)
        doc = result["doc"]
        return Recorded(
            profile=snapshot(doc),
            first_time=result["first_time"],
            created_by_this_mention=doc["created_by"] == mention_id,
        )

    @staticmethod
    def _update(key: str, handle: str | None, mention_id: str, at: datetime) -> Document:
        return {
            "$setOnInsert": {
                "identities": [{"key": key, "handle": handle, "verified": False}],
                "stage": RelationshipStage.CASUAL_COMMENTER.value,
                "created_by": mention_id,
            },
            "$inc": {"mention_count": 1},
            "$min": {"first_seen": at},
            "$max": {"last_seen": at},
        }
