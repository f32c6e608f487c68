"""Tiers on a rolling window of earned points."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from rapport.events import TierChange


def tier_for(window_points: int, thresholds: Mapping[str, int]) -> str:
    """The highest tier whose threshold the points reach (thresholds start at 0)."""
    reached = [(need, name) for name, need in thresholds.items() if window_points >= need]
    return max(reached)[1]


def base_tier(thresholds: Mapping[str, int]) -> str:
    return tier_for(0, thresholds)


def next_review(oldest_in_window: datetime | None, window: timedelta) -> datetime | None:
    """When the oldest points in the window leave it, and the tier may fall."""
    return oldest_in_window + window if oldest_in_window else None


@dataclass(frozen=True)
class TierTerms:
    thresholds: Mapping[str, int]
    window: timedelta

    def after_credit(
        self, window_points: int, oldest: datetime | None, points: int, now: datetime
    ) -> tuple[str, datetime | None]:
        """The tier and next review once ``points`` credited ``now`` join a window that held
        ``window_points``, the oldest credited at ``oldest``."""
        since = now if oldest is None else min(oldest, now)
        return tier_for(window_points + points, self.thresholds), next_review(since, self.window)


@dataclass(frozen=True)
class TierReview:
    tier: str
    review_at: datetime | None
    change: TierChange | None
    """Set when the tier moved."""


def review(
    profile_id: UUID,
    current: str | None,
    window_points: int,
    oldest_in_window: datetime | None,
    *,
    terms: TierTerms,
    now: datetime,
) -> TierReview:
    """The member's tier as of ``now``, from the points credited in the window."""
    tier = tier_for(window_points, terms.thresholds)
    previous = current or base_tier(terms.thresholds)
    change = None
    if tier != previous:
        change = TierChange(
            profile_id=profile_id,
            tier=tier,
            previous_tier=previous,
            window_points=window_points,
            at=now,
        )
    return TierReview(tier, next_review(oldest_in_window, terms.window), change)
