"""responder's indexes, created once per deploy by ``rapport migrate`` (never at start-up)."""

from rapport.exports import store as exports
from rapport.migrate import Migrations, merge_indexes
from rapport.mongo import Indexes
from responder import repository
from responder.settings import ResponderSettings
from responder.stores import agents, alerts, brand_health, profiles, replies, timeline, viewers

INDEXES = merge_indexes(
    repository.INDEXES,
    timeline.INDEXES,
    agents.INDEXES,
    alerts.INDEXES,
    replies.INDEXES,
    profiles.INDEXES,
    brand_health.INDEXES,
    viewers.INDEXES,
    exports.INDEXES,
)


def indexes(settings: ResponderSettings) -> Indexes:
    return INDEXES


MIGRATIONS = Migrations(ResponderSettings, indexes)
