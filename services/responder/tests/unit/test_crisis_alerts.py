"""Crises (``use_cases.crisis_alerts``) on the fakes: a spike of negative authors or a viral
negative post raises an alert and moves the related cases to PR."""

from datetime import timedelta
from uuid import UUID

from rapport.events.factories import BASE_TIME
from rapport.testing import MovableClock
from responder.domain.case import PR
from responder.fakes import Fakes
from responder.ports import Ports
from responder.use_cases.case_intake import take_mention
from responder.use_cases.crisis_alerts import watch, watch_all

from .conftest import mention


async def complain(ports: Ports, fakes: Fakes, n: int, author: str = "", **fields: object) -> None:
    """Customer ``n`` (or ``author``) complains at minute ``n``, and the mention is watched."""
    enriched = mention(
        n, profile_id=UUID(int=500 + n), author=author or f"c{n}", intents=["complaint"], **fields
    )
    case = await take_mention(ports, enriched)
    await watch(ports, fakes.alerts, enriched.mention_event_id, enriched.mention, case)


async def test_a_spike_of_negative_authors_raises_one_alert_and_moves_its_cases(
    ports: Ports, fakes: Fakes
) -> None:
    await complain(ports, fakes, 1)
    await complain(ports, fakes, 2)
    await complain(ports, fakes, 2, author="c1")  # an author counts once
    assert fakes.alerts.published == []
    await complain(ports, fakes, 3)
    await complain(ports, fakes, 4)
    raised = {e.payload.subject: e.payload for e in fakes.alerts.published}
    assert set(raised) == {"all", "intent:complaint"}
    assert (raised["all"].observed, raised["all"].status) == (3, "active")
    assert {c.queue for c in fakes.cases.cases.values()} == {PR}  # the fourth joined it too
    changes = [e.payload.change for e in fakes.cases.published]
    assert changes.count("escalated") == 4


async def test_a_quiet_bucket_raises_nothing(ports: Ports, fakes: Fakes) -> None:
    for n in (1, 12, 23):  # three authors in three buckets
        await complain(ports, fakes, n)
    assert fakes.alerts.published == []
    assert {c.queue for c in fakes.cases.cases.values()} == {"support"}


async def test_a_negative_post_going_viral_alerts_and_goes_to_pr(
    ports: Ports, fakes: Fakes, clock: MovableClock
) -> None:
    clock.now = BASE_TIME + timedelta(minutes=31)
    await complain(ports, fakes, 1, engagement={"shares": 50})  # 50 in 30 min: 100/h
    (alert,) = [e.payload for e in fakes.alerts.published]
    assert (alert.kind, alert.observed) == ("viral_negative_post", 100.0)
    assert [c.queue for c in fakes.cases.cases.values()] == [PR]


async def test_watching_a_batch_counts_and_checks_once_with_the_same_outcome(
    ports: Ports, fakes: Fakes
) -> None:
    batch = [
        mention(n, profile_id=UUID(int=500 + n), author=f"c{n}", intents=["complaint"])
        for n in range(1, 5)
    ]
    watched = [(e.mention_event_id, e.mention, await take_mention(ports, e)) for e in batch]
    await watch_all(ports, fakes.alerts, watched)
    await watch_all(ports, fakes.alerts, watched)  # delivered again
    assert sorted(e.payload.subject for e in fakes.alerts.published) == ["all", "intent:complaint"]
    assert {c.queue for c in fakes.cases.cases.values()} == {PR}
