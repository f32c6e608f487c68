"""The dashboard's mention facts and stage samples on the fake and on MongoDB."""

from datetime import timedelta
from typing import Any

import pytest

from rapport.events import EnrichedMention
from rapport.events.factories import BASE_TIME, enriched
from responder.domain.brand_health import Tally

from .conftest import Backend

pytestmark = pytest.mark.integration
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def a_fact(n: int, score: float = -0.8, **fields: Any) -> EnrichedMention:
    """Mention ``n``, made BASE_TIME + n minutes (negative unless ``score`` says otherwise)."""
    return enriched(n, score=score, **fields).payload


class TestMentionFactStore:
    async def test_a_mention_counts_once_as_first_recorded(self, backend: Backend) -> None:
        facts = backend.facts
        praise = a_fact(2, score=0.8, intents=["praise"])
        await facts.record_all([a_fact(1), praise])
        repeat = a_fact(1, score=0.8)
        assert repeat.mention_event_id == a_fact(1).mention_event_id
        await facts.record_all([repeat, praise, a_fact(3, score=0.0)])
        await facts.record_all([])
        tallies = await facts.tallies(BASE_TIME, BASE_TIME + HOUR, "hour")
        assert tallies == {BASE_TIME: Tally(positive=1, negative=1, neutral=1, advocacy=1)}

    async def test_tallies_bucket_by_hour_or_day_within_the_range(self, backend: Backend) -> None:
        facts = backend.facts
        await facts.record_all(
            [
                a_fact(-1),  # before the range
                a_fact(1),
                a_fact(30, score=0.5),
                a_fact(61),  # the next hour
                a_fact(24 * 60 + 1),  # the next day: after the range
            ]
        )
        until = BASE_TIME + DAY
        by_hour = await facts.tallies(BASE_TIME, until, "hour")
        assert by_hour == {
            BASE_TIME: Tally(positive=1, negative=1),
            BASE_TIME + HOUR: Tally(negative=1),
        }
        by_day = await facts.tallies(BASE_TIME, until, "day")
        assert by_day == {BASE_TIME.replace(hour=0): Tally(positive=1, negative=2)}

    async def test_the_last_sample_of_a_day_stands(self, backend: Backend) -> None:
        facts = backend.facts
        today = BASE_TIME.replace(hour=0)
        await facts.sample_stages(BASE_TIME + DAY, (5, 1))
        await facts.sample_stages(BASE_TIME, (1, 0))
        await facts.sample_stages(BASE_TIME + 2 * HOUR, (2, 1))
        await facts.sample_stages(BASE_TIME + 2 * DAY, (9, 9))
        assert await facts.stage_samples(today + 2 * DAY) == [
            (today, (2, 1)),
            (today + DAY, (5, 1)),
        ]
