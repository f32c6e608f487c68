"""responder's indexes, created once per deploy by ``rapport migrate`` (never at start-up)."""

from rapport.exports import store as exports
from rapport.migrate import Migrations, merge_indexes
from rapport.mongo import Indexes
from responder.adapters import (
    account_store,
    agent_store,
    alert_store,
    brand_health_store,
    case_store,
    inbox_reads,
    macro_store,
    note_store,
    profile_store,
    reply_store,
    timeline_store,
    viewer_store,
)
from responder.notifications.adapters import delivery_store, notice_source
from responder.settings import ResponderSettings

INDEXES = merge_indexes(
    account_store.INDEXES,
    case_store.INDEXES,
    timeline_store.INDEXES,
    inbox_reads.INDEXES,
    agent_store.INDEXES,
    alert_store.INDEXES,
    reply_store.INDEXES,
    profile_store.INDEXES,
    brand_health_store.INDEXES,
    viewer_store.INDEXES,
    note_store.INDEXES,
    macro_store.INDEXES,
    exports.INDEXES,
    delivery_store.INDEXES,
    notice_source.INDEXES,
)


def indexes(settings: ResponderSettings) -> Indexes:
    return INDEXES


MIGRATIONS = Migrations(ResponderSettings, indexes)
