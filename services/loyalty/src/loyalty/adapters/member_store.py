"""Members as outreach and tiers see them, and merging two people's memberships into one."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from loyalty.adapters import in_transaction
from loyalty.domain.crediting import audience_fields, credit
from loyalty.domain.offers import Audience
from rapport.events import ParticipationSegment, RelationshipStage
from rapport.mongo import Database, Document

OWNED_BY_PROFILE = ("ledger", "redemptions", "outreach")
"""Collections whose documents name their member in ``profile_id``."""


def audience_of(member: Document) -> Audience:
    stage, segment = member.get("stage"), member.get("segment")
    return Audience(
        stage=RelationshipStage(stage) if stage else None,
        segment=ParticipationSegment(segment) if segment else None,
        marketing_consent=bool(member.get("marketing_consent")),
    )


class MongoMembers:
    """Bound to a session, reads and writes in its transaction."""

    def __init__(self, db: Database, session: AsyncClientSession | None = None) -> None:
        self._db = db
        self._members = db["members"]
        self._session = session

    async def get(self, profile_id: UUID) -> Document | None:
        return await self._members.find_one({"_id": profile_id}, session=self._session)

    async def credit(self, profile_id: UUID, points: int, fields: Mapping[str, Any]) -> int:
        update: Document = {"$inc": credit(points)}
        if fields:
            update["$set"] = dict(fields)
        return await self._balance_after(profile_id, update, upsert=True)

    async def settle(self, profile_id: UUID, *, matured: int, points: int) -> int:
        update = {"$inc": {"settled_points": matured, "balance": -points}}
        return await self._balance_after(profile_id, update, upsert=False)

    async def _balance_after(self, profile_id: UUID, update: Document, *, upsert: bool) -> int:
        member = await self._members.find_one_and_update(
            {"_id": profile_id},
            update,
            upsert=upsert,
            return_document=ReturnDocument.AFTER,
            session=self._session,
        )
        assert member is not None, "settled members are read first in the same transaction"
        return int(member["balance"])

    async def observe(self, profile_id: UUID, audience: Audience) -> bool:
        """Keep an existing member's latest stage, segment and consent; False if not a member."""
        result = await self._members.update_one(
            {"_id": profile_id}, {"$set": audience_fields(audience)}
        )
        return result.matched_count == 1

    async def observe_all(self, audiences: Mapping[UUID, Audience]) -> set[UUID]:
        """``observe`` each, in one read and one write; the members among them."""
        found = self._members.find({"_id": {"$in": list(audiences)}}, {"_id": 1})
        kept = {doc["_id"] async for doc in found}
        writes = [UpdateOne({"_id": p}, {"$set": audience_fields(audiences[p])}) for p in kept]
        if writes:
            await self._members.bulk_write(writes, ordered=False)
        return kept

    async def flag(self, profile_id: UUID, until: datetime) -> None:
        """The author posted spam: they earn nothing until ``until``."""
        await self._members.update_one(
            {"_id": profile_id},
            {"$max": {"flagged_until": until}, "$inc": credit(0)},
            upsert=True,
        )

    async def set_tier(self, profile_id: UUID, tier: str, review_at: datetime | None) -> None:
        await self._members.update_one(
            {"_id": profile_id},
            {"$set": {"tier": tier, "tier_review_at": review_at}},
            session=self._session,
        )

    async def due_for_tier_review(self, now: datetime, limit: int) -> list[UUID]:
        cursor = self._members.find({"tier_review_at": {"$lte": now}}, {"_id": 1}).limit(limit)
        return [doc["_id"] async for doc in cursor]

    async def merge(self, survivor: UUID, absorbed: UUID) -> bool:
        """Move ``absorbed``'s balance and everything it owns to ``survivor``, atomically; a
        repeat finds nothing left to move. True when something moved."""

        async def work(s: AsyncClientSession) -> bool:
            gone = await self._members.find_one_and_delete({"_id": absorbed}, session=s)
            if gone is None:
                return False
            for name in OWNED_BY_PROFILE:
                await self._db[name].update_many(
                    {"profile_id": absorbed}, {"$set": {"profile_id": survivor}}, session=s
                )
            moved = {
                key: gone.get(key, 0) for key in ("balance", "lifetime_points", "settled_points")
            }
            await self._members.update_one(
                {"_id": survivor}, {"$inc": moved}, upsert=True, session=s
            )
            return True

        return await in_transaction(self._db, work)
