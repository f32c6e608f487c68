"""Negative counts and crisis alerts on the fake and on MongoDB."""

from datetime import timedelta
from uuid import UUID

import pytest

from rapport.events import CrisisAlert
from rapport.events.factories import BASE_TIME
from responder.domain.spikes import Negative

from .conftest import Backend

pytestmark = pytest.mark.integration


def negative(n: int, author: str, bucket: int, *subjects: str) -> Negative:
    case_id = UUID(int=n) if n % 2 else None
    return Negative(UUID(int=100 + n), author, case_id, list(subjects), bucket)


def alert(subject: str, status: str = "active", minutes: int = 0) -> CrisisAlert:
    return CrisisAlert(
        alert_id=UUID(int=hash(subject) % 1000),
        kind="negative_spike",
        status=status,
        subject=subject,
        observed=30,
        baseline=2,
        threshold=20,
        mention_ids=[],
        case_ids=[],
        window_start=BASE_TIME,
        window_end=BASE_TIME + timedelta(minutes=10),
        changed_at=BASE_TIME + timedelta(minutes=minutes),
    )


class TestAlertStore:
    async def test_each_author_counts_once_per_subject_and_bucket(self, backend: Backend) -> None:
        alerts = backend.alerts
        first = [negative(1, "x:ann", 7, "all", "intent:complaint"), negative(2, "x:bob", 7, "all")]
        assert await alerts.count_negatives(first) == 2
        again = [negative(1, "x:ann", 7, "all"), negative(3, "x:ann", 7, "all", "keyword:fire")]
        assert await alerts.count_negatives(again) == 1
        assert await alerts.count_negatives([negative(4, "x:ann", 8, "all")]) == 1
        counts, active = await alerts.window(
            "negative_spike", ["all", "keyword:fire", "none"], 0, 7
        )
        assert counts == {"all": {7: 2}, "keyword:fire": {7: 1}, "none": {}}
        assert active == []
        kept = await alerts.in_bucket("all", 7)
        assert sorted(n.mention_id for n in kept) == [UUID(int=101), UUID(int=102), UUID(int=103)]
        assert {n.mention_id: n.case_id for n in kept}[UUID(int=101)] == UUID(int=1)

    async def test_an_alert_is_saved_once_per_status(self, backend: Backend) -> None:
        alerts = backend.alerts
        raised = alert("all")
        assert await alerts.save(raised)
        assert not await alerts.save(raised)
        assert await alerts.get(raised.alert_id) == raised
        _, active = await alerts.window("negative_spike", ["all"], 0, 1)
        assert active == [raised]
        cleared = alert("all", "cleared", minutes=5)
        assert await alerts.save(cleared)
        assert await alerts.save(alert("keyword:fire", minutes=1))
        assert [a.subject for a in await alerts.list(None, 0, 10)] == ["all", "keyword:fire"]
        assert [a.subject for a in await alerts.list("active", 0, 10)] == ["keyword:fire"]
        assert (await alerts.window("negative_spike", ["all"], 0, 1))[1] == []

    async def test_the_first_acknowledgement_stays_through_a_clear(self, backend: Backend) -> None:
        alerts = backend.alerts
        raised = alert("all")
        await alerts.save(raised)
        seen_at = BASE_TIME + timedelta(minutes=3)
        seen = await alerts.acknowledge(raised.alert_id, "ann", seen_at)
        assert seen is not None
        assert (seen.status, seen.acknowledged_by, seen.acknowledged_at) == (
            "active",
            "ann",
            seen_at,
        )
        assert seen.changed_at == seen_at
        again = await alerts.acknowledge(raised.alert_id, "bob", seen_at + timedelta(minutes=1))
        assert again == seen
        assert await alerts.acknowledge(UUID(int=999_999), "ann", seen_at) is None
        assert await alerts.save(alert("all", "cleared", minutes=5))  # a copy without the ack
        cleared = await alerts.get(raised.alert_id)
        assert cleared is not None
        assert (cleared.status, cleared.acknowledged_by) == ("cleared", "ann")
        assert await alerts.acknowledge(raised.alert_id, "bob", seen_at) == cleared
