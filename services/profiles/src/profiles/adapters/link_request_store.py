"""``LinkRequestStore`` on MongoDB: links the customer confirms, pending requests, each with
a one-time code.

Codes are kept hashed (SHA-256) and work once; a TTL index removes expired requests, and a read
ignores them before that. An erasure deletes the person's pending requests with the rest.
"""

import hashlib
import secrets
from datetime import datetime
from uuid import UUID

from pymongo import IndexModel

from profiles.domain.model import Identity
from rapport.mongo import Database

COLLECTION = "link_requests"
INDEXES = {COLLECTION: [IndexModel("expires_at", expireAfterSeconds=0), IndexModel("profile_id")]}


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class MongoLinkRequests:
    def __init__(self, db: Database) -> None:
        self._requests = db[COLLECTION]

    async def open(self, profile_id: UUID, identity: Identity, *, expires_at: datetime) -> str:
        """Store a request to link ``identity`` to ``profile_id``; its code (shown once)."""
        code = secrets.token_urlsafe(24)
        await self._requests.insert_one(
            {
                "_id": _digest(code),
                "profile_id": profile_id,
                "identity": identity.model_dump(mode="json"),
                "expires_at": expires_at,
            }
        )
        return code

    async def take(self, code: str, *, now: datetime) -> tuple[UUID, Identity] | None:
        """The (profile, identity) of a live request, used up; None if unknown or expired."""
        found = await self._requests.find_one_and_delete(
            {"_id": _digest(code), "expires_at": {"$gt": now}}
        )
        if found is None:
            return None
        return found["profile_id"], Identity.model_validate(found["identity"])
