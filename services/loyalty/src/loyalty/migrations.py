"""loyalty's indexes, created once per deploy by ``rapport migrate`` (never at start-up)."""

from loyalty.adapters.indexes import INDEXES, question_ttl
from loyalty.settings import LoyaltySettings
from rapport.exports import store as exports
from rapport.migrate import Migrations, merge_indexes
from rapport.mongo import Indexes


def indexes(settings: LoyaltySettings) -> Indexes:
    return merge_indexes(INDEXES, question_ttl(settings.question_memory_days), exports.INDEXES)


MIGRATIONS = Migrations(LoyaltySettings, indexes)
