"""loyalty's MongoDB adapters, one module per aggregate, and the indexes they need."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.read_concern import ReadConcern

from rapport.mongo import Database

T = TypeVar("T")


async def in_transaction(
    db: Database,
    work: Callable[[AsyncClientSession], Awaitable[T]],
    read_concern: ReadConcern | None = None,
) -> T:
    """Run ``work`` in one transaction; conflicting writers are retried by the driver."""
    async with db.client.start_session() as session:
        return await session.with_transaction(work, read_concern=read_concern)
