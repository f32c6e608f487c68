"""Offer roll-outs against the in-memory stores: the whole audience, page after page, with
no cap; one replica at a time; resumed where a crashed one stopped."""

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest
from pymongo.errors import AutoReconnect

from loyalty.domain.catalogue import Offer
from loyalty.domain.rollouts import Rollout, RolloutState
from loyalty.fakes import FakeMembers, FakeOffers, FakeOutreach, FakeOutreachWork, FakeRollouts
from loyalty.ports import Decide
from loyalty.use_cases.offer_rollouts import RolloutRunner, start_rollout
from loyalty.use_cases.outreach import Outreach
from rapport.events import OutreachDecision
from rapport.testing import MovableClock
from services.loyalty.tests.unit.outreach_fixtures import DETRACTOR, FAN, NOW, member, offer

CLAIM = timedelta(minutes=1)
PAGE = 10


class Platform:
    """One offer store, member store and roll-out store, shared by any number of replicas."""

    def __init__(self, fans: int) -> None:
        self.clock = MovableClock(NOW)
        self.uow = FakeOutreachWork()
        self.offers = FakeOffers()
        self.rollouts = FakeRollouts()
        self.members = self.uow.stores.members
        assert isinstance(self.members, FakeMembers)
        self.members.audiences.update({member(n): FAN for n in range(1, fans + 1)})
        self.members.audiences[member(10_000)] = DETRACTOR
        self.outreach = Outreach(offers=self.offers, uow=self.uow, clock=self.clock, weekly_cap=2)

    def replica(self, owner: str, decide: Decide | None = None) -> RolloutRunner:
        return RolloutRunner(
            offers=self.offers,
            members=self.members,
            rollouts=self.rollouts,
            decide=decide or self.outreach.decide,
            clock=self.clock,
            owner=owner,
            claim_for=CLAIM,
            page_size=PAGE,
        )

    async def start(self, saved: Offer | None = None) -> Rollout:
        return await start_rollout(
            saved or offer(),
            offers=self.offers,
            members=self.members,
            rollouts=self.rollouts,
            clock=self.clock,
        )

    @property
    def decided(self) -> list[UUID]:
        store = self.uow.stores.outreach
        assert isinstance(store, FakeOutreach)
        return sorted(profile_id for _, profile_id in store.decisions)


async def run_to_end(runner: RolloutRunner) -> list[Rollout]:
    pages = []
    while (rollout := await runner.advance()) is not None:
        pages.append(rollout)
    return pages


async def test_saving_an_offer_starts_a_pending_roll_out_of_its_audience() -> None:
    platform = Platform(fans=25)
    rollout = await platform.start()
    assert (rollout.state, rollout.targeted, rollout.done) == (RolloutState.PENDING, 25, 0)
    assert await platform.offers.get("descaler") == offer()
    assert await platform.rollouts.get("descaler", rollout.rollout_id) == rollout
    assert platform.decided == []


async def test_a_roll_out_pages_through_the_whole_audience() -> None:
    platform = Platform(fans=25)
    started = await platform.start()
    pages = await run_to_end(platform.replica("a"))
    assert [(p.state, p.done, p.sent) for p in pages] == [
        (RolloutState.RUNNING, 10, 10),
        (RolloutState.RUNNING, 20, 20),
        (RolloutState.DONE, 25, 25),
    ]
    assert platform.decided == [member(n) for n in range(1, 26)]
    assert await platform.rollouts.get("descaler", started.rollout_id) == pages[-1]


async def test_a_second_replica_waits_while_the_first_holds_the_roll_out() -> None:
    platform = Platform(fans=25)
    await platform.start()
    first, second = platform.replica("a"), platform.replica("b")
    assert (await first.advance()) is not None
    assert await second.advance() is None
    platform.clock.advance(seconds=30)
    assert await second.advance() is None


async def test_a_roll_out_is_resumed_where_a_crashed_replica_stopped() -> None:
    platform = Platform(fans=25)
    await platform.start()
    crashed = await platform.replica("a").advance()
    assert crashed is not None
    assert crashed.done == 10
    platform.clock.advance(seconds=CLAIM.total_seconds() + 1)
    pages = await run_to_end(platform.replica("b"))
    assert [p.done for p in pages] == [20, 25]
    assert pages[-1].sent == 25
    assert platform.decided == [member(n) for n in range(1, 26)]


async def test_a_replica_that_lost_its_claim_records_nothing() -> None:
    platform = Platform(fans=25)
    started = await platform.start()
    slow = platform.replica("a")
    assert await slow.advance() is not None
    platform.clock.advance(seconds=CLAIM.total_seconds() + 1)
    taken = await platform.replica("b").advance()
    assert taken is not None
    assert taken.done == 20
    assert await slow.advance() is None
    assert await platform.rollouts.get("descaler", started.rollout_id) == taken


async def test_a_page_interrupted_by_an_outage_is_decided_again_and_counted_once() -> None:
    platform = Platform(fans=15)
    await platform.start()
    calls: Iterator[int] = iter(range(1_000))

    async def flaky(saved: Offer, profile_id: UUID) -> OutreachDecision | None:
        if next(calls) == 5:
            raise AutoReconnect("MongoDB is away")
        return await platform.outreach.decide(saved, profile_id)

    runner = platform.replica("a", flaky)
    with pytest.raises(AutoReconnect):
        await runner.advance()
    pages = await run_to_end(runner)
    assert [(p.done, p.sent) for p in pages] == [(10, 10), (15, 15)]


async def test_a_member_whose_decision_fails_is_reported_and_the_rest_go_on() -> None:
    platform = Platform(fans=3)
    await platform.start()

    async def broken_for_two(saved: Offer, profile_id: UUID) -> OutreachDecision | None:
        if profile_id == member(2):
            raise ValueError("a bad member document")
        return await platform.outreach.decide(saved, profile_id)

    (done,) = await run_to_end(platform.replica("a", broken_for_two))
    assert (done.state, done.done, done.sent, done.failed) == (RolloutState.DONE, 3, 2, 1)
    assert done.errors == (f"{member(2)}: ValueError",)


async def test_a_roll_out_whose_offer_is_gone_ends_with_the_reason() -> None:
    platform = Platform(fans=3)
    await platform.start()
    platform.offers.saved.clear()
    (done,) = await run_to_end(platform.replica("a"))
    assert (done.state, done.errors) == (RolloutState.DONE, ("the offer is gone",))
    assert platform.decided == []
