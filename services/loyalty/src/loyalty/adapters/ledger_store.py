"""The append-only ledger and member balances, always written together in one transaction.

An earning entry is keyed ``rule:cause``; it is ``credited`` (in the balance), ``held`` (waiting
for a human) or ``rejected``. Redemptions and expiries are entries with negative points. Each
new entry or decision is announced through the outbox in its transaction; a repeat writes nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.read_concern import ReadConcern

from loyalty.adapters import in_transaction
from loyalty.adapters.outbox import Outbox
from loyalty.adapters.standing import read_standing
from loyalty.domain.announcements import announcements
from loyalty.domain.crediting import Candidate, assess, credit, entry_events, ledger_entry
from loyalty.domain.debits import debit_entry
from loyalty.domain.expiry import expiring_points
from loyalty.domain.guardrails import Judgement, Verdict
from loyalty.domain.tiers import TierTerms
from loyalty.errors import Conflict, NotFound
from rapport.events import ExpiredPoints, PointsExpired, deterministic_id
from rapport.mongo import Database, Document

Session = AsyncClientSession
Decision = Literal["approved", "rejected"]


@dataclass(frozen=True)
class Outcome:
    status: str
    """credited, held, rejected (an earlier decision), capped or refused."""
    entry: Document | None = None
    reason: str | None = None
    new: bool = False
    """True when this call wrote the entry or decision (a repeat of its cause finds it)."""


class MongoLedger:
    def __init__(self, db: Database, outbox: Outbox) -> None:
        self._db = db
        self._outbox = outbox
        self._ledger = db["ledger"]
        self._members = db["members"]

    async def earn(
        self,
        c: Candidate,
        *,
        now: datetime,
        expires_at: datetime,
        tiers: TierTerms,
        session: Session | None = None,
    ) -> Outcome:
        """Credit, hold or drop an earning once, lifting the member's tier with a credit; a
        repeat of its cause returns the first entry. What it needs is read in one round trip,
        and the credit, tier and review date are one update."""

        async def work(s: Session) -> Outcome:
            standing = await read_standing(
                self._db,
                profile_id=c.profile_id,
                entry_id=c.entry_id,
                rule=c.rule,
                now=now,
                tier_window=tiers.window,
                session=s,
            )
            if standing.entry is not None:
                found = standing.entry
                return Outcome(found["status"], found, found.get("reason"))
            judged = assess(c, standing.position, now=now, tiers=tiers)
            if isinstance(judged, Judgement):
                return Outcome(judged.verdict.value, None, judged.reason)
            after = await self._credit(c.profile_id, judged.points, judged.fields, s)
            entry = ledger_entry(
                c, judged, balance=after["balance"], now=now, expires_at=expires_at
            )
            await self._ledger.insert_one(entry, session=s)
            await self._outbox.add(s, c.profile_id, entry_events(entry, judged))
            return Outcome(judged.verdict.value, entry, judged.reason, new=True)

        return await self._outbox.transaction(work, session=session)

    async def _credit(
        self, profile_id: UUID, points: int, fields: Document, s: Session
    ) -> Document:
        """Add ``points`` to the member's balance (creating the member), setting ``fields``."""
        update: Document = {"$inc": credit(points)}
        if fields:
            update["$set"] = fields
        member = await self._members.find_one_and_update(
            {"_id": profile_id},
            update,
            upsert=True,
            return_document=ReturnDocument.AFTER,
            session=s,
        )
        assert member is not None  # upserted
        return member

    async def decide(
        self,
        entry_id: str,
        decision: Decision,
        *,
        now: datetime,
        expires_at: datetime,
        session: Session | None = None,
    ) -> Outcome:
        """A human's decision on a held entry; the same decision again returns the entry."""

        async def work(s: Session) -> Outcome:
            entry = await self._ledger.find_one({"_id": entry_id, "kind": "earn"}, session=s)
            if entry is None:
                raise NotFound("no such ledger entry")
            if entry.get("decision") == decision:
                return Outcome(entry["status"], entry, entry.get("reason"))
            if entry["status"] != Verdict.HOLD.value:
                raise Conflict(f"the entry is {entry['status']}, not held")
            update: Document = {"decision": decision, "decided_at": now, "status": "rejected"}
            if decision == "approved":
                member = await self._credit(entry["profile_id"], entry["points"], {}, s)
                update |= {
                    "status": Verdict.CREDIT.value,
                    "balance": member["balance"],
                    "credited_at": now,
                    "expires_at": expires_at,
                }
            await self._ledger.update_one({"_id": entry_id}, {"$set": update}, session=s)
            decided = entry | update
            await self._outbox.add(s, entry["profile_id"], announcements(decided))
            return Outcome(decided["status"], decided, decided.get("reason"), new=True)

        return await self._outbox.transaction(work, session=session)

    async def held(self, limit: int) -> list[Document]:
        cursor = self._ledger.find({"status": Verdict.HOLD.value}).sort("at", ASCENDING)
        return await cursor.limit(limit).to_list()

    async def expire(self, profile_id: UUID, now: datetime) -> ExpiredPoints | None:
        """Take the points whose expiry date passed out of the balance, oldest first; the
        entries stay in the ledger, with an expiry entry recording what was taken."""

        async def work(s: Session) -> ExpiredPoints | None:
            due = await (
                self._ledger.find(_due(now) | {"profile_id": profile_id}, {"points": 1}, session=s)
                .sort("expires_at", ASCENDING)
                .limit(1000)
                .to_list()
            )
            member = await self._members.find_one({"_id": profile_id}, session=s)
            if not due or member is None:
                return None
            ids = [d["_id"] for d in due]
            matured = sum(d["points"] for d in due)
            points = expiring_points(
                matured=member.get("settled_points", 0) + matured,
                lifetime=member["lifetime_points"],
                balance=member["balance"],
            )
            await self._ledger.update_many(
                {"_id": {"$in": ids}}, {"$set": {"settled": True}}, session=s
            )
            after = await self._members.find_one_and_update(
                {"_id": profile_id},
                {"$inc": {"settled_points": matured, "balance": -points}},
                return_document=ReturnDocument.AFTER,
                session=s,
            )
            assert after is not None  # read above, in this transaction
            if points == 0:
                return None
            cause = deterministic_id("expiry", *ids)
            entry = debit_entry(
                f"expiry:{cause}",
                "expiry",
                points,
                cause,
                profile_id=profile_id,
                balance=after["balance"],
                now=now,
            )
            await self._ledger.insert_one(entry | {"entry_ids": ids}, session=s)
            expired = ExpiredPoints(
                profile_id=profile_id,
                entry_ids=ids,
                points=points,
                balance=after["balance"],
                at=now,
            )
            await self._outbox.add(s, profile_id, [PointsExpired.of(expired)])
            return expired

        return await self._outbox.transaction(work)

    async def due_for_expiry(self, now: datetime, limit: int) -> list[UUID]:
        pipeline: list[Document] = [
            {"$match": _due(now)},
            {"$group": {"_id": "$profile_id"}},
            {"$limit": limit},
        ]
        return [doc["_id"] async for doc in await self._ledger.aggregate(pipeline)]

    async def window(
        self, profile_id: UUID, since: datetime, session: Session | None = None
    ) -> tuple[int, datetime | None]:
        """Points credited since ``since``, and when the oldest of them was credited."""
        pipeline: list[Document] = [
            {"$match": {"profile_id": profile_id, "kind": "earn", "status": "credited"}},
            {"$match": {"credited_at": {"$gte": since}}},
            {
                "$group": {
                    "_id": None,
                    "points": {"$sum": "$points"},
                    "oldest": {"$min": "$credited_at"},
                }
            },
        ]
        found = await (await self._ledger.aggregate(pipeline, session=session)).to_list()
        return (found[0]["points"], found[0]["oldest"]) if found else (0, None)

    async def member(self, profile_id: UUID, *, entries: int) -> Document | None:
        """The member with their newest entries, read from one snapshot so they agree."""

        async def read(s: Session) -> Document | None:
            member = await self._members.find_one({"_id": profile_id}, session=s)
            if member is None:
                return None
            newest = self._ledger.find({"profile_id": profile_id}, session=s)
            member["ledger"] = await newest.sort("at", DESCENDING).limit(entries).to_list()
            return member

        return await in_transaction(self._db, read, ReadConcern("snapshot"))


def _due(now: datetime) -> Document:
    return {"settled": False, "status": "credited", "expires_at": {"$lte": now}}
