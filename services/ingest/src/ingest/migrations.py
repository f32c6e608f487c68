"""ingest's indexes, created once per deploy by ``rapport migrate`` (never at start-up)."""

from ingest.adapters import archive_store, flood_store, replay_store
from ingest.settings import IngestSettings
from rapport.exports import store as exports
from rapport.migrate import Migrations, merge_indexes
from rapport.mongo import Indexes


def indexes(settings: IngestSettings) -> Indexes:
    return merge_indexes(
        archive_store.INDEXES, flood_store.INDEXES, replay_store.INDEXES, exports.INDEXES
    )


MIGRATIONS = Migrations(IngestSettings, indexes)
