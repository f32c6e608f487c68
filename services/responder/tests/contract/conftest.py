"""The ports' contract: each test runs on the in-memory fakes and on the MongoDB adapters
(``backend``), so the fakes the unit tests use cannot drift from what MongoDB does."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import pytest

from rapport.events import CaseChanged, Priority, ProfileSnapshot, RelationshipStage
from rapport.events.factories import BASE_TIME
from rapport.mongo import Database, ensure_indexes
from rapport.testing import MovableClock
from responder.adapters.alert_store import MongoAlerts
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.adapters.macro_store import MongoMacros
from responder.adapters.note_store import MongoNotes
from responder.adapters.reply_store import MongoReplies
from responder.domain.case import Case
from responder.domain.case_events import changed
from responder.domain.messages import Message
from responder.domain.replies import Reply
from responder.fakes import Fakes
from responder.main import mongo_ports
from responder.migrations import INDEXES
from responder.ports import (
    AlertStore,
    BrandHealthReads,
    MacroStore,
    MentionFactStore,
    NoteStore,
    Ports,
    ReplyStore,
    Transaction,
)
from responder.settings import ResponderSettings

pytestmark = pytest.mark.integration


class MentionFacts(MentionFactStore, BrandHealthReads, Protocol):
    """The dashboard's facts: written by the consumers, read by the gauges and routes."""


@dataclass(frozen=True)
class Backend:
    ports: Ports
    alerts: AlertStore
    replies: ReplyStore
    facts: MentionFacts
    notes: NoteStore
    macros: MacroStore
    case_events: Callable[[], Awaitable[list[CaseChanged]]]
    """The ``case.changed`` events stored for publication, in the order stored."""

    async def save(self, *cases: Case, at: datetime = BASE_TIME) -> list[Case]:
        """Store each case as changed once from how it reads (``sequence``)."""
        changes = [changed(case, [("opened", None)], at) for case in cases]

        async def work(tx: Transaction) -> None:
            await tx.cases.save_all(changes)

        await self.ports.uow(work)
        return [change.case for change in changes]


@pytest.fixture(params=["fake", "mongo"])
async def backend(request: pytest.FixtureRequest, mongo_db: Database) -> AsyncIterator[Backend]:
    clock = MovableClock(BASE_TIME + timedelta(hours=1))
    if request.param == "fake":
        fakes = Fakes(clock)

        async def published() -> list[CaseChanged]:
            return list(fakes.cases.published)

        stores = (fakes.alerts, fakes.replies, fakes.facts, fakes.notes, fakes.macros)
        yield Backend(fakes.ports(), *stores, published)
        return
    db = mongo_db
    await ensure_indexes(db, INDEXES)

    async def stored() -> list[CaseChanged]:
        rows = await db["outbox"].find({"topic": "care.cases"}).sort("_id").to_list()
        return [CaseChanged.model_validate_json(bytes(row["value"])) for row in rows]

    ports = mongo_ports(db, ResponderSettings(), clock)
    mongo = (
        MongoAlerts(db),
        MongoReplies(db),
        MongoBrandHealth(db),
        MongoNotes(db),
        MongoMacros(db),
    )
    yield Backend(ports, *mongo, stored)


def a_case(n: int, **fields: Any) -> Case:
    """Case ``n`` of profile ``n`` (unless given), opened BASE_TIME + n minutes."""
    opened = BASE_TIME + timedelta(minutes=n)
    return Case.model_validate(
        {
            "_id": UUID(int=n),
            "profile_id": UUID(int=1000 + n),
            "queue": "support",
            "priority": Priority.NORMAL,
            "priority_score": 30.0,
            "platform": "x",
            "author_id": f"a{n}",
            "opened_at": opened,
            "cycle_start": opened,
            **fields,
        }
    )


def a_message(n: int, **fields: Any) -> Message:
    return Message.model_validate(
        {
            "_id": UUID(int=5000 + n),
            "kind": "brand",
            "platform": "x",
            "external_id": f"m{n}",
            "author_id": "brand",
            "text": f"message {n}",
            "created_at": BASE_TIME + timedelta(minutes=n),
            **fields,
        }
    )


def a_snapshot(n: int, stage: RelationshipStage, seen_min: int) -> ProfileSnapshot:
    return ProfileSnapshot(
        profile_id=UUID(int=1000 + n),
        stage=stage,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME + timedelta(minutes=seen_min),
    )


def a_reply(n: int, **fields: Any) -> Reply:
    return Reply.model_validate(
        {
            "_id": UUID(int=9000 + n),
            "case_id": UUID(int=n),
            "agent": "ann",
            "platform": "x",
            "in_reply_to": None,
            "text": "sorry",
            "created_at": BASE_TIME,
            "next_attempt_at": BASE_TIME + timedelta(minutes=n),
            **fields,
        }
    )
