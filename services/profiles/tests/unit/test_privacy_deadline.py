from datetime import UTC, datetime, timedelta

from profiles.domain.privacy_deadline import PrivacySchedule, service_states

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
SCHEDULE = PrivacySchedule(deadline_s=3600, first_retry_s=60, max_retry_s=600)


def test_the_deadline_is_counted_from_the_request() -> None:
    assert SCHEDULE.deadline(AT) == AT + timedelta(hours=1)


def test_retries_back_off_doubling_up_to_the_cap() -> None:
    waits = [(SCHEDULE.next_attempt(AT, n) - AT).total_seconds() for n in range(1, 7)]
    assert waits == [60, 120, 240, 480, 600, 600]
    assert SCHEDULE.next_attempt(AT, 10_000) == AT + timedelta(seconds=600)


def test_a_service_that_has_not_answered_is_pending_until_the_deadline_then_late() -> None:
    expected, confirmed = ["ingest", "loyalty"], ["ingest"]
    deadline = AT + timedelta(hours=1)
    assert service_states(expected, confirmed, deadline, deadline) == {
        "ingest": "confirmed",
        "loyalty": "pending",
    }
    later = deadline + timedelta(seconds=1)
    assert service_states(expected, confirmed, deadline, later)["loyalty"] == "late"
    assert service_states(expected, confirmed, None, later)["loyalty"] == "pending"
