"""Signed requests seen within the replay window, shared by every replica through MongoDB.

A signature is claimed before its request is processed and released if processing fails, so
the sender may retry a request that did not go through, while a copy of one that did is
refused. Claims expire (TTL index) once their timestamp has left the window anyway.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from pymongo import IndexModel
from pymongo.errors import DuplicateKeyError

from rapport.mongo import Database

COLLECTION = "webhook_signatures"
INDEXES = {COLLECTION: [IndexModel("expires_at", expireAfterSeconds=0)]}


class Replayed(Exception):
    """This signed request was already received."""


class ReplayGuard:
    def __init__(self, db: Database) -> None:
        self._seen = db[COLLECTION]

    @asynccontextmanager
    async def first_use(self, key: str, *, expires_at: float) -> AsyncIterator[None]:
        """Run the block only if ``key`` was not used before; ``Replayed`` otherwise."""
        try:
            await self._seen.insert_one(
                {"_id": key, "expires_at": datetime.fromtimestamp(expires_at, UTC)}
            )
        except DuplicateKeyError as error:
            raise Replayed(key) from error
        try:
            yield
        except BaseException:
            await self._seen.delete_one({"_id": key})
            raise
