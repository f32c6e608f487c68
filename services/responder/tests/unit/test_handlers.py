from typing import Any
from uuid import UUID

from rapport.events import CaseOpened, OpenedCase
from rapport.events.factories import enriched
from rapport.mongo import Document
from rapport.testing import Published
from responder.handlers import CASES_TOPIC, on_mention_enriched

ALICE, BOB = UUID(int=1), UUID(int=2)


class FakeCases:
    def __init__(self) -> None:
        self.cases: dict[UUID, Document] = {}

    async def open_case_of(self, profile_id: UUID) -> Document | None:
        found = [c for c in self.cases.values() if c["profile_id"] == profile_id]
        return found[0] if found else None

    async def open(self, case: OpenedCase) -> None:
        assert await self.open_case_of(case.profile_id) is None, "second open case"
        self.cases[case.case_id] = {
            "_id": case.case_id,
            **case.model_dump(exclude={"case_id"}),
            "mention_ids": [case.opened_by_mention],
        }

    async def add_mention(self, case_id: UUID, mention_event_id: UUID) -> None:
        if mention_event_id not in self.cases[case_id]["mention_ids"]:
            self.cases[case_id]["mention_ids"].append(mention_event_id)

    async def list(self, **_: Any) -> list[Document]:
        return list(self.cases.values())


class TestOnMentionEnriched:
    async def handle(self, cases: FakeCases, published: Published, n: int, **kw: Any) -> None:
        await on_mention_enriched(enriched(n, **kw), cases=cases, publish=published)

    async def test_a_negative_mention_opens_a_case(self) -> None:
        cases, published = FakeCases(), Published()
        await self.handle(cases, published, 1, profile_id=ALICE, score=-0.7)
        (case,) = cases.cases.values()
        assert case["profile_id"] == ALICE
        (event,) = published.events(CASES_TOPIC)
        assert isinstance(event, CaseOpened)
        assert event.payload.case_id == case["_id"]

    async def test_a_second_negative_mention_of_the_author_joins_the_open_case(self) -> None:
        cases, published = FakeCases(), Published()
        await self.handle(cases, published, 1, profile_id=ALICE)
        await self.handle(cases, published, 2, profile_id=ALICE)
        (case,) = cases.cases.values()
        assert case["mention_ids"] == [
            enriched(1).payload.mention_event_id,
            enriched(2).payload.mention_event_id,
        ]
        assert len(published.events(CASES_TOPIC)) == 1

    async def test_other_authors_get_their_own_case(self) -> None:
        cases, published = FakeCases(), Published()
        await self.handle(cases, published, 1, profile_id=ALICE)
        await self.handle(cases, published, 2, profile_id=BOB, author="bob")
        assert len(cases.cases) == 2

    async def test_positive_and_neutral_mentions_open_nothing(self) -> None:
        cases, published = FakeCases(), Published()
        await self.handle(cases, published, 1, score=0.9)
        await self.handle(cases, published, 2, score=0.0)
        assert cases.cases == {}
        assert published.messages == []

    async def test_the_brands_own_posts_open_nothing(self) -> None:
        cases, published = FakeCases(), Published()
        await self.handle(cases, published, 1, score=-0.9, from_brand=True)
        assert cases.cases == {}

    async def test_redelivery_changes_nothing_and_republishes_the_same_event(self) -> None:
        cases, published = FakeCases(), Published()
        await self.handle(cases, published, 1, profile_id=ALICE)
        await self.handle(cases, published, 2, profile_id=ALICE)
        await self.handle(cases, published, 1, profile_id=ALICE)
        await self.handle(cases, published, 2, profile_id=ALICE)
        (case,) = cases.cases.values()
        assert len(case["mention_ids"]) == 2
        first, again = published.events(CASES_TOPIC)
        assert first.event_id == again.event_id
