"""SLA policies and their time arithmetic.

A policy (one per priority) gives minutes to the first response, to each next response (after the
customer writes again) and to resolution, counted in calendar time or in business hours: a
time zone and, per weekday, the opening hours (``"09:00-17:00"``; none: closed all day).
``add(start, minutes)`` is the instant those minutes of open time after ``start`` run out.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from rapport.events import Priority
from responder.domain.strict import StrictModel

Minutes = Annotated[int, Field(ge=1, le=60 * 24 * 90)]
Hours = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 400
"""How far ``add`` walks the calendar; past it (a calendar with hardly any open time) it stops."""


class Policy(StrictModel):
    """The SLA of one priority."""

    first_response: Minutes
    next_response: Minutes
    resolution: Minutes
    business_hours: bool = False
    timezone: str = "UTC"
    week: dict[Weekday, Hours] = Field(default_factory=dict)
    """Opening hours per weekday; a day not named is closed."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("week")
    @classmethod
    def _opens_before_closing(cls, week: dict[Weekday, Hours]) -> dict[Weekday, Hours]:
        for day, hours in week.items():
            opens, closes = hours.split("-")
            if opens >= closes:
                raise ValueError(f"{day}: opening {opens} is not before closing {closes}")
        return week

    @model_validator(mode="after")
    def _open_sometime(self) -> "Policy":
        if self.business_hours and not self.week:
            raise ValueError("business hours need opening hours on at least one weekday")
        return self

    def add(self, start: datetime, minutes: int) -> datetime:
        if not self.business_hours:
            return start + timedelta(minutes=minutes)
        return add_business_time(start, timedelta(minutes=minutes), self)


Policies = dict[Priority, Policy]
DEFAULT_POLICIES: Policies = {
    Priority.URGENT: Policy(first_response=15, next_response=30, resolution=4 * 60),
    Priority.HIGH: Policy(first_response=30, next_response=60, resolution=8 * 60),
    Priority.NORMAL: Policy(first_response=60, next_response=120, resolution=24 * 60),
    Priority.LOW: Policy(first_response=240, next_response=480, resolution=72 * 60),
}


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def add_business_time(start: datetime, amount: timedelta, policy: Policy) -> datetime:
    zone = ZoneInfo(policy.timezone)
    local = start.astimezone(zone)
    day = local.date()
    left = amount
    for _ in range(MAX_DAYS):
        hours = policy.week.get(WEEKDAYS[day.weekday()])
        if hours is not None:
            opens, closes = (_clock(part) for part in hours.split("-"))
            begin = max(datetime.combine(day, opens, zone), local)
            end = datetime.combine(day, closes, zone)
            begin_utc, end_utc = begin.astimezone(UTC), end.astimezone(UTC)
            if begin_utc + left <= end_utc:
                return begin_utc + left
            if begin_utc < end_utc:
                left -= end_utc - begin_utc
        day += timedelta(days=1)
    return start + timedelta(days=MAX_DAYS)
