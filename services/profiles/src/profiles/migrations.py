"""profiles' indexes, created once per deploy by ``rapport migrate`` (never at start-up)."""

from profiles.adapters import link_request_store, mongo_store, privacy_request_store
from profiles.settings import ProfilesSettings
from rapport.exports import store as exports
from rapport.migrate import Migrations, merge_indexes
from rapport.mongo import Indexes


def indexes(settings: ProfilesSettings) -> Indexes:
    return merge_indexes(
        mongo_store.INDEXES,
        link_request_store.INDEXES,
        privacy_request_store.INDEXES,
        exports.INDEXES,
    )


MIGRATIONS = Migrations(ProfilesSettings, indexes)
