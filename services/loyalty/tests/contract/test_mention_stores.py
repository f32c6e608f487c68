"""The ports a mention earns through one at a time (``use_cases.mentions``), in memory and in
MongoDB: one contract, so the fakes flag, observe and remember questions as the adapters do."""

from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from loyalty.adapters.member_store import MongoMembers, audience_of
from loyalty.adapters.question_store import MongoQuestions
from loyalty.domain.offers import Audience
from loyalty.fakes import FakeMemberStore, FakeQuestions
from loyalty.ports import MentionMembers, QuestionStore
from rapport.events import ParticipationSegment, RelationshipStage
from rapport.events.factories import a_mention
from rapport.mongo import Database

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
ANN, BOB = UUID(int=1), UUID(int=2)
FAN = Audience(
    stage=RelationshipStage.FAN,
    segment=ParticipationSegment.FREQUENT_CREATOR,
    marketing_consent=True,
)


class MentionContract(ABC):
    @abstractmethod
    def members(self) -> MentionMembers: ...

    @abstractmethod
    def questions(self) -> QuestionStore: ...

    @abstractmethod
    async def member(self, profile_id: UUID) -> dict[str, Any] | None:
        """The member as stored, if they are one."""

    async def test_a_flag_makes_a_member_with_nothing_earned_and_only_ever_extends(
        self,
    ) -> None:
        await self.members().flag(ANN, NOW + DAY)
        await self.members().flag(ANN, NOW + HOUR)
        assert await self.member(ANN) == {
            "_id": ANN,
            "balance": 0,
            "lifetime_points": 0,
            "settled_points": 0,
            "flagged_until": NOW + DAY,
        }
        await self.members().flag(ANN, NOW + 2 * DAY)
        assert (await self.member(ANN) or {})["flagged_until"] == NOW + 2 * DAY

    async def test_observing_keeps_a_member_s_audience_and_passes_a_stranger_by(self) -> None:
        await self.members().flag(ANN, NOW)
        assert await self.members().observe(ANN, FAN) is True
        assert await self.members().observe(BOB, FAN) is False
        ann = await self.member(ANN)
        assert ann is not None
        assert audience_of(ann) == FAN
        assert ann["flagged_until"] == NOW
        assert await self.member(BOB) is None

    async def test_a_reply_finds_the_latest_asker_of_the_question_it_answers(self) -> None:
        question = a_mention(1)
        await self.questions().remember(question, ANN, NOW)
        answer = a_mention(2, in_reply_to=question.external_id)
        assert await self.questions().asker(answer) == ANN
        assert await self.questions().asker(a_mention(3, in_reply_to="ext-9")) is None
        elsewhere = a_mention(4, in_reply_to=question.external_id, platform="forum")
        assert await self.questions().asker(elsewhere) is None
        await self.questions().remember(question, BOB, NOW + HOUR)
        assert await self.questions().asker(answer) == BOB


class TestFakeMentionStores(MentionContract):
    @pytest.fixture(autouse=True)
    def fresh(self) -> None:
        self.stored_members = FakeMemberStore()
        self.stored_questions = FakeQuestions()

    def members(self) -> MentionMembers:
        return self.stored_members

    def questions(self) -> QuestionStore:
        return self.stored_questions

    async def member(self, profile_id: UUID) -> dict[str, Any] | None:
        return await self.stored_members.get(profile_id)


class TestMongoMentionStores(MentionContract):
    @pytest.fixture(autouse=True)
    def fresh(self, mongo_db: Database) -> None:
        self.db = mongo_db

    def members(self) -> MentionMembers:
        return MongoMembers(self.db)

    def questions(self) -> QuestionStore:
        return MongoQuestions(self.db)

    async def member(self, profile_id: UUID) -> dict[str, Any] | None:
        return await self.db["members"].find_one({"_id": profile_id})
