from datetime import UTC, datetime, timedelta

import pytest

from loyalty.domain.expiry import expiring_points
from loyalty.domain.tiers import base_tier, next_review, tier_for
from loyalty.settings import DEFAULT_TIERS


@pytest.mark.parametrize(
    ("points", "tier"),
    [(0, "bronze"), (249, "bronze"), (250, "silver"), (999, "silver"), (1000, "gold")],
)
def test_tier_boundaries(points: int, tier: str) -> None:
    assert tier_for(points, DEFAULT_TIERS) == tier


def test_the_base_tier_is_the_one_at_zero() -> None:
    assert base_tier({"gold": 1000, "starter": 0}) == "starter"


def test_the_tier_is_reviewed_when_the_oldest_points_leave_the_window() -> None:
    oldest = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_review(oldest, timedelta(days=365)) == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_review(None, timedelta(days=365)) is None


def test_unspent_matured_points_expire() -> None:
    assert expiring_points(matured=30, lifetime=50, balance=50) == 30


def test_spending_consumes_the_oldest_points_first() -> None:
    # 30 matured, 20 spent since: only 10 of the oldest remain to expire.
    assert expiring_points(matured=30, lifetime=50, balance=30) == 10


def test_nothing_expires_when_the_oldest_points_were_all_spent() -> None:
    assert expiring_points(matured=30, lifetime=50, balance=15) == 0


def test_a_later_batch_counts_what_earlier_expiries_took() -> None:
    # First batch: 30 matured and expired (balance 50 -> 20); then 20 more mature.
    assert expiring_points(matured=50, lifetime=50, balance=20) == 20
