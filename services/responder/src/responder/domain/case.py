"""A case: the mentions of one customer that wait for the brand, its state and its clocks.

States: open (in a queue) → assigned (an agent holds it) → waiting_on_customer (answered) →
resolved; a customer's new message sends a waiting case back, and one within the reopen
window after resolution reopens it (without its former agent). Time waiting on the customer
pauses the SLA clocks (``domain.sla_clocks``). A case opened from history (older than the live
window) is never active: it is measured, never worked. The pure transitions here return the
changed case; ``settle`` recomputes the response clock and the SLA clocks.
"""

from datetime import datetime, timedelta
from typing import get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from rapport.events import CaseState, Intent, Priority
from rapport.events.cases import CaseChangeKind, SlaTarget
from responder.domain.clock import response_clock
from responder.domain.routing import HIGH_REACH
from responder.domain.sla import Policies
from responder.domain.sla_clocks import (
    Pause,
    SlaClock,
    clock,
    next_response_round,
    pause,
    paused_since,
    paused_total,
    resume,
)

MAX_CAUSES = 500
SUPERVISOR, PR = "supervisor", "pr"
TARGETS: tuple[SlaTarget, ...] = get_args(SlaTarget)


class Breach(BaseModel):
    target: SlaTarget
    due: datetime
    detected_at: datetime


