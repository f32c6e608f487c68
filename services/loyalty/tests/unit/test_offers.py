from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from loyalty.domain.catalogue import OfferTerms
from loyalty.domain.offers import Audience, Targeting, may_contact, relevance
from rapport.events import ParticipationSegment, RelationshipStage

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
FANS = Targeting(
    stages=frozenset({RelationshipStage.FAN}),
    segments=frozenset({ParticipationSegment.FREQUENT_CREATOR}),
    starts_at=NOW - timedelta(days=1),
    expires_at=NOW + timedelta(days=7),
)
FAN = Audience(RelationshipStage.FAN, ParticipationSegment.OCCASIONAL_PARTICIPANT, True)


def contact(audience: Audience = FAN, sent: int = 0, now: datetime = NOW) -> list[str]:
    return may_contact(FANS, audience, now=now, sent_this_week=sent, weekly_cap=2)


def test_a_consenting_relevant_member_gets_the_offer_with_the_reason() -> None:
    assert contact() == ["stage:fan"]


def test_both_stage_and_segment_are_named_when_both_match() -> None:
    creator = Audience(RelationshipStage.FAN, ParticipationSegment.FREQUENT_CREATOR, True)
    assert relevance(FANS, creator) == ["stage:fan", "segment:frequent_creator"]


def test_without_marketing_consent_nothing_is_sent() -> None:
    assert contact(Audience(FAN.stage, FAN.segment, marketing_consent=False)) == []


def test_an_irrelevant_offer_is_not_sent() -> None:
    detractor = Audience(RelationshipStage.DETRACTOR, FAN.segment, True)
    assert contact(detractor) == []


@pytest.mark.parametrize(("sent", "allowed"), [(1, True), (2, False)])
def test_at_most_n_messages_a_week(sent: int, allowed: bool) -> None:
    assert bool(contact(sent=sent)) is allowed


@pytest.mark.parametrize("now", [NOW - timedelta(days=2), NOW + timedelta(days=7)])
def test_an_offer_is_only_sent_while_it_runs(now: datetime) -> None:
    assert contact(now=now) == []


@pytest.mark.parametrize(
    "terms",
    [
        {"title": "x", "starts_at": NOW, "expires_at": NOW + timedelta(days=1)},
        {"title": "x", "stages": ["fan"], "starts_at": NOW, "expires_at": NOW},
        {"title": "x", "stages": ["royalty"], "starts_at": NOW, "expires_at": NOW},
        {"title": "x", "stages": ["fan"], "starts_at": "2026-11-20T09:00:00", "expires_at": NOW},
    ],
)
def test_untargeted_unbounded_or_malformed_offers_are_refused(terms: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OfferTerms.model_validate(terms)
