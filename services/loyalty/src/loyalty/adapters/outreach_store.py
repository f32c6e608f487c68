"""Outreach in MongoDB: the decisions (one per offer and member), the members' audiences, and
the unit of work that binds them and the outbox to one transaction."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from loyalty.adapters.member_store import audience_of
from loyalty.adapters.outbox import Outbox, Session
from loyalty.domain.offers import Audience, Targeting
from loyalty.ports import OutreachStores
from rapport.events import Event, OutreachDecision
from rapport.mongo import Database, Document

T = TypeVar("T")


class MongoOutreachStore:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._db = db
        self._outreach = db["outreach"]
        self._session = session

    async def decision(self, offer_id: str, profile_id: UUID) -> OutreachDecision | None:
        first = await self._outreach.find_one(
            {"_id": f"{offer_id}:{profile_id}"}, session=self._session
        )
        return None if first is None else OutreachDecision.model_validate(first["decision"])

    async def sent_since(self, profile_id: UUID, since: datetime) -> int:
        return await self._outreach.count_documents(
            {"profile_id": profile_id, "at": {"$gt": since}}, session=self._session
        )

    async def record(self, decision: OutreachDecision) -> None:
        """Concurrent decisions for one member are serialised by the write to their member
        document: the later one conflicts, is retried and recounts."""
        await self._db["members"].update_one(
            {"_id": decision.profile_id}, {"$inc": {"outreach_decisions": 1}}, session=self._session
        )
        await self._outreach.insert_one(
            {
                "_id": f"{decision.offer_id}:{decision.profile_id}",
                "profile_id": decision.profile_id,
                "at": decision.at,
                "decision": decision.model_dump(),
            },
            session=self._session,
        )


class MongoMemberAudiences:
    def __init__(self, db: Database, session: Session | None = None) -> None:
        self._members = db["members"]
        self._session = session

    async def audience(self, profile_id: UUID) -> Audience | None:
        member = await self._members.find_one({"_id": profile_id}, session=self._session)
        return None if member is None else audience_of(member)

    async def page(self, targeting: Targeting, *, after: UUID | None, limit: int) -> list[UUID]:
        query = _targeted(targeting) | ({} if after is None else {"_id": {"$gt": after}})
        found = self._members.find(query, {"_id": 1}, session=self._session)
        return [doc["_id"] async for doc in found.sort("_id").limit(limit)]

    async def count(self, targeting: Targeting) -> int:
        return await self._members.count_documents(_targeted(targeting), session=self._session)


def _targeted(targeting: Targeting) -> Document:
    return {
        "marketing_consent": True,
        "$or": [
            {"stage": {"$in": [s.value for s in targeting.stages]}},
            {"segment": {"$in": [s.value for s in targeting.segments]}},
        ],
    }


class OutboxEvents:
    def __init__(self, outbox: Outbox, session: Session) -> None:
        self._outbox = outbox
        self._session = session

    async def add(self, key: UUID, events: Sequence[Event]) -> None:
        await self._outbox.add(self._session, key, events)


class MongoOutreachWork:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox

    def _bind(self, s: Session) -> OutreachStores:
        return OutreachStores(
            members=MongoMemberAudiences(self._db, s),
            outreach=MongoOutreachStore(self._db, s),
            events=OutboxEvents(self._outbox, s),
        )

    async def __call__(self, work: Callable[[OutreachStores], Awaitable[T]]) -> T:
        return await self._outbox.work(self._bind, work)
