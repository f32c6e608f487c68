"""MongoDB client construction, transactions, and indexes (created by ``rapport migrate``,
checked at start-up)."""

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure, PyMongoError
from pymongo.read_concern import ReadConcern

from rapport.settings import RapportSettings

Document = dict[str, Any]
Database = AsyncDatabase[Document]
T = TypeVar("T")


def connect(settings: RapportSettings) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        settings.mongo_url.get_secret_value(),
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=10_000,
        appname=f"rapport-{settings.service_name}",
    )


async def in_transaction(
    db: Database,
    work: Callable[[AsyncClientSession], Awaitable[T]],
    read_concern: ReadConcern | None = None,
) -> T:
    """``work(session)``'s result, run in one transaction; the driver retries the whole of it
    on a transient error (a conflicting writer) and the commit on an unknown commit result."""
    async with db.client.start_session() as session:
        return await session.with_transaction(work, read_concern=read_concern)


log = logging.getLogger(__name__)
_CHANGED_INDEX = {85, 86}  # IndexOptionsConflict, IndexKeySpecsConflict
Indexes = Mapping[str, Sequence[IndexModel]]
"""collection -> its indexes, as a service declares them (see ``rapport.migrate``)."""


async def ensure_indexes(db: Database, indexes: Indexes) -> list[str]:
    """Create each collection's indexes; an existing one is kept, and one whose definition
    changed since an older release (same name, other keys or options) is rebuilt.

    Returns what it did, ``created <collection>.<index>`` or ``rebuilt ...``; nothing when
    every index was already as declared."""
    done: list[str] = []
    for collection, models in indexes.items():
        existing = {index["name"] async for index in await db[collection].list_indexes()}
        for model in models:
            name = model.document["name"]
            try:
                await db[collection].create_indexes([model])
            except OperationFailure as error:
                if error.code not in _CHANGED_INDEX:
                    raise
                log.warning("rebuilding changed index", extra={"index": f"{collection}.{name}"})
                await db[collection].drop_index(name)
                await db[collection].create_indexes([model])
                done.append(f"rebuilt {collection}.{name}")
            else:
                if name not in existing:
                    done.append(f"created {collection}.{name}")
    return done


async def missing_indexes(db: Database, indexes: Indexes) -> list[str]:
    """``<collection>.<index>`` of each declared index the database does not have (by name)."""
    missing = []
    for collection, models in indexes.items():
        existing = {index["name"] async for index in await db[collection].list_indexes()}
        missing += [
            f"{collection}.{m.document['name']}"
            for m in models
            if m.document["name"] not in existing
        ]
    return missing


async def warn_missing_indexes(db: Database, indexes: Indexes) -> None:
    """Start-up check: indexes are created once per deploy by ``rapport migrate``, never by a
    service, so a missing one is only reported (a missing unique index lets duplicates in)."""
    try:
        missing = await missing_indexes(db, indexes)
    except PyMongoError as error:
        log.warning("could not check indexes", extra={"error": type(error).__name__})
        return
    if missing:
        log.warning("indexes missing: run `rapport migrate`", extra={"indexes": missing})


async def ping(db: Database) -> bool:
    try:
        await db.command("ping")
    except Exception:
        return False
    return True
