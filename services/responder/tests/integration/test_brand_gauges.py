"""The brand measures as gauges: mood, advocacy and handoff of the last day, from the real
stores."""

import math
from datetime import timedelta

import pytest

from rapport.mongo import Database
from rapport.testing import metric, unique
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.ports import Ports
from responder.use_cases.brand_gauges import measure
from responder.use_cases.case_intake import take_mention

from .conftest import Clock, enriched

pytestmark = pytest.mark.integration


def gauge(name: str, **labels: str) -> float:
    found = metric(name, **labels)
    assert found is not None, name
    return found


async def test_the_gauges_measure_mood_advocacy_and_handoff_of_the_last_day(
    ports: Ports, mongo_db: Database, clock: Clock
) -> None:
    health = MongoBrandHealth(mongo_db)
    complaint = enriched(1, intents=["complaint"], external_id=unique("ext"))
    praise = [enriched(n, score=0.9, intents=["praise"]) for n in (2, 3)]
    shrug = enriched(4, score=0.0)
    for mention in (complaint, *praise, shrug):
        await health.record(mention.payload)
    case = await take_mention(ports, complaint.payload)
    assert case is not None

    await measure(ports, health)
    assert gauge("rapport_brand_mentions", sentiment="positive") == 2
    assert gauge("rapport_brand_mentions", sentiment="negative") == 1
    assert gauge("rapport_brand_mentions", sentiment="neutral") == 1
    assert gauge("rapport_brand_net_sentiment") == pytest.approx(1 / 3, abs=1e-3)
    assert gauge("rapport_brand_advocacy_share") == 0.5
    assert gauge("rapport_handoff_backlog") == 1
    assert math.isnan(gauge("rapport_handoff_within_sla_share"))  # not due yet
    assert math.isnan(gauge("rapport_handoff_first_response_seconds", stat="median"))

    clock.now = case.opened_at + timedelta(hours=2)  # its first response is overdue
    await measure(ports, health)
    assert gauge("rapport_handoff_within_sla_share") == 0

    clock.now = case.opened_at + timedelta(days=2)  # out of the window
    await measure(ports, health)
    assert gauge("rapport_brand_mentions", sentiment="negative") == 0
    assert gauge("rapport_handoff_backlog") == 0
