"""The ports' backends: every contract test runs on the in-memory fakes and on the MongoDB
adapters ``main`` wires (``backend``), so the fakes the unit tests use cannot drift."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from profiles.domain.rules import Rules
from profiles.fakes import Fakes
from profiles.main import mongo_services
from profiles.migrations import MIGRATIONS
from profiles.ports import Ports
from profiles.settings import ProfilesSettings
from profiles.use_cases.mentions import record_mention
from rapport.events import (
    CaseChange,
    Event,
    MentionEnriched,
    MentionIngested,
    PrivacyRequested,
    ProfileChanged,
)
from rapport.events.codec import decode
from rapport.events.factories import BASE_TIME, a_mention
from rapport.mongo import Database, ensure_indexes
from rapport.outbox import COLLECTION as OUTBOX
from rapport.settings import Environment
from rapport.testing import MovableClock

PUBLISHED_TYPES = (ProfileChanged, MentionEnriched, PrivacyRequested)
Published = list[tuple[str, str, Event]]
"""(topic, key, event) of each event stored for publication, in order."""


@dataclass(frozen=True)
class Backend:
    ports: Ports
    clock: MovableClock
    published: Callable[[], Awaitable[Published]]

    async def mention(self, n: int, author: str, handle: str | None = None, **fields: Any) -> None:
        """``author`` said something (their profile is made on the first mention)."""
        mention = a_mention(n, author=author, **fields)
        if handle is not None:
            renamed = mention.author.model_copy(update={"handle": handle})
            mention = mention.model_copy(update={"author": renamed})
        event = MentionIngested.of(mention, occurred_at=BASE_TIME)
        await record_mention(event, profiles=self.ports.profiles, rules=Rules(), clock=self.clock)


@pytest.fixture(params=["fake", "mongo"])
async def backend(request: pytest.FixtureRequest, mongo_db: Database) -> AsyncIterator[Backend]:
    clock = MovableClock(BASE_TIME + timedelta(days=1))
    if request.param == "fake":
        fakes = Fakes(clock)

        async def in_memory() -> Published:
            return [*fakes.profiles.outbox, *fakes.privacy.outbox]

        yield Backend(fakes.ports(), clock, in_memory)
        return
    settings = ProfilesSettings(environment=Environment.TEST, mongo_db=mongo_db.name)
    await ensure_indexes(mongo_db, MIGRATIONS.indexes(settings))

    async def stored() -> Published:
        rows = await mongo_db[OUTBOX].find().sort("seq", 1).to_list()
        return [(r["topic"], r["key"], decode(r["value"], PUBLISHED_TYPES)) for r in rows]

    yield Backend(mongo_services(mongo_db, settings, clock, lambda: None), clock, stored)


def complaint(case: int, sequence: int, profile_id: UUID, state: str = "open") -> CaseChange:
    return CaseChange.model_validate(
        {
            "case_id": UUID(int=case),
            "sequence": sequence,
            "change": "resolved" if state == "resolved" else "opened",
            "state": state,
            "profile_id": profile_id,
            "queue": "support",
            "priority": "normal",
            "intents": ["complaint"],
            "opened_at": BASE_TIME,
            "changed_at": BASE_TIME,
        }
    )
