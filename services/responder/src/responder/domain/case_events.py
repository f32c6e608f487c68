"""A case change and the ``case.changed`` events it publishes, one per step, numbered by the
case's sequence."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opentelemetry.context import Context

from rapport.events import CaseChange, CaseChanged
from responder.domain.case import Case, Changes


def change_of(case: Case, kind: str, sequence: int, at: datetime, breached: Any) -> CaseChange:
    return CaseChange.model_validate(
        {
            **case.model_dump(include=set(CaseChange.model_fields)),
            "case_id": case.id,
            "sequence": sequence,
            "change": kind,
            "mention_ids": case.mention_ids[-1000:],
            "breached": breached,
            "changed_at": at,
        }
    )


@dataclass(frozen=True)
class Changed:
    """A case changed from sequence ``before``, and its events, in order."""

    case: Case
    before: int
    events: list[CaseChanged]
    trace: Context | None = None
    """The trace its events' outbox rows carry (default: the current one)."""


def changed(case: Case, changes: Changes, at: datetime) -> Changed:
    """The case (read at ``case.sequence``) after ``changes``, each an event."""
    before = case.sequence
    case = case.model_copy(update={"sequence": before + len(changes)})
    events = [
        CaseChanged.of(change_of(case, kind, before + n, at, breached))
        for n, (kind, breached) in enumerate(changes, start=1)
    ]
    return Changed(case, before, events)
