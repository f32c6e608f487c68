"""Bounded waits for ingest's analysis stage, which completes mentions after the 2xx."""

from typing import Any

from rapport.mongo import Database
from rapport.testing import eventually

WAIT_S = 60.0


async def analysed(db: Database, mention_id: str) -> dict[str, Any]:
    """The archived mention once the analysis stage has completed it."""
    done = {"_id": mention_id, "pending": {"$exists": False}}
    doc = await eventually(lambda: db["mentions"].find_one(done), timeout_s=WAIT_S)
    mention: dict[str, Any] = doc["mention"]
    return mention


async def in_outbox(db: Database, count: int) -> None:
    """Wait until ``count`` events are in the outbox and no mention is pending any more."""

    async def settled() -> bool:
        pending = await db["mentions"].count_documents({"pending": True})
        return pending == 0 and await db["outbox"].count_documents({}) == count

    await eventually(settled, timeout_s=WAIT_S)
