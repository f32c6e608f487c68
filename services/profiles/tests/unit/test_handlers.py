"""Handlers against the in-memory profile store (``profiles.fakes``, held to MongoProfiles by
the contract tests): a change stores what it causes in the outbox (``outbox``) once, with it."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from profiles.domain.rules import Rules
from profiles.fakes import FakeProfiles
from profiles.handlers import (
    ENRICHED_TOPIC,
    PROFILES_TOPIC,
    on_case_changed,
    on_commerce_event,
    on_mention_ingested,
)
from profiles.ports import profile_id_for
from rapport.events import (
    CaseChange,
    CaseChanged,
    Event,
    Purchase,
    PurchaseMade,
    Referral,
    ReferralConverted,
    RelationshipStage,
)
from rapport.events.factories import BASE_TIME, ingested

RULES = Rules()
ANN = profile_id_for("x:ann")
NOW = BASE_TIME + timedelta(days=10)


class World:
    def __init__(self) -> None:
        self.profiles = FakeProfiles()

    async def handle(self, handler: Callable[..., Awaitable[None]], event: Event) -> None:
        await handler(event, profiles=self.profiles, rules=RULES, clock=lambda: NOW)

    def events(self, topic: str) -> list[Any]:
        return [event for t, _, event in self.profiles.outbox if t == topic]

    def changes(self) -> list[str]:
        return [e.payload.change for e in self.events(PROFILES_TOPIC)]

    def stages(self) -> list[str]:
        return [e.payload.profile.stage for e in self.events(PROFILES_TOPIC)]


def praise(n: int, **fields: Any) -> Any:
    text = f"the espresso from my machine is wonderful every morning {n}"
    return ingested(n * 24 * 60, author="ann", score=0.8, text=text, **fields)


def purchase(amount: float, purchase_id: str = "order-1") -> PurchaseMade:
    return PurchaseMade.of(
        Purchase(
            purchase_id=purchase_id,
            profile_id=ANN,
            amount=amount,
            currency="EUR",
            purchased_at=BASE_TIME,
        )
    )


def case(sequence: int, state: str, intents: list[str]) -> CaseChanged:
    return CaseChanged.of(
        CaseChange.model_validate(
            {
                "case_id": UUID(int=5),
                "sequence": sequence,
                "change": "opened" if sequence == 1 else "resolved",
                "state": state,
                "profile_id": ANN,
                "queue": "support",
                "priority": "normal",
                "intents": intents,
                "opened_at": BASE_TIME,
                "changed_at": BASE_TIME,
            }
        )
    )


class TestOnMentionIngested:
    async def test_the_first_mention_creates_the_profile_and_is_enriched(self) -> None:
        world = World()
        await world.handle(on_mention_ingested, ingested(1, author="ann"))
        (enriched,) = world.events(ENRICHED_TOPIC)
        assert enriched.payload.profile.profile_id == ANN
        assert enriched.payload.profile.mention_count == 1
        assert world.changes() == ["created"]

    async def test_enriched_mentions_are_keyed_by_author_and_changes_by_profile(self) -> None:
        world = World()
        await world.handle(on_mention_ingested, ingested(1, author="ann"))
        keys = {(topic, key) for topic, key, _ in world.profiles.outbox}
        assert keys == {(ENRICHED_TOPIC, "x:ann"), (PROFILES_TOPIC, str(ANN))}

    async def test_repeated_specific_praise_over_days_makes_a_fan(self) -> None:
        world = World()
        for n in range(1, 4):
            await world.handle(on_mention_ingested, praise(n))
        assert world.changes() == ["created", "stage_changed"]
        changed = world.events(PROFILES_TOPIC)[-1].payload
        assert (changed.previous_stage, changed.profile.stage) == ("casual_commenter", "fan")

    async def test_the_brand_never_gets_a_customer_stage(self) -> None:
        world = World()
        for n in range(1, 4):
            await world.handle(on_mention_ingested, praise(n, from_brand=True))
        assert world.changes() == ["created"]
        assert world.events(ENRICHED_TOPIC)[-1].payload.profile.stage == (
            RelationshipStage.CASUAL_COMMENTER
        )

    async def test_redelivery_stores_nothing_more(self) -> None:
        world = World()
        await world.handle(on_mention_ingested, ingested(1, author="ann"))
        await world.handle(on_mention_ingested, ingested(1, author="ann"))
        (enriched,) = world.events(ENRICHED_TOPIC)
        assert enriched.payload.profile.mention_count == 1
        assert world.changes() == ["created"]

    async def test_the_enriched_mention_is_stored_before_the_announcements(self) -> None:
        world = World()
        await world.handle(on_mention_ingested, ingested(1, author="ann"))
        assert [topic for topic, _, _ in world.profiles.outbox] == [ENRICHED_TOPIC, PROFILES_TOPIC]


class TestCommerce:
    async def test_a_purchase_adds_to_customer_value_once(self) -> None:
        world = World()
        await world.handle(on_mention_ingested, ingested(1, author="ann"))
        await world.handle(on_commerce_event, purchase(60))
        await world.handle(on_commerce_event, purchase(60))
        await world.handle(on_mention_ingested, ingested(2, author="ann"))
        assert world.events(ENRICHED_TOPIC)[-1].payload.profile.customer_value == 60

    async def test_a_purchase_for_an_unknown_profile_changes_nothing(self) -> None:
        world = World()
        await world.handle(on_commerce_event, purchase(60))
        assert world.profiles.profiles == {}
        assert world.profiles.outbox == []

    async def test_a_valued_customer_turning_negative_is_at_risk(self) -> None:
        world = World()
        await world.handle(on_commerce_event, purchase(500))  # unknown yet: ignored
        for n in range(1, 3):
            await world.handle(on_mention_ingested, ingested(n, author="ann", score=-0.9))
        assert world.stages()[-1] == "detractor"
        await world.handle(on_commerce_event, purchase(500, "order-2"))
        assert world.stages()[-1] == "at_risk"

    async def test_converted_referrals_make_an_evangelist(self) -> None:
        world = World()
        for n in range(1, 4):
            await world.handle(on_mention_ingested, praise(n))
        for n in range(2):
            referral = Referral(
                referral_id=f"ref-{n}",
                referrer_profile_id=ANN,
                referred_profile_id=UUID(int=9),
                purchase_id=f"order-{n}",
                converted_at=NOW,
            )
            await world.handle(on_commerce_event, ReferralConverted.of(referral))
        assert world.stages()[-1] == "evangelist"


class TestOnCaseChanged:
    async def test_an_open_complaint_lowers_health_until_resolved(self) -> None:
        world = World()
        await world.handle(on_mention_ingested, ingested(1, author="ann", score=0.0))
        health = world.events(ENRICHED_TOPIC)[-1].payload.profile.scores.health
        await world.handle(on_case_changed, case(1, "open", ["complaint"]))
        assert world.profiles.profiles[ANN].open_complaints == 1
        await world.handle(on_case_changed, case(2, "resolved", ["complaint"]))
        await world.handle(on_case_changed, case(1, "open", ["complaint"]))  # late and old
        assert world.profiles.profiles[ANN].open_complaints == 0
        await world.handle(on_mention_ingested, ingested(2, author="ann", score=0.0))
        assert world.events(ENRICHED_TOPIC)[-1].payload.profile.scores.health >= health
