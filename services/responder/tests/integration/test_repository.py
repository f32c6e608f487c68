"""MongoCases against the real database."""

from uuid import UUID, uuid4

import pytest
from pymongo.errors import DuplicateKeyError

from rapport.events import OpenedCase, Priority, utcnow
from rapport.mongo import Database, ensure_indexes
from responder.repository import INDEXES, MongoCases

pytestmark = pytest.mark.integration
ANN = UUID(int=7)


def case(profile_id: UUID = ANN) -> OpenedCase:
    return OpenedCase(
        case_id=uuid4(),
        profile_id=profile_id,
        opened_by_mention=uuid4(),
        queue="support",
        priority=Priority.HIGH,
        opened_at=utcnow(),
    )


@pytest.fixture
async def cases(mongo_db: Database) -> MongoCases:
    await ensure_indexes(mongo_db, INDEXES)
    return MongoCases(mongo_db)


async def test_an_opened_case_is_the_profiles_open_case(cases: MongoCases) -> None:
    opened = case()
    await cases.open(opened)
    found = await cases.open_case_of(ANN)
    assert found is not None
    assert found["_id"] == opened.case_id
    assert found["mention_ids"] == [opened.opened_by_mention]


async def test_a_profile_never_has_two_open_cases(cases: MongoCases) -> None:
    await cases.open(case())
    with pytest.raises(DuplicateKeyError):
        await cases.open(case())
    assert len(await cases.list(profile_id=ANN, state=None, limit=10)) == 1


async def test_adding_a_mention_twice_adds_it_once(cases: MongoCases) -> None:
    opened = case()
    await cases.open(opened)
    mention = uuid4()
    await cases.add_mention(opened.case_id, mention)
    await cases.add_mention(opened.case_id, mention)
    found = await cases.open_case_of(ANN)
    assert found is not None
    assert found["mention_ids"] == [opened.opened_by_mention, mention]


async def test_listing_filters_by_profile(cases: MongoCases) -> None:
    await cases.open(case(ANN))
    await cases.open(case(UUID(int=8)))
    assert [c["profile_id"] for c in await cases.list(profile_id=ANN, state="open", limit=10)] == [
        ANN
    ]
    assert len(await cases.list(profile_id=None, state=None, limit=1)) == 1
