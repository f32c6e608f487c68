"""MongoDB client construction and index set-up."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

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


log = logging.getLogger(__name__)
_CHANGED_INDEX = {85, 86}  # IndexOptionsConflict, IndexKeySpecsConflict


async def ensure_indexes(db: Database, indexes: Mapping[str, Sequence[IndexModel]]) -> None:
    """Create each collection's indexes; an existing one is kept, and one whose definition
    changed since an older release (same name, other keys or options) is rebuilt."""
    for collection, models in indexes.items():
        for model in models:
            try:
                await db[collection].create_indexes([model])
            except OperationFailure as error:
                if error.code not in _CHANGED_INDEX:
                    raise
                name = model.document["name"]
                log.warning("rebuilding changed index", extra={"index": f"{collection}.{name}"})
                await db[collection].drop_index(name)
                await db[collection].create_indexes([model])


async def ping(db: Database) -> bool:
    try:
        await db.command("ping")
    except Exception:
        return False
    return True
