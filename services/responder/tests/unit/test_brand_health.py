from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rapport.events.factories import BASE_TIME, a_mention
from responder.domain.brand_health import (
    Tally,
    bucket_starts,
    carried,
    counted,
    is_advocacy,
    net_sentiment,
    total,
    trend,
    unit_of,
)

DAY = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "advocacy"),
    [
        ({"score": 0.8, "intents": ["praise"]}, True),
        ({"score": 0.6, "text": "I recommend the Brightloop to everyone"}, True),
        ({"score": 0.6, "text": "브라이트루프 추천합니다"}, True),
        ({"score": 0.6, "text": "nice weather"}, False),
        ({"score": 0.1, "in_reply_to": "t1", "intents": ["other"]}, True),  # answers someone
        ({"score": 0.1, "in_reply_to": "t1", "intents": ["question"]}, False),
        ({"score": -0.7, "in_reply_to": "t1"}, False),
        ({"score": -0.7, "intents": ["praise"]}, False),
    ],
)
def test_advocacy_is_recommending_praising_or_helping(
    fields: dict[str, Any], advocacy: bool
) -> None:
    assert is_advocacy(a_mention(**fields)) is advocacy


def test_brand_posts_and_spam_are_not_counted() -> None:
    assert counted(a_mention())
    assert not counted(a_mention(from_brand=True))
    assert not counted(a_mention(intents=["spam"]))


def test_net_sentiment_and_its_trend() -> None:
    assert net_sentiment(3, 1) == 0.5
    assert net_sentiment(0, 2) == -1.0
    assert net_sentiment(0, 0) is None
    assert trend(0.5, -0.25) == 0.75
    assert trend(0.5, None) is None


def test_tallies_add_up() -> None:
    summed = total([Tally(positive=2, advocacy=1), Tally(negative=1, neutral=3)])
    assert summed == Tally(positive=2, negative=1, neutral=3, advocacy=1)
    assert (summed.mentions, summed.net, summed.advocacy_share) == (6, round(1 / 3, 4), 0.1667)
    assert Tally().advocacy_share is None


def test_two_days_are_shown_by_the_hour_and_longer_ranges_by_the_day() -> None:
    assert unit_of(DAY, DAY + timedelta(days=2)) == "hour"
    assert unit_of(DAY, DAY + timedelta(days=2, seconds=1)) == "day"
    hours = bucket_starts(DAY + timedelta(minutes=30), DAY + timedelta(hours=3), "hour")
    assert hours == [DAY + timedelta(hours=h) for h in range(3)]
    days = bucket_starts(BASE_TIME, BASE_TIME + timedelta(days=3), "day")
    assert days == [DAY + timedelta(days=d) for d in range(4)]


def test_a_day_without_a_sample_carries_the_previous_one() -> None:
    days = [DAY + timedelta(days=d) for d in range(4)]
    samples = [(DAY - timedelta(days=5), (1, 0)), (DAY + timedelta(days=2), (4, 2))]
    assert carried(samples, days) == {
        days[0]: (1, 0),
        days[1]: (1, 0),
        days[2]: (4, 2),
        days[3]: (4, 2),
    }
    assert carried([], days[:1]) == {days[0]: None}
