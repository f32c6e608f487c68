from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from responder.domain.sla import Policy

OFFICE = Policy(
    first_response=60,
    next_response=120,
    resolution=480,
    business_hours=True,
    timezone="Europe/Paris",
    week={d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")},
)


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """November 2026 in Paris (UTC+1): the 20th is a Friday, the 23rd a Monday."""
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (paris(23, 10), 60, paris(23, 11)),
        (paris(23, 16), 60, paris(23, 17)),  # ends exactly at closing
        (paris(23, 16, 1), 60, paris(24, 9, 1)),  # one minute spills to the next morning
        (paris(23, 7), 60, paris(23, 10)),  # before opening: the clock starts at 09:00
        (paris(23, 17), 60, paris(24, 10)),  # at closing: tomorrow
        (paris(20, 16, 30), 60, paris(23, 9, 30)),  # Friday evening to Monday
        (paris(21, 12), 60, paris(23, 10)),  # a Saturday
        (paris(23, 9), 8 * 60 * 2, paris(24, 17)),  # two whole days
    ],
)
def test_business_hours(start: datetime, minutes: int, due: datetime) -> None:
    assert OFFICE.add(start, minutes) == due


def test_calendar_hours_run_around_the_clock() -> None:
    calendar = Policy(first_response=60, next_response=60, resolution=60)
    assert calendar.add(paris(21, 23, 30), 60) == paris(21, 23, 30) + timedelta(hours=1)


def test_daylight_saving_time_is_respected() -> None:
    # Paris goes from UTC+2 to UTC+1 on 25 October 2026: 09:00 local is 07:00 then 08:00 UTC.
    friday = datetime(2026, 10, 23, 14, 30, tzinfo=UTC)  # 16:30 in Paris
    assert OFFICE.add(friday, 60) == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad",
    [
        {"timezone": "Mars/Olympus"},
        {"week": {"mon": "17:00-09:00"}},
        {"week": {"mon": "9-5"}},
        {"week": {"funday": "09:00-17:00"}},
        {"week": {}},
        {"first_response": 0},
    ],
)
def test_invalid_policies_are_refused(bad: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "first_response": 60,
        "next_response": 60,
        "resolution": 60,
        "business_hours": True,
    }
    fields.setdefault("week", {"mon": "09:00-17:00"})
    with pytest.raises(ValidationError):
        Policy.model_validate({**fields, **bad})
