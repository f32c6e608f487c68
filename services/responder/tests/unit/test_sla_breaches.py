"""SLA breaches (``use_cases.sla_breaches``) on the fakes: recorded once, escalated."""

from datetime import timedelta

from rapport.events.factories import BASE_TIME
from rapport.testing import MovableClock
from responder.domain.agents import AgentIn
from responder.domain.case import SUPERVISOR
from responder.fakes import Fakes
from responder.ports import Ports
from responder.use_cases.case_intake import take_mention
from responder.use_cases.sla_breaches import scan

from .conftest import mention


async def test_a_missed_first_response_is_recorded_once_and_escalates(
    ports: Ports, fakes: Fakes, clock: MovableClock
) -> None:
    case = await take_mention(ports, mention(1, intents=["complaint"]))
    assert case is not None
    assert case.next_due is not None
    clock.now = case.next_due - timedelta(seconds=1)
    assert await scan(ports, batch=10, auto_assign=False) == 0
    clock.now = case.next_due
    assert await scan(ports, batch=10, auto_assign=False) == 1
    breached = await fakes.cases.get(case.id)
    assert breached is not None
    assert [b.target for b in breached.breaches] == ["first_response"]
    assert breached.queue == SUPERVISOR
    changes = [e.payload.change for e in fakes.cases.published]
    assert changes == ["opened", "sla_breached", "escalated"]
    await scan(ports, batch=10, auto_assign=False)
    assert len(fakes.cases.published) == 3


async def test_history_is_never_scanned(ports: Ports, fakes: Fakes, clock: MovableClock) -> None:
    old = BASE_TIME - timedelta(days=30)
    case = await take_mention(ports, mention(1, intents=["complaint"], created_at=old))
    assert case is not None
    assert (case.historical, case.active) == (True, False)
    assert case.next_due is None
    clock.now = BASE_TIME + timedelta(days=30)
    assert await scan(ports, batch=10, auto_assign=False) == 0


async def test_the_scan_assigns_waiting_cases_when_asked(ports: Ports, fakes: Fakes) -> None:
    await fakes.agents.put("ann", AgentIn(name="Ann", skills=["support"], capacity=3))
    case = await take_mention(ports, mention(1, intents=["complaint"]))
    assert case is not None
    await scan(ports, batch=10, auto_assign=False)
    assert (await fakes.cases.get(case.id)).assignee is None  # type: ignore[union-attr]
    await scan(ports, batch=10, auto_assign=True)
    assert (await fakes.cases.get(case.id)).assignee == "ann"  # type: ignore[union-attr]
