"""Score formulas at their boundaries, and recency: the last minutes outweigh years ago."""

from datetime import timedelta
from uuid import UUID

import pytest

from profiles.domain.decay import Decayed, fade
from profiles.domain.evaluation import snapshot
from profiles.domain.model import Profile
from profiles.domain.recording import record_mention, record_purchase
from profiles.domain.rules import Rules
from profiles.domain.scores import advocacy, health, influence, signals
from rapport.events import Purchase
from rapport.events.factories import BASE_TIME, a_mention

RULES = Rules()
DAY = timedelta(days=1)


def profile_with(*mentions: tuple[int, float, timedelta]) -> Profile:
    """A profile with mention number n of sentiment score s, posted ``ago`` before BASE_TIME."""
    profile = None
    for n, score, ago in mentions:
        mention = a_mention(n, score=score, created_at=BASE_TIME - ago)
        profile = record_mention(profile, mention, new_id=UUID(int=1), now=BASE_TIME, rules=RULES)
    assert profile is not None
    return profile


class TestDecay:
    def test_a_part_halves_every_half_life(self) -> None:
        assert fade(timedelta(0), DAY) == 1
        assert fade(DAY, DAY) == pytest.approx(0.5)
        assert fade(2 * DAY, DAY) == pytest.approx(0.25)

    def test_the_future_does_not_grow(self) -> None:
        assert fade(-DAY, DAY) == 1

    def test_parts_add_up_in_any_order(self) -> None:
        early, late = BASE_TIME, BASE_TIME + DAY
        one = Decayed().add(1, early, DAY).add(1, late, DAY)
        other = Decayed().add(1, late, DAY).add(1, early, DAY)
        assert one.at_time(late, DAY) == pytest.approx(1.5)
        assert other.at_time(late, DAY) == pytest.approx(1.5)


class TestSentimentTrend:
    def test_no_mentions_no_trend(self) -> None:
        nobody = Profile(id=UUID(int=1), created_at=BASE_TIME)
        assert signals(nobody, BASE_TIME, RULES).trend == 0

    def test_a_prior_keeps_a_single_mention_modest(self) -> None:
        found = signals(profile_with((1, 0.8, timedelta(0))), BASE_TIME, RULES)
        assert found.trend == pytest.approx(0.4)

    def test_five_minutes_ago_outweighs_five_years_ago(self) -> None:
        recent_good = profile_with((1, -1.0, 5 * 365 * DAY), (2, 1.0, timedelta(minutes=5)))
        recent_bad = profile_with((1, 1.0, 5 * 365 * DAY), (2, -1.0, timedelta(minutes=5)))
        assert signals(recent_good, BASE_TIME, RULES).trend > 0.49
        assert signals(recent_bad, BASE_TIME, RULES).trend < -0.49

    def test_the_trend_fades_with_the_clock(self) -> None:
        profile = profile_with((1, 1.0, timedelta(0)))
        now = signals(profile, BASE_TIME, RULES).trend
        month_later = signals(profile, BASE_TIME + 30 * DAY, RULES).trend
        assert month_later < now
        assert month_later == pytest.approx(0.5 / 1.5)


class TestInfluence:
    def test_nobody_listening_is_zero(self) -> None:
        assert influence(0, 0) == 0

    def test_followers_count_on_a_log_scale(self) -> None:
        assert influence(999, 0) == pytest.approx(36)
        assert influence(999_999, 0) == pytest.approx(72)

    def test_it_is_capped_at_100(self) -> None:
        assert influence(10**9, 10**6) == 100


class TestAdvocacy:
    def test_five_acts_give_half(self) -> None:
        assert advocacy(0) == 0
        assert advocacy(5) == pytest.approx(50)
        assert advocacy(10) == pytest.approx(75)


class TestHealth:
    def test_neutral_is_fifty(self) -> None:
        assert health(0, 0, 0, 0) == 50

    def test_open_complaints_count_up_to_three(self) -> None:
        assert health(0, 0, 0, 1) == 35
        assert health(0, 0, 0, 3) == 5
        assert health(0, 0, 0, 4) == 5

    def test_purchases_add_at_most_twenty(self) -> None:
        assert health(0, 0, 9, 0) == pytest.approx(58)
        assert health(0, 0, 10**9, 0) == 70

    def test_it_stays_between_0_and_100(self) -> None:
        assert health(-1, 0, 0, 3) == 0
        assert health(1, 100, 10**9, 0) == 100

    def test_a_recent_purchase_counts_more_than_an_old_one(self) -> None:
        profile = profile_with((1, 0.0, timedelta(0)))

        def bought(ago: timedelta) -> float:
            purchase = Purchase(
                purchase_id="p-1",
                profile_id=profile.id,
                amount=500,
                currency="EUR",
                purchased_at=BASE_TIME - ago,
            )
            return snapshot(
                record_purchase(profile, purchase, RULES), BASE_TIME, RULES
            ).scores.health

        assert bought(timedelta(minutes=5)) > bought(5 * 365 * DAY) > 50
