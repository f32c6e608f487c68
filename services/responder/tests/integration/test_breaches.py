"""SLA breaches found by the scanner worker of a running responder, also after a restart."""

from datetime import timedelta

import pytest

from rapport.events.factories import BASE_TIME
from rapport.mongo import Database
from rapport.testing import eventually, metric, unique
from responder.domain.case import Case
from responder.ports import Ports
from responder.use_cases.case_intake import take_mention
from responder.use_cases.sla_breaches import scan

from .conftest import Clock, Serve, enriched, events_of

pytestmark = pytest.mark.integration
OPENED = BASE_TIME + timedelta(minutes=1)
DUE = OPENED + timedelta(minutes=60)  # a normal-priority complaint: first response in 60 min


async def stored(ports: Ports, case: Case) -> Case:
    found = await ports.cases.get(case.id)
    assert found is not None
    return found


async def test_a_breach_is_detected_after_a_restart_and_published_once(
    serve: Serve, mongo_db: Database
) -> None:
    clock = Clock(OPENED + timedelta(minutes=30))
    breaches_before = _counted("rapport_sla_breaches_total", target="first_response")
    scans_before = _counted("rapport_sla_scan_seconds_count")
    async with serve(clock, scan_interval_s=0.05) as (app, _):
        complaint = enriched(1, intents=["complaint"], external_id=unique("ext"))
        case = await take_mention(app.state.ports, complaint.payload)
        assert case is not None
        assert case.next_due == DUE
        clock.now = DUE - timedelta(seconds=1)
        await scan(app.state.ports, batch=10, auto_assign=False)
        assert (await stored(app.state.ports, case)).breaches == []

    clock.now = DUE  # while responder was down
    async with serve(clock, scan_interval_s=0.05) as (app, _):
        ports = app.state.ports
        breached = await eventually(lambda: _breached(ports, case))
        assert [(b.target, b.due) for b in breached.breaches] == [("first_response", DUE)]
        assert breached.queue == "supervisor"
        for _ in range(3):
            await scan(ports, batch=10, auto_assign=False)

    async with serve(clock, scan_interval_s=0.05) as (app, _):
        await scan(app.state.ports, batch=10, auto_assign=False)
        assert len((await stored(app.state.ports, case)).breaches) == 1

    changes = [
        (c["sequence"], c["change"], c["breached"]) for c in await events_of(mongo_db, case.id)
    ]
    assert changes == [
        (1, "opened", None),
        (2, "sla_breached", "first_response"),
        (3, "escalated", None),
    ]
    breaches = _counted("rapport_sla_breaches_total", target="first_response")
    assert breaches - breaches_before == 1  # recorded once, however often it was scanned
    assert _counted("rapport_sla_scan_seconds_count") - scans_before >= 6


def _counted(name: str, **labels: str) -> float:
    return metric(name, **labels) or 0.0


async def _breached(ports: Ports, case: Case) -> Case | None:
    found = await stored(ports, case)
    return found if found.breaches else None
