from datetime import UTC, datetime, timedelta

import pytest

from loyalty.domain.guardrails import Recent, Verdict, judge, windows
from loyalty.domain.rules import Rule, RuleKind

CAPPED = Rule(kind=RuleKind.POSITIVE_MENTION, points=10, daily_cap=3, weekly_cap=10)
REFERRAL = Rule(kind=RuleKind.REFERRAL, points=50, velocity_limit=10, velocity_window_days=7)


def recent(day: int = 0, week: int = 0, velocity: int = 0) -> Recent:
    return Recent(day=day, week=week, velocity_window=velocity)


@pytest.mark.parametrize(("day", "verdict"), [(2, Verdict.CREDIT), (3, Verdict.CAP)])
def test_the_daily_cap_drops_the_excess(day: int, verdict: Verdict) -> None:
    assert judge(CAPPED, recent(day=day, week=day)).verdict is verdict


@pytest.mark.parametrize(("week", "verdict"), [(9, Verdict.CREDIT), (10, Verdict.CAP)])
def test_the_weekly_cap_drops_the_excess(week: int, verdict: Verdict) -> None:
    assert judge(CAPPED, recent(day=0, week=week)).verdict is verdict


@pytest.mark.parametrize(("count", "verdict"), [(9, Verdict.CREDIT), (10, Verdict.HOLD)])
def test_more_than_ten_referrals_a_week_are_held(count: int, verdict: Verdict) -> None:
    judgement = judge(REFERRAL, recent(velocity=count))
    assert judgement.verdict is verdict
    if verdict is Verdict.HOLD:
        assert judgement.reason == "more than 10 referral entries in 7 days"


def test_a_rule_without_limits_always_credits() -> None:
    bonus = Rule(kind=RuleKind.RECOVERY, points=25)
    assert judge(bonus, recent(1000, 1000, 1000)).verdict is Verdict.CREDIT


def test_a_flagged_author_earns_nothing() -> None:
    assert judge(REFERRAL, recent(), flagged=True).verdict is Verdict.REFUSE


def test_caps_count_rolling_windows_ending_now() -> None:
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    day, week, velocity = windows(REFERRAL, now)
    assert (now - day, now - week, now - velocity) == (
        timedelta(days=1),
        timedelta(days=7),
        timedelta(days=7),
    )
