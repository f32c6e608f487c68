"""A notice: one thing people must hear about, with an id that is the same each time it is
derived (an alert in one status, one breached SLA target of a case)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from rapport.events import CrisisAlert, deterministic_id
from responder.domain.case import PR, Case

NoticeKind = Literal["crisis", "sla"]
CRISIS_QUEUE = PR
"""Crisis alerts have no queue of their own: they go to the queue their cases are moved to."""


class Notice(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    kind: NoticeKind
    queue: str
    subject: str
    """The alert's topic (or viral mention id), or the case id."""
    phase: str
    """crisis: the alert's status; sla: the missed target."""
    opening: bool
    """The first message about it; a later one (an alert cleared) is an update."""
    facts: dict[str, str | float | int]
    at: datetime


def of_alert(alert: CrisisAlert) -> Notice:
    return Notice(
        id=deterministic_id("notice", "alert", str(alert.alert_id), alert.status),
        kind="crisis",
        queue=CRISIS_QUEUE,
        subject=alert.subject,
        phase=alert.status,
        opening=alert.status == "active",
        facts={
            "alert": alert.kind,
            "observed": alert.observed,
            "baseline": alert.baseline,
            "threshold": alert.threshold,
            "cases": len(alert.case_ids),
            "since": alert.window_start.isoformat(timespec="minutes"),
        },
        at=alert.changed_at,
    )


def of_breaches(case: Case, since: datetime) -> list[Notice]:
    """One notice per SLA target of the case found missed at or after ``since``."""
    return [
        Notice(
            id=deterministic_id("notice", "sla", str(case.id), b.target, b.due.isoformat()),
            kind="sla",
            queue=case.queue,
            subject=str(case.id),
            phase=b.target,
            opening=True,
            facts={
                "due": b.due.isoformat(timespec="minutes"),
                "priority": case.priority.value,
                "platform": case.platform,
            },
            at=b.detected_at,
        )
        for b in case.breaches
        if b.detected_at >= since
    ]
