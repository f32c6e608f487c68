"""MongoDB client construction and index set-up."""

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from rapport.settings import RapportSettings

Document = dict[str, Any]
Database = AsyncDatabase[Document]


def connect(settings: RapportSettings) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        settings.mongo_url.get_secret_value(),
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=10_000,
        appname=f"rapport-{settings.service_name}",
    )


async def ensure_indexes(db: Database, indexes: Mapping[str, Sequence[IndexModel]]) -> None:
    """Create each collection's indexes; creating an existing index is a no-op."""
    for collection, models in indexes.items():
        if models:
            await db[collection].create_indexes(list(models))


async def ping(db: Database) -> bool:
    try:
        await db.command("ping")
    except Exception:
        return False
    return True
