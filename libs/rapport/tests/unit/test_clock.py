from datetime import UTC, datetime, timedelta

from rapport.clock import Clock, ManualClock, system_clock, utcnow

NOON = datetime(2026, 5, 1, 12, tzinfo=UTC)


def hours_since(clock: Clock, since: datetime) -> float:
    return (clock.now() - since) / timedelta(hours=1)


def test_the_system_clock_tells_the_time_in_utc() -> None:
    before = datetime.now(UTC)
    now = system_clock.now()
    assert now.tzinfo is UTC
    assert before <= now <= utcnow()


def test_a_manual_clock_stays_where_it_is_put() -> None:
    clock = ManualClock(NOON)
    assert clock.now() == clock.now() == NOON
    clock.set(NOON + timedelta(days=1))
    assert hours_since(clock, NOON) == 24


def test_a_manual_clock_advances_when_told() -> None:
    clock = ManualClock(NOON)
    assert clock.advance(timedelta(minutes=90)) == NOON + timedelta(minutes=90)
    assert hours_since(clock, NOON) == 1.5
