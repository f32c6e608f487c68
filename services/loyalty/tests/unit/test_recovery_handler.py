"""The recovery gesture as the ``care.cases`` handler applies it, against a fake earner: once
per answered complaint resolved, keyed by the case; nothing for anything else."""

from uuid import uuid4

import pytest

from loyalty.domain.rules import RuleKind
from loyalty.fakes import Earned, FakeEarning
from loyalty.handlers import on_case_changed
from services.loyalty.tests.integration.builders import case_changed

COMPLAINT = ["complaint"]


async def test_an_answered_complaint_resolved_earns_recovery_keyed_by_its_case() -> None:
    earner, profile_id, case_id = FakeEarning(), uuid4(), uuid4()
    event = case_changed(profile_id, case_id, 3, "resolved", COMPLAINT, answered=True)
    await on_case_changed(event, earner=earner)
    assert earner.earned == [
        Earned(RuleKind.RECOVERY, profile_id, str(case_id), event.event_id, None)
    ]


@pytest.mark.parametrize(
    ("change", "intents", "answered"),
    [
        ("resolved", COMPLAINT, False),
        ("resolved", ["question"], True),
        ("assigned", COMPLAINT, True),
    ],
    ids=["unanswered", "not-a-complaint", "not-resolved"],
)
async def test_anything_else_earns_nothing(change: str, intents: list[str], answered: bool) -> None:
    earner = FakeEarning()
    event = case_changed(uuid4(), uuid4(), 3, change, intents, answered=answered)
    await on_case_changed(event, earner=earner)
    assert earner.earned == []
