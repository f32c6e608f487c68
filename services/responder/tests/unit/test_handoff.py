from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from rapport.events import Priority
from responder.domain.case import Breach, Case
from responder.domain.handoff import handoff, nearest_rank

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def case(n: int, first_min: float | None, resolved_min: float | None = None) -> Case:
    minute = timedelta(minutes=1)
    return Case.model_validate(
        {
            "_id": UUID(int=n),
            "profile_id": UUID(int=100 + n),
            "queue": "support",
            "priority": Priority.NORMAL,
            "priority_score": 30,
            "platform": "x",
            "author_id": f"u{n}",
            "opened_at": T0,
            "cycle_start": T0,
            "first_response_at": T0 + first_min * minute if first_min is not None else None,
            "resolved_at": T0 + resolved_min * minute if resolved_min is not None else None,
            "active": resolved_min is None,
            "due": {"first_response": T0 + 60 * minute},
        }
    )


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([1.0], 0.9, 1.0), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9), ([5, 1, 3], 0.9, 5)],
)
def test_nearest_rank(values: list[float], fraction: float, expected: float) -> None:
    assert nearest_rank(values, fraction) == expected


def test_handoff_of_a_set_of_cases() -> None:
    cases = [case(1, 10, 100), case(2, 30), case(3, 90), case(4, None)]
    cases[2] = cases[2].model_copy(
        update={"breaches": [Breach(target="first_response", due=T0, detected_at=T0)]}
    )
    early = handoff(cases, now=T0 + timedelta(minutes=59))
    assert early.cases == 4
    assert (early.first_response.count, early.first_response.median_s) == (3, 1800)
    assert early.first_response.p90_s == 5400
    assert (early.resolution.count, early.resolution.median_s) == (1, 6000)
    assert early.within_sla == round(2 / 3, 4)  # the unanswered case is not due yet
    assert (early.backlog, early.breaches) == (3, 1)
    late = handoff(cases, now=T0 + timedelta(minutes=60))
    assert late.within_sla == 0.5  # now it is missed


def test_no_cases_no_numbers() -> None:
    empty = handoff([], now=T0)
    assert (empty.first_response.median_s, empty.within_sla) == (None, None)
