"""Outreach decisions against the in-memory stores: who gets an offer, once, within the
weekly cap, with its event stored in the same unit of work."""

from datetime import timedelta
from uuid import UUID

from loyalty.domain.offers import Audience
from loyalty.fakes import FakeEvents, FakeMembers, FakeOffers, FakeOutreach, FakeOutreachWork
from loyalty.use_cases.outreach import Outreach
from rapport.events import OutreachDecided
from rapport.testing import MovableClock
from services.loyalty.tests.unit.outreach_fixtures import (
    DETRACTOR,
    FAN,
    NOW,
    SILENT_FAN,
    member,
    offer,
)


class Desk:
    def __init__(self, audiences: dict[UUID, Audience]) -> None:
        self.clock = MovableClock(NOW)
        self.uow = FakeOutreachWork()
        self.offers = FakeOffers()
        self.outreach = Outreach(offers=self.offers, uow=self.uow, clock=self.clock, weekly_cap=2)
        members = self.uow.stores.members
        assert isinstance(members, FakeMembers)
        members.audiences.update(audiences)

    @property
    def decided(self) -> list[tuple[str, UUID]]:
        store = self.uow.stores.outreach
        assert isinstance(store, FakeOutreach)
        return sorted(store.decisions)

    @property
    def events(self) -> list[OutreachDecided]:
        sink = self.uow.stores.events
        assert isinstance(sink, FakeEvents)
        return [event for _, event in sink.stored if isinstance(event, OutreachDecided)]


async def test_a_consenting_relevant_member_gets_the_offer_and_its_event() -> None:
    desk = Desk({member(1): FAN})
    decision = await desk.outreach.decide(offer(), member(1))
    assert decision is not None
    assert decision.relevant_to == ["stage:fan"]
    assert [e.payload for e in desk.events] == [decision]


async def test_no_consent_no_relevance_or_no_membership_gets_nothing() -> None:
    desk = Desk({member(1): SILENT_FAN, member(2): DETRACTOR})
    for profile_id in (member(1), member(2), member(3)):
        assert await desk.outreach.decide(offer(), profile_id) is None
    assert desk.decided == []
    assert desk.events == []


async def test_a_repeat_returns_the_first_decision_and_stores_nothing_more() -> None:
    desk = Desk({member(1): FAN})
    first = await desk.outreach.decide(offer(), member(1))
    desk.clock.advance(hours=1)
    assert await desk.outreach.decide(offer(), member(1)) == first
    assert len(desk.events) == 1


async def test_at_most_two_offers_a_week_reach_a_member() -> None:
    desk = Desk({member(1): FAN})
    sent = [await desk.outreach.decide(offer(f"o{n}"), member(1)) for n in range(3)]
    assert [s is not None for s in sent] == [True, True, False]
    desk.clock.advance(days=7, seconds=1)
    assert await desk.outreach.decide(offer("o3"), member(1)) is not None


async def test_a_changed_member_gets_only_the_running_offers() -> None:
    desk = Desk({member(1): FAN})
    await desk.offers.put("now", offer("now"))
    await desk.offers.put("later", offer("later", starts_at=NOW + timedelta(days=1)))
    await desk.outreach.member_changed(member(1))
    assert desk.decided == [("now", member(1))]
