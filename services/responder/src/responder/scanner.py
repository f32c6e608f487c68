"""The periodic scanner: finds SLA targets whose due time passed (due times are stored on the
cases, so a restart loses none), records each breach once, publishes it and escalates the
case; then assigns waiting cases to agents when automatic assignment is on."""

import logging
import time

from prometheus_client import Counter, Histogram

from rapport.workers import Poller
from responder.actions import assign_waiting
from responder.desk import Desk, Step
from responder.domain.case import Breach, Case, Changes, escalation_queue, open_breaches

log = logging.getLogger(__name__)
SCAN_SECONDS = Histogram("rapport_sla_scan_seconds", "How long one pass of the SLA scanner takes")
BREACHES = Counter("rapport_sla_breaches_total", "SLA targets missed, as recorded", ["target"])


async def record_breaches(desk: Desk, case: Case) -> Case:
    recorded: list[Breach] = []

    async def decide(current: Case) -> Step | None:
        now = desk.clock()
        missed = open_breaches(current, now)
        recorded.clear()
        if not missed:
            return None
        changes: Changes = [("sla_breached", target) for target, _ in missed]
        breaches = [Breach(target=t, due=due, detected_at=now) for t, due in missed]
        recorded.extend(breaches)
        updated = current.model_copy(update={"breaches": [*current.breaches, *breaches]})
        queue = escalation_queue(updated) if updated.active else None
        if queue is not None:
            updated = updated.model_copy(update={"queue": queue})
            changes.append(("escalated", None))
        return Step(updated, changes)

    changed = await desk.change(case.id, decide)
    for breach in recorded:
        BREACHES.labels(breach.target).inc()
    return changed


async def scan(desk: Desk, *, batch: int, auto_assign: bool) -> int:
    """One pass; how many cases had breaches to record."""
    started = time.perf_counter()
    due = await desk.cases.due(desk.clock(), batch)
    for case in due:
        await record_breaches(desk, case)
    if auto_assign:
        await assign_waiting(desk, batch)
    SCAN_SECONDS.observe(time.perf_counter() - started)
    return len(due)


class Scanner(Poller):
    def __init__(self, desk: Desk, *, interval_s: float, batch: int, auto_assign: bool) -> None:
        super().__init__(interval_s)
        self._desk = desk
        self._batch = batch
        self._auto_assign = auto_assign

    async def step(self) -> bool:
        await scan(self._desk, batch=self._batch, auto_assign=self._auto_assign)
        return False
