"""Outreach decisions: one per offer and member, and at most N per member in seven days; each
is stored with its ``OutreachDecided`` (the outbox) in one transaction."""

from datetime import datetime, timedelta
from uuid import UUID

from pymongo.asynchronous.client_session import AsyncClientSession

from loyalty.domain.catalogue import Offer
from loyalty.domain.offers import may_contact
from loyalty.repository.members import audience_of
from loyalty.repository.outbox import Outbox
from rapport.events import OutreachDecided, OutreachDecision
from rapport.mongo import Database

WEEK = timedelta(days=7)


class MongoOutreach:
    def __init__(self, db: Database, outbox: Outbox, *, weekly_cap: int) -> None:
        self._db = db
        self._outbox = outbox
        self._outreach = db["outreach"]
        self._weekly_cap = weekly_cap

    async def decide(
        self, offer: Offer, profile_id: UUID, now: datetime
    ) -> OutreachDecision | None:
        """Send ``offer`` to the member if consent, relevance and the weekly cap allow; a repeat
        returns the first decision. Concurrent decisions for one member are serialised by the
        write to their member document (the later one conflicts, is retried and recounts)."""
        record_id = f"{offer.offer_id}:{profile_id}"

        async def work(s: AsyncClientSession) -> OutreachDecision | None:
            first = await self._outreach.find_one({"_id": record_id}, session=s)
            if first is not None:
                return OutreachDecision.model_validate(first["decision"])
            member = await self._db["members"].find_one({"_id": profile_id}, session=s)
            if member is None:
                return None
            sent = await self._outreach.count_documents(
                {"profile_id": profile_id, "at": {"$gt": now - WEEK}}, session=s
            )
            reasons = may_contact(
                offer.targeting(),
                audience_of(member),
                now=now,
                sent_this_week=sent,
                weekly_cap=self._weekly_cap,
            )
            if not reasons:
                return None
            decision = OutreachDecision(
                profile_id=profile_id,
                offer_id=offer.offer_id,
                relevant_to=reasons,
                expires_at=offer.expires_at,
                at=now,
            )
            await self._db["members"].update_one(
                {"_id": profile_id}, {"$inc": {"outreach_decisions": 1}}, session=s
            )
            await self._outreach.insert_one(
                {
                    "_id": record_id,
                    "profile_id": profile_id,
                    "at": now,
                    "decision": decision.model_dump(),
                },
                session=s,
            )
            await self._outbox.add(s, profile_id, [OutreachDecided.of(decision)])
            return decision

        return await self._outbox.transaction(work)
