from datetime import UTC, datetime, timedelta

import pytest

from rapport.events.factories import a_mention
from responder.domain.spikes import SpikeRule, is_spike, is_viral, subjects, threshold

RULE = SpikeRule(keywords=["Leak"], min_volume=10)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_a_quiet_subject_needs_the_minimum_volume() -> None:
    assert threshold([0] * 24, RULE) == 10


def test_the_threshold_is_three_deviations_over_the_baseline() -> None:
    history = [20, 30] * 12  # mean 25, stdev 5, √25 = 5
    assert threshold(history, RULE) == pytest.approx(25 + 3 * 5)


def test_a_steady_subject_is_held_to_its_poisson_floor() -> None:
    assert threshold([100] * 24, RULE) == pytest.approx(100 + 3 * 10)


@pytest.mark.parametrize(("observed", "spike"), [(39, False), (40, True)])
def test_a_spike_from_the_threshold_on(observed: int, spike: bool) -> None:
    assert is_spike(observed, [20, 30] * 12, RULE) is spike


def test_subjects_are_all_intents_and_configured_keywords() -> None:
    mention = a_mention(text="My Duo has a LEAK", intents=["complaint"])
    assert subjects(mention, RULE) == ["all", "intent:complaint", "keyword:leak"]


@pytest.mark.parametrize(
    ("shares", "age", "viral"),
    [
        (100, timedelta(hours=1), True),  # 100/h, the threshold
        (99, timedelta(hours=1), False),
        (49, timedelta(minutes=10), False),  # fast, but under the 50 shares minimum
        (50, timedelta(minutes=10), True),
        (60, timedelta(0), True),  # a brand-new post: its age counts as five minutes
        (1000, timedelta(hours=11), False),
    ],
)
def test_a_viral_negative_post(shares: int, age: timedelta, viral: bool) -> None:
    mention = a_mention(score=-0.8, engagement={"shares": shares}, created_at=NOW - age)
    assert is_viral(mention, NOW, RULE) is viral
