from uuid import UUID

import pytest

from loyalty.domain.rules import POSITIVE_MENTION, earning_for, entry_id
from loyalty.handlers import LOYALTY_TOPIC, on_mention_enriched
from rapport.events import AwardedPoints, PointsAwarded
from rapport.events.factories import a_mention, enriched
from rapport.mongo import Document
from rapport.testing import Published


class FakeLedger:
    def __init__(self) -> None:
        self.entries: dict[str, AwardedPoints] = {}
        self.balances: dict[UUID, int] = {}

    async def award(self, award: AwardedPoints) -> AwardedPoints:
        if award.entry_id in self.entries:
            return self.entries[award.entry_id]
        balance = self.balances.get(award.profile_id, 0) + award.points
        self.balances[award.profile_id] = balance
        self.entries[award.entry_id] = award.model_copy(update={"balance": balance})
        return self.entries[award.entry_id]

    async def member(self, profile_id: UUID, *, entries: int) -> Document | None:
        return None


async def handle(ledger: FakeLedger, published: Published, n: int, score: float) -> None:
    await on_mention_enriched(
        enriched(n, score=score), ledger=ledger, publish=published, points_per_positive_mention=7
    )


class TestOnMentionEnriched:
    async def test_a_positive_mention_earns_the_configured_points(self) -> None:
        ledger, published = FakeLedger(), Published()
        await handle(ledger, published, 1, score=0.8)
        (entry,) = ledger.entries.values()
        assert entry.points == 7
        assert entry.rule == POSITIVE_MENTION
        assert entry.cause_event_id == enriched(1).payload.mention_event_id
        (event,) = published.events(LOYALTY_TOPIC)
        assert isinstance(event, PointsAwarded)
        assert event.payload.balance == 7

    @pytest.mark.parametrize("score", [-0.9, 0.0, 0.19])
    async def test_negative_and_neutral_mentions_earn_nothing(self, score: float) -> None:
        ledger, published = FakeLedger(), Published()
        await handle(ledger, published, 1, score=score)
        assert ledger.entries == {}
        assert published.messages == []

    async def test_the_same_mention_twice_is_rewarded_once(self) -> None:
        ledger, published = FakeLedger(), Published()
        await handle(ledger, published, 1, score=0.8)
        await handle(ledger, published, 1, score=0.8)
        assert len(ledger.entries) == 1
        first, again = published.events(LOYALTY_TOPIC)
        assert (first.event_id, first.payload) == (again.event_id, again.payload)


def test_spam_earns_nothing() -> None:
    mention = a_mention(score=0.9, intents=["spam", "praise"])
    assert earning_for(mention, points_per_positive_mention=10) is None


def test_brand_posts_earn_nothing() -> None:
    mention = a_mention(score=0.9, from_brand=True)
    assert earning_for(mention, points_per_positive_mention=10) is None


def test_an_entry_is_keyed_by_rule_and_cause() -> None:
    assert entry_id("positive_mention", "abc") == "positive_mention:abc"
    assert entry_id("share", "abc") != entry_id("positive_mention", "abc")
