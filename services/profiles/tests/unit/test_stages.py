"""Each segment and stage rule at its boundaries (thresholds from the default Rules)."""

from dataclasses import replace
from datetime import timedelta

import pytest

from profiles.domain.rules import Rules
from profiles.domain.scores import Signals
from profiles.domain.stages import segment, stage
from rapport.events import ParticipationSegment, RelationshipStage
from rapport.events.factories import BASE_TIME

RULES = Rules()
NOW = BASE_TIME
NEUTRAL = Signals(
    mentions=1,
    recent=[NOW],
    trend=0.0,
    positive=0.0,
    positive_span=timedelta(0),
    negative=0.0,
    advocacy_acts=0.0,
    amplification=0.0,
    followers=0,
    customer_value=0.0,
    spend=0.0,
    open_complaints=0,
)
FAN = replace(NEUTRAL, positive=2.5, positive_span=timedelta(hours=24), trend=0.2)
EVANGELIST = replace(FAN, advocacy_acts=1.8)


class TestSegment:
    def test_a_profile_that_never_posted_is_a_silent_observer(self) -> None:
        found = replace(NEUTRAL, mentions=0, recent=[])
        assert segment(found, NOW, RULES) is ParticipationSegment.SILENT_OBSERVER

    def test_one_mention_makes_an_occasional_participant(self) -> None:
        assert segment(NEUTRAL, NOW, RULES) is ParticipationSegment.OCCASIONAL_PARTICIPANT

    def test_five_mentions_in_the_window_make_a_frequent_creator(self) -> None:
        found = replace(NEUTRAL, mentions=5, recent=[NOW - timedelta(days=d) for d in range(5)])
        assert segment(found, NOW, RULES) is ParticipationSegment.FREQUENT_CREATOR

    def test_four_in_the_window_do_not(self) -> None:
        found = replace(NEUTRAL, mentions=4, recent=[NOW - timedelta(days=d) for d in range(4)])
        assert segment(found, NOW, RULES) is ParticipationSegment.OCCASIONAL_PARTICIPANT

    def test_the_window_is_rolling(self) -> None:
        edge = [NOW - timedelta(days=30)] * 5
        found = replace(NEUTRAL, mentions=5, recent=edge)
        assert segment(found, NOW, RULES) is ParticipationSegment.FREQUENT_CREATOR
        later = NOW + timedelta(seconds=1)
        assert segment(found, later, RULES) is ParticipationSegment.OCCASIONAL_PARTICIPANT


class TestStage:
    def test_nothing_special_is_a_casual_commenter(self) -> None:
        assert stage(NEUTRAL, RULES) is RelationshipStage.CASUAL_COMMENTER

    def test_fan_at_each_threshold(self) -> None:
        assert stage(FAN, RULES) is RelationshipStage.FAN

    @pytest.mark.parametrize(
        "short",
        [
            {"positive": 2.49},
            {"positive_span": timedelta(hours=23, minutes=59)},
            {"trend": 0.19},
        ],
        ids=["too-few-positive", "too-short-a-span", "too-low-a-trend"],
    )
    def test_fan_needs_every_threshold(self, short: dict[str, object]) -> None:
        assert stage(replace(FAN, **short), RULES) is RelationshipStage.CASUAL_COMMENTER  # type: ignore[arg-type]

    def test_evangelist_at_its_thresholds(self) -> None:
        assert stage(EVANGELIST, RULES) is RelationshipStage.EVANGELIST
        assert stage(replace(NEUTRAL, advocacy_acts=1.8, trend=0.2), RULES) is (
            RelationshipStage.EVANGELIST
        )

    def test_evangelist_below_its_thresholds_is_a_fan(self) -> None:
        assert stage(replace(EVANGELIST, advocacy_acts=1.79), RULES) is RelationshipStage.FAN
        low_trend = replace(EVANGELIST, trend=0.19)
        assert stage(low_trend, RULES) is RelationshipStage.CASUAL_COMMENTER

    def test_detractor_at_its_thresholds(self) -> None:
        found = replace(NEUTRAL, negative=1.8, trend=-0.2)
        assert stage(found, RULES) is RelationshipStage.DETRACTOR
        assert stage(replace(found, negative=1.79), RULES) is RelationshipStage.CASUAL_COMMENTER
        assert stage(replace(found, trend=-0.19), RULES) is RelationshipStage.CASUAL_COMMENTER

    def test_a_valued_customer_turning_negative_is_at_risk(self) -> None:
        found = replace(NEUTRAL, negative=3, trend=-0.2, customer_value=100)
        assert stage(found, RULES) is RelationshipStage.AT_RISK
        cheap = replace(found, customer_value=99.99)
        assert stage(cheap, RULES) is RelationshipStage.DETRACTOR
        assert stage(replace(found, trend=-0.19), RULES) is RelationshipStage.CASUAL_COMMENTER

    def test_thresholds_come_from_the_rules(self) -> None:
        strict = Rules(fan_min_positive=5)
        assert stage(FAN, strict) is RelationshipStage.CASUAL_COMMENTER