class Case(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: UUID = Field(alias="_id")
    profile_id: UUID
    state: CaseState = CaseState.OPEN
    active: bool = True
    """Not resolved: at most one active case per profile (a unique partial index)."""
    queue: str
    skills: list[str] = Field(default_factory=list)
    priority: Priority
    priority_score: float
    intents: list[Intent] = Field(default_factory=list)
    language: str | None = None
    platform: str
    author_id: str
    handle: str | None = None
    customer_name: str | None = None
    """The author's display name on the platform, when the first mention carried one."""
    reach: int = 0
    assignee: str | None = None
    mention_ids: list[UUID] = Field(default_factory=list)
    conversation_ids: list[str] = Field(default_factory=list)
    external_ids: list[str] = Field(default_factory=list)
    customer_at: list[datetime] = Field(default_factory=list)
    responded_at: list[datetime] = Field(default_factory=list)
    opened_at: datetime
    cycle_start: datetime
    """Opened or last reopened: the resolution clock starts here."""
    first_response_at: datetime | None = None
    last_response_at: datetime | None = None
    awaiting_since: datetime | None = None
    resolved_at: datetime | None = None
    pauses: list[Pause] = Field(default_factory=list)
    """The times the case waited on the customer: they do not count against the SLA."""
    paused_s: float = 0.0
    paused_since: datetime | None = None
    clocks: dict[SlaTarget, SlaClock] = Field(default_factory=dict)
    due: dict[SlaTarget, datetime] = Field(default_factory=dict)
    """The clocks' due times (a paused clock has none)."""
    next_due: datetime | None = None
    """The earliest due time that may still be breached: what the breach scanner looks for."""
    breaches: list[Breach] = Field(default_factory=list)
    historical: bool = False
    """Opened from posts older than the live window: measured, never active, never scanned."""
    sequence: int = 0
    causes: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    """Agents' labels, written only by ``CaseStore.tag``/``untag``: a case change stores
    everything but them, so it never undoes a tag written meanwhile."""

    def document(self) -> dict[str, object]:
        return self.model_dump(by_alias=True)


Changes = list[tuple[CaseChangeKind, SlaTarget | None]]
"""What happened to a case in one step: each becomes a ``case.changed`` event, in order."""


def caused(case: Case, cause: str) -> Case:
    return case.model_copy(update={"causes": [*case.causes, cause][-MAX_CAUSES:]})


def _working_state(case: Case) -> CaseState:
    return CaseState.ASSIGNED if case.assignee else CaseState.OPEN


def reopens(case: Case, now: datetime, window: timedelta) -> bool:
    """A resolved case takes its customer's new message if it was resolved within the window."""
    return case.resolved_at is not None and now - case.resolved_at <= window


def add_customer_message(
    case: Case, mention_id: UUID, external_id: str, conversation: str | None, at: datetime
) -> Case:
    reopened = case.state is CaseState.RESOLVED
    conversations = {*case.conversation_ids, *([conversation] if conversation else [])}
    update: dict[str, object] = {
        "mention_ids": [*case.mention_ids, mention_id],
        "external_ids": [*case.external_ids, external_id],
        "conversation_ids": sorted(conversations),
        "customer_at": [*case.customer_at, at],
    }
    if reopened:
        update |= {"assignee": None, "resolved_at": None, "active": True, "cycle_start": at}
    elif case.state is CaseState.WAITING_ON_CUSTOMER:
        update |= {"pauses": resume(case.pauses, at)}
    else:  # an earlier message arriving late (imports are not in time order) moves the start
        update |= {"opened_at": min(case.opened_at, at), "cycle_start": min(case.cycle_start, at)}
    updated = case.model_copy(update=update)
    return updated.model_copy(update={"state": _working_state(updated)})


def add_response(case: Case, at: datetime) -> Case:
    return case.model_copy(update={"responded_at": sorted([*case.responded_at, at])})


def assign(case: Case, agent: str | None) -> Case:
    updated = case.model_copy(update={"assignee": agent})
    if case.state in (CaseState.OPEN, CaseState.ASSIGNED):
        updated = updated.model_copy(update={"state": _working_state(updated)})
    return updated


def resolve(case: Case, now: datetime) -> Case:
    return case.model_copy(
        update={
            "state": CaseState.RESOLVED,
            "active": False,
            "resolved_at": now,
            "pauses": resume(case.pauses, now),
        }
    )


def wait_on_customer(case: Case, at: datetime) -> Case:
    """Waiting on the customer from ``at``: the SLA clocks pause until they write again."""
    return case.model_copy(
        update={"state": CaseState.WAITING_ON_CUSTOMER, "pauses": pause(case.pauses, at)}
    )


def escalation_queue(case: Case) -> str | None:
    """Breached: to the supervisors; breached again with a large audience: to PR."""
    if case.queue not in (SUPERVISOR, PR):
        return SUPERVISOR
    if case.queue == SUPERVISOR and case.reach >= HIGH_REACH:
        return PR
    return None


def _met(case: Case, target: SlaTarget) -> datetime | None:
    found = case.clocks.get(target)
    if found is not None:
        return found.met_at
    # A case stored before it had clocks (until its next change settles it).
    if target == "first_response":
        return case.first_response_at or case.resolved_at
    return case.resolved_at if target == "resolution" else None


def _recorded(case: Case) -> set[tuple[str, datetime]]:
    return {(b.target, b.due) for b in case.breaches}


def open_breaches(case: Case, now: datetime | None = None) -> list[tuple[SlaTarget, datetime]]:
    """Targets missed (due before ``now``, or met late) and not yet recorded."""
    found = []
    for target, due in case.due.items():
        met = _met(case, target)
        late = (met is None and (now is None or due <= now)) or (met is not None and met > due)
        if late and (target, due) not in _recorded(case):
            found.append((target, due))
    return sorted(found, key=lambda item: item[1])


def _clocks(case: Case, policies: Policies) -> dict[SlaTarget, SlaClock]:
    policy = policies[case.priority]
    first_met = case.first_response_at or case.resolved_at
    clocks: dict[SlaTarget, SlaClock] = {
        "first_response": clock(
            case.opened_at,
            policy.add(case.opened_at, policy.first_response),
            first_met,
            case.pauses,
        ),
        "resolution": clock(
            case.cycle_start,
            policy.add(case.cycle_start, policy.resolution),
            case.resolved_at,
            case.pauses,
        ),
    }
    found = next_response_round(case.customer_at, case.responded_at, case.first_response_at)
    if found is not None:
        started, met = found
        due = policy.add(started, policy.next_response)
        clocks["next_response"] = clock(started, due, met or case.resolved_at, case.pauses)
    return clocks


def settle(case: Case, policies: Policies) -> Case:
    """Recompute the response clock, state after an answer, the SLA clocks, their due times
    and ``next_due``."""
    response = response_clock(case.customer_at, case.responded_at)
    case = case.model_copy(
        update={
            "first_response_at": response.first_response_at,
            "last_response_at": response.last_response_at,
            "awaiting_since": response.awaiting_since,
        }
    )
    answered = response.last_response_at is not None and response.awaiting_since is None
    if answered and case.state in (CaseState.OPEN, CaseState.ASSIGNED):
        assert response.last_response_at is not None
        case = wait_on_customer(case, response.last_response_at)
    clocks = _clocks(case, policies)
    case = case.model_copy(
        update={
            "clocks": clocks,
            "due": {target: c.due for target, c in clocks.items() if c.due is not None},
            "paused_s": paused_total(case.pauses),
            "paused_since": paused_since(case.pauses),
        }
    )
    pending = [d for _, d in open_breaches(case)]
    next_due = None if case.historical else min(pending, default=None)
    return case.model_copy(update={"next_due": next_due})
