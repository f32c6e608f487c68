"""Cases and alerts: published by responder on ``care.cases`` and ``care.alerts``."""

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event
from rapport.events.mentions import Intent
from rapport.events.upcasters import UPCASTERS


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class OpenedCase(Contract):
    case_id: UUID
    profile_id: UUID
    opened_by_mention: UUID
    queue: str = Field(min_length=1, max_length=64)
    priority: Priority
    opened_at: AwareDatetime


class CaseOpened(Event):
    """Version 1 of the case contract, superseded by ``case.changed``: no longer produced, and
    read as the ``opened`` change it announced (see ``_opened_as_change``)."""

    type: Literal["case.opened"] = "case.opened"
    schema_version: Literal[1] = 1
    payload: OpenedCase

    @classmethod
    def of(cls, case: OpenedCase) -> "CaseOpened":
        return cls.caused_by(str(case.case_id), payload=case, occurred_at=case.opened_at)


class CaseState(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"


CaseChangeKind = Literal[
    "opened",
    "mention_added",
    "assigned",
    "unassigned",
    "replied",
    "waiting_on_customer",
    "resolved",
    "reopened",
    "rerouted",
    "escalated",
    "sla_breached",
]
SlaTarget = Literal["first_response", "next_response", "resolution"]


class CaseChange(Contract):
    case_id: UUID
    sequence: int = Field(ge=1)
    """Counts the case's changes: consumers keep the highest they have seen."""
    change: CaseChangeKind
    state: CaseState
    profile_id: UUID
    queue: Annotated[str, Field(min_length=1, max_length=64)]
    priority: Priority
    priority_score: Annotated[float, Field(ge=0, le=100)] = 0
    intents: list[Intent] = Field(default_factory=list)
    assignee: Annotated[str, Field(max_length=128)] | None = None
    mention_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    opened_at: AwareDatetime
    first_response_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    breached: SlaTarget | None = None
    """sla_breached: which target was missed."""
    changed_at: AwareDatetime


class CaseChanged(Event):
    type: Literal["case.changed"] = "case.changed"
    schema_version: Literal[1] = 1
    payload: CaseChange

    @classmethod
    def of(cls, change: CaseChange) -> "CaseChanged":
        return cls.caused_by(
            str(change.case_id), str(change.sequence), payload=change, occurred_at=change.changed_at
        )


@UPCASTERS.register(CaseOpened, CaseChanged)
def _opened_as_change(old: CaseOpened) -> CaseChanged:
    """The first change of the case; v1 did not carry intents, score or assignee."""
    case = old.payload
    change = CaseChange(
        case_id=case.case_id,
        sequence=1,
        change="opened",
        state=CaseState.OPEN,
        profile_id=case.profile_id,
        queue=case.queue,
        priority=case.priority,
        mention_ids=[case.opened_by_mention],
        opened_at=case.opened_at,
        changed_at=case.opened_at,
    )
    return CaseChanged(event_id=old.event_id, occurred_at=old.occurred_at, payload=change)


class CrisisAlert(Contract):
    alert_id: UUID
    kind: Literal["negative_spike", "viral_negative_post"]
    status: Literal["active", "cleared"]
    subject: Annotated[str, Field(min_length=1, max_length=128)]
    """The topic or keyword of a spike, or the mention id of a viral post."""
    observed: float
    baseline: float
    threshold: float
    mention_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    case_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    window_start: AwareDatetime
    window_end: AwareDatetime
    changed_at: AwareDatetime
    acknowledged_by: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    """The agent who said "seen, on it" (the first one)."""
    acknowledged_at: AwareDatetime | None = None


class AlertChanged(Event):
    type: Literal["alert.changed"] = "alert.changed"
    schema_version: Literal[1] = 1
    payload: CrisisAlert

    @classmethod
    def of(cls, alert: CrisisAlert) -> "AlertChanged":
        acknowledged = alert.status == "active" and alert.acknowledged_at is not None
        step = "acknowledged" if acknowledged else alert.status
        return cls.caused_by(str(alert.alert_id), step, payload=alert, occurred_at=alert.changed_at)
