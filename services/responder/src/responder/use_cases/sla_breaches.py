"""SLA breaches: finds SLA targets whose due time passed (due times are stored on the
cases, so a restart loses none), records each breach once, publishes it and escalates the
case; then assigns waiting cases to agents when automatic assignment is on."""

import time

from prometheus_client import Counter, Histogram

from responder.domain.case import Breach, Case, Changes, escalation_queue, open_breaches
from responder.ports import Ports
from responder.use_cases.case_actions import assign_waiting
from responder.use_cases.case_changes import Step, change

SCAN_SECONDS = Histogram("rapport_sla_scan_seconds", "How long one pass of the SLA scanner takes")
BREACHES = Counter("rapport_sla_breaches_total", "SLA targets missed, as recorded", ["target"])


async def record_breaches(ports: Ports, case: Case) -> Case:
    recorded: list[Breach] = []

    async def decide(current: Case) -> Step | None:
        now = ports.clock()
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

    changed = await change(ports, case.id, decide)
    for breach in recorded:
        BREACHES.labels(breach.target).inc()
    return changed


async def scan(ports: Ports, *, batch: int, auto_assign: bool) -> int:
    """One pass; how many cases had breaches to record."""
    started = time.perf_counter()
    due = await ports.cases.due(ports.clock(), batch)
    for case in due:
        await record_breaches(ports, case)
    if auto_assign:
        await assign_waiting(ports, batch)
    SCAN_SECONDS.observe(time.perf_counter() - started)
    return len(due)
