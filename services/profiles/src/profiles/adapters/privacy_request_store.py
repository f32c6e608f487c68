"""``PrivacyRequestStore`` on MongoDB: the record of each privacy request
(``privacy_requests``): who must answer, who has, the deadline and the attempts; and the
re-announcement to the services that have not answered.

A record keeps the announcement itself (it names the person's identities) sealed under the
deployment's export key until every service has answered, so a retry can repeat it after
profiles erased its own part; it is dropped then. Re-announcing claims the record's due time in
the transaction that stores the event, so of several replicas only one announces each attempt.
"""

from datetime import datetime
from uuid import UUID

from pymongo import ASCENDING, IndexModel

from profiles.adapters.mongo_store import Session, Store
from profiles.domain.privacy_deadline import PrivacySchedule, confirmation, new_record
from profiles.ports import ANNOUNCE_BATCH
from rapport.events import PrivacyAnswer, PrivacyRequest, PrivacyRequested
from rapport.exports.keys import ExportKeys, Sealed
from rapport.mongo import Database, Document
from rapport.privacy import PRIVACY_TOPIC

COLLECTION = "privacy_requests"
INDEXES = {
    COLLECTION: [
        IndexModel([("next_attempt_at", ASCENDING)], sparse=True),
        IndexModel([("deadline_at", ASCENDING)], partialFilterExpression={"open": True}),
    ]
}


class MongoPrivacyRequests(Store):
    def __init__(self, db: Database, keys: ExportKeys, schedule: PrivacySchedule) -> None:
        super().__init__(db)
        self._requests = db[COLLECTION]
        self._keys = keys
        self.schedule = schedule

    async def open(self, request: PrivacyRequest, services: list[str]) -> None:
        """Record the request and announce it to every service (through the outbox)."""
        sealed = self._keys.seal(request.model_dump_json().encode(), _context(request.request_id))
        record = new_record(request, services, self.schedule)

        async def work(session: Session) -> None:
            await self._requests.insert_one(
                {**record, "announcement": _sealed_doc(sealed)}, session=session
            )
            announced = (PRIVACY_TOPIC, str(request.profile_id), PrivacyRequested.of(request))
            await self._publish([announced], session)

        await self._transaction(work)

    async def confirm(self, answer: PrivacyAnswer) -> None:
        """Record a service's answer once; a redelivered answer changes nothing. The last
        answer closes the request and drops its sealed announcement."""
        await self._requests.update_one(
            {"_id": answer.request_id, "confirmations.service": {"$ne": answer.service}},
            {
                "$push": {"confirmations": confirmation(answer)},
                "$pull": {"waiting": answer.service},
            },
        )
        await self._requests.update_one(
            {"_id": answer.request_id, "waiting": {"$size": 0}, "open": True},
            {"$set": {"open": False}, "$unset": {"announcement": "", "next_attempt_at": ""}},
        )

    async def request(self, request_id: UUID) -> Document | None:
        return await self._requests.find_one({"_id": request_id}, {"announcement": 0})

    async def announce_due(self, now: datetime) -> int:
        """Announce again every open request whose next attempt is due, to the services that
        have not answered; how many."""
        due = await (
            self._requests.find({"next_attempt_at": {"$lte": now}, "open": True})
            .sort("next_attempt_at", ASCENDING)
            .limit(ANNOUNCE_BATCH)
            .to_list()
        )
        announced = 0
        for doc in due:
            announced += await self._announce_again(doc, now)
        return announced

    async def overdue(self, now: datetime) -> dict[str, int]:
        """Open requests past their deadline, by service not yet answered."""
        return await self._waiting({"open": True, "deadline_at": {"$lt": now}})

    async def pending(self) -> dict[str, int]:
        """Open requests, by service not yet answered."""
        return await self._waiting({"open": True})

    async def _waiting(self, match: Document) -> dict[str, int]:
        counts = await self._requests.aggregate(
            [
                {"$match": match},
                {"$unwind": "$waiting"},
                {"$group": {"_id": "$waiting", "requests": {"$sum": 1}}},
            ]
        )
        return {doc["_id"]: doc["requests"] async for doc in counts}

    async def _announce_again(self, doc: Document, now: datetime) -> int:
        sealed = Sealed(**doc["announcement"])
        original = PrivacyRequest.model_validate_json(self._keys.open(sealed, _context(doc["_id"])))
        attempt = doc["attempts"] + 1
        request = original.model_copy(update={"services": list(doc["waiting"])})

        async def work(session: Session) -> int:
            claimed = await self._requests.update_one(
                {"_id": doc["_id"], "next_attempt_at": doc["next_attempt_at"], "open": True},
                {
                    "$set": {
                        "attempts": attempt,
                        "last_attempt_at": now,
                        "next_attempt_at": self.schedule.next_attempt(now, attempt),
                    }
                },
                session=session,
            )
            if claimed.modified_count == 0:
                return 0  # another replica announced it, or it just closed
            again = PrivacyRequested.again(request, attempt, now)
            await self._publish([(PRIVACY_TOPIC, str(request.profile_id), again)], session)
            return 1

        return await self._transaction(work)


def _sealed_doc(sealed: Sealed) -> Document:
    return {"key_id": sealed.key_id, "nonce": sealed.nonce, "ciphertext": sealed.ciphertext}


def _context(request_id: UUID) -> bytes:
    return f"privacy-request/{request_id}".encode()
