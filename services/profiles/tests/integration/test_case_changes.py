"""A case change recounts its owner's open complaints once, however often it is delivered."""

import asyncio
from typing import Any

import pytest

from profiles.adapters.mongo_store import INDEXES
from profiles.adapters.profile_store import MongoProfiles
from profiles.domain.rules import Rules
from profiles.handlers import on_case_changed, on_mention_ingested
from profiles.ports import profile_id_for
from rapport.events import CaseChange, CaseChanged
from rapport.events.factories import BASE_TIME, ingested
from rapport.mongo import Database, ensure_indexes
from rapport.outbox import COLLECTION as OUTBOX

pytestmark = pytest.mark.integration
ANN = profile_id_for("x:ann")


def complaint(sequence: int, state: str = "open") -> CaseChanged:
    change = "resolved" if state == "resolved" else "opened"
    return CaseChanged.of(
        CaseChange.model_validate(
            {
                "case_id": "00000000-0000-0000-0000-00000000000c",
                "sequence": sequence,
                "change": change,
                "state": state,
                "profile_id": ANN,
                "queue": "support",
                "priority": "normal",
                "intents": ["complaint"],
                "opened_at": BASE_TIME,
                "changed_at": BASE_TIME,
            }
        )
    )


async def test_a_case_change_delivered_again_or_concurrently_is_applied_once(
    mongo_db: Database,
) -> None:
    await ensure_indexes(mongo_db, INDEXES)
    profiles, rules = MongoProfiles(mongo_db), Rules()
    deps: dict[str, Any] = {"profiles": profiles, "rules": rules, "clock": lambda: BASE_TIME}
    await on_mention_ingested(ingested(1, author="ann"), **deps)
    opened = complaint(1)
    await asyncio.gather(*(on_case_changed(opened, **deps) for _ in range(3)))
    rows = await mongo_db[OUTBOX].count_documents({})
    await on_case_changed(opened, **deps)
    (profile, _) = await profiles.get(ANN)
    assert profile is not None
    assert profile.open_complaints == 1
    assert await mongo_db["processed"].count_documents({"_id": str(opened.event_id)}) == 1
    assert await mongo_db[OUTBOX].count_documents({}) == rows

    resolved = complaint(2, "resolved")
    await on_case_changed(resolved, **deps)
    await on_case_changed(opened, **deps)  # delivered again after the resolution: no effect
    (profile, _) = await profiles.get(ANN)
    assert profile is not None
    assert profile.open_complaints == 0
