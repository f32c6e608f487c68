"""The use cases' unit tests run on ``responder.fakes``: no Kafka, no MongoDB."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from rapport.events import EnrichedMention, MentionEnriched, RelationshipStage
from rapport.events.factories import BASE_TIME, enriched
from rapport.testing import MovableClock
from responder.domain.spikes import SpikeRule
from responder.fakes import Fakes
from responder.ports import CaseConflict, Ports, UnitOfWork, Work

ALICE, BOB = UUID(int=1), UUID(int=2)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(BASE_TIME + timedelta(hours=1))


@pytest.fixture
def fakes(clock: MovableClock) -> Fakes:
    return Fakes(clock)


@pytest.fixture
def ports(fakes: Fakes) -> Ports:
    return fakes.ports(spikes=SpikeRule(min_volume=3))


def event(
    n: int,
    *,
    profile_id: UUID = ALICE,
    stage: RelationshipStage = RelationshipStage.CASUAL_COMMENTER,
    **mention: Any,
) -> MentionEnriched:
    """Mention ``n`` (created BASE_TIME + n minutes) of the customer with ``profile_id``."""
    made = enriched(n, profile_id=profile_id, **mention)
    profile = made.payload.profile.model_copy(update={"stage": stage})
    return made.model_copy(update={"payload": made.payload.model_copy(update={"profile": profile})})


def mention(n: int, **fields: Any) -> EnrichedMention:
    return event(n, **fields).payload


def conflicting_once(uow: UnitOfWork) -> UnitOfWork:
    """``uow``, but its first transaction fails as if another writer got there first."""
    calls = []

    async def run(work: Work) -> None:
        calls.append(work)
        if len(calls) == 1:
            raise CaseConflict("another writer")
        await uow(work)

    return run
