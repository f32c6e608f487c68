"""One contract for ``MentionArchive``, run against the in-memory fake and MongoDB."""

from typing import Any

import pytest

from ingest.adapters.archive_store import INDEXES, MongoArchive, archive_id
from ingest.fakes import FakeArchive
from ingest.ports import MentionArchive
from rapport.events import Mention
from rapport.events.factories import a_mention
from rapport.mongo import Database, ensure_indexes

pytestmark = pytest.mark.integration


def mention(n: int, text: str = "the grinder is loud") -> Mention:
    return a_mention(n, author="ann", text=text)


class MentionArchiveContract:
    """What every ``MentionArchive`` does; a subclass gives the archive and what it stored."""

    async def stored(self, archive: Any) -> dict[str, str]:
        """archive id -> the stored mention's text."""
        raise NotImplementedError

    async def test_each_mention_is_new_once_the_first_copy_is_the_one_kept(
        self, archive: MentionArchive
    ) -> None:
        first = await archive.accept([mention(1), mention(2), mention(1, "a later copy")])
        again = await archive.accept([mention(2, "another copy"), mention(3)], import_id="i1")

        assert (first, again) == ([True, True, False], [False, True])
        assert await self.stored(archive) == {
            archive_id(mention(n)): "the grinder is loud" for n in (1, 2, 3)
        }

    async def test_nothing_to_accept_stores_nothing(self, archive: MentionArchive) -> None:
        assert await archive.accept([]) == []
        assert await self.stored(archive) == {}


class TestFakeArchive(MentionArchiveContract):
    @pytest.fixture
    def archive(self) -> FakeArchive:
        return FakeArchive()

    async def stored(self, archive: FakeArchive) -> dict[str, str]:
        return {key: m.text for key, m in archive.stored.items()}


class TestMongoArchive(MentionArchiveContract):
    @pytest.fixture
    async def archive(self, mongo_db: Database) -> MongoArchive:
        await ensure_indexes(mongo_db, INDEXES)
        self.db = mongo_db
        return MongoArchive(mongo_db)

    async def stored(self, archive: MongoArchive) -> dict[str, str]:
        docs = await self.db["mentions"].find().to_list()
        return {doc["_id"]: doc["mention"]["text"] for doc in docs}
