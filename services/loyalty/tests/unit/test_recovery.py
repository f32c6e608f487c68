"""The recovery gesture is for an answered complaint, resolved (``loyalty.domain.recovery``)."""

from datetime import timedelta
from uuid import uuid4

import pytest

from loyalty.domain.recovery import earns_recovery
from rapport.events import CaseChange
from rapport.events.factories import BASE_TIME

ANSWERED = BASE_TIME + timedelta(minutes=5)


def change(kind: str, intents: list[str], first_response_at: object = ANSWERED) -> CaseChange:
    return CaseChange.model_validate(
        {
            "case_id": uuid4(),
            "sequence": 2,
            "change": kind,
            "state": "resolved" if kind == "resolved" else "open",
            "profile_id": uuid4(),
            "queue": "support",
            "priority": "normal",
            "intents": intents,
            "opened_at": BASE_TIME,
            "first_response_at": first_response_at,
            "changed_at": BASE_TIME + timedelta(hours=1),
        }
    )


def test_an_answered_complaint_resolved_earns_recovery() -> None:
    assert earns_recovery(change("resolved", ["complaint"]))


@pytest.mark.parametrize(
    "case",
    [
        change("resolved", ["complaint"], first_response_at=None),
        change("resolved", ["question"]),
        change("replied", ["complaint"]),
    ],
    ids=["closed-without-a-reply", "not-a-complaint", "not-resolved"],
)
def test_nothing_else_earns_recovery(case: CaseChange) -> None:
    assert not earns_recovery(case)
