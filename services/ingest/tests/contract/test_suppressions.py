"""One contract for ``Suppressions``, run against the in-memory fake and the suppression list
in MongoDB (``rapport.suppression.SuppressionList``)."""

from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from ingest.fakes import FakeSuppressions
from rapport.events import Mention
from rapport.events.factories import BASE_TIME, a_mention
from rapport.mongo import Database
from rapport.suppression import Identity, SuppressionList

pytestmark = pytest.mark.integration


def posted(author: str, minutes: int) -> Mention:
    mention = a_mention(minutes, author=author)
    return mention.model_copy(update={"created_at": BASE_TIME + timedelta(minutes=minutes)})


class SuppressionsContract:
    async def test_only_what_an_erased_author_posted_up_to_the_erasure_is_old(
        self, suppressions: Any
    ) -> None:
        await suppressions.add([Identity("x", "Ann")], BASE_TIME + timedelta(minutes=10))
        await suppressions.add([Identity("x", "ann")], BASE_TIME + timedelta(minutes=5))

        old = await suppressions.old_mentions(
            [posted("ann", 1), posted("ann", 10), posted("ann", 11), posted("bob", 1)]
        )

        assert old == [True, True, False, False]

    async def test_nothing_erased_nothing_old(self, suppressions: Any) -> None:
        assert await suppressions.old_mentions([posted("ann", 1)]) == [False]
        assert await suppressions.old_mentions([]) == []


class TestFakeSuppressions(SuppressionsContract):
    @pytest.fixture
    def suppressions(self) -> FakeSuppressions:
        return FakeSuppressions()


class TestSuppressionList(SuppressionsContract):
    @pytest.fixture
    def suppressions(self, mongo_db: Database) -> SuppressionList:
        return SuppressionList(mongo_db, SecretStr("a pepper for the contract test"))
