"""A lease in MongoDB: among any number of replicas, one holds it at a time.

Expiry is decided by the database's clock (``$$NOW``), so replicas' clocks never disagree
about it. Every takeover starts a new ``term``; a holder renews, records and releases only
under the term it took, so a holder that lost the lease can no longer touch it. The holder
itself counts its lease as valid until ``duration`` after it *sent* the last renewal, which
ends no later than the database's expiry, so it stops before anybody else may start.

The lease document also carries what the holder is doing (``in_flight`` and the server time
it began), so whoever takes over next knows what the previous holder may have left half done.
"""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from rapport.mongo import Database, Document

COLLECTION = "leases"


@dataclass(frozen=True)
class Held:
    term: int
    valid_until: float
    """Event-loop time until which the holder may act."""
    in_flight: list[Any] = field(default_factory=list)
    in_flight_since: datetime | None = None

    def remaining(self) -> float:
        return self.valid_until - asyncio.get_running_loop().time()


class Lease:
    def __init__(
        self, db: Database, name: str, *, duration_s: float = 10.0, owner: str | None = None
    ) -> None:
        self._leases = db[COLLECTION]
        self.name = name
        self.duration_s = duration_s
        self.owner = owner or uuid.uuid4().hex
        self._term: int | None = None

    async def hold(self) -> Held | None:
        """Renew the lease if this replica holds it, else take it if it is free or expired;
        None while another replica holds it."""
        if self._term is not None:
            held = await self._update(self._mine(), {})
            if held is not None:
                return held
            self._term = None
        return await self._take()

    async def record(self, in_flight: list[Any]) -> Held | None:
        """Renew, noting what the holder is about to do; None if the lease was lost."""
        if self._term is None:
            return None
        held = await self._update(
            self._mine(), {"in_flight": {"$literal": in_flight}, "in_flight_since": "$$NOW"}
        )
        if held is None:
            self._term = None
        return held

    async def release(self) -> None:
        """Let another replica take over at once (a graceful stop)."""
        if self._term is None:
            return
        expired = {"$subtract": ["$$NOW", 1]}
        await self._leases.update_one(self._mine(), [{"$set": {"expires_at": expired}}])
        self._term = None

    def _mine(self) -> Document:
        return {"_id": self.name, "owner": self.owner, "term": self._term}

    async def _take(self) -> Held | None:
        free = {"$not": [{"$gt": ["$expires_at", "$$NOW"]}]}  # also when there is none yet
        taken = {
            "owner": {"$cond": [free, self.owner, "$owner"]},
            "term": {"$cond": [free, {"$add": [{"$ifNull": ["$term", 0]}, 1]}, "$term"]},
        }
        try:
            return await self._update({"_id": self.name}, taken, renew=free, upsert=True)
        except DuplicateKeyError:
            return None  # another replica created it at the same instant

    async def _update(
        self, query: Document, changes: Document, *, renew: Any = True, upsert: bool = False
    ) -> Held | None:
        """Apply ``changes`` and, where ``renew`` holds, extend the lease from now."""
        sent_at = asyncio.get_running_loop().time()
        later = {"$add": ["$$NOW", int(self.duration_s * 1000)]}
        expires_at = {"$cond": [renew, later, "$expires_at"]}
        doc = await self._leases.find_one_and_update(
            query,
            [{"$set": {**changes, "expires_at": expires_at}}],
            upsert=upsert,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None or doc["owner"] != self.owner:
            return None
        self._term = doc["term"]
        return Held(
            term=doc["term"],
            valid_until=sent_at + self.duration_s,
            in_flight=doc.get("in_flight", []),
            in_flight_since=doc.get("in_flight_since"),
        )
