"""profiles' indexes, created once per deploy by ``rapport migrate`` (never at start-up)."""

from profiles import confirmations, privacy_requests, repository
from profiles.settings import ProfilesSettings
from rapport.exports import store as exports
from rapport.migrate import Migrations, merge_indexes
from rapport.mongo import Indexes


def indexes(settings: ProfilesSettings) -> Indexes:
    return merge_indexes(
        repository.INDEXES, confirmations.INDEXES, privacy_requests.INDEXES, exports.INDEXES
    )


MIGRATIONS = Migrations(ProfilesSettings, indexes)
