"""Cost of one negative mention in responder when a crisis window is full: W negatives (default
5000) already counted over the four hours of history, then M (default 200) negative mentions
from new authors handled one after another by the mention handler, on the real test MongoDB:

    RAPPORT_TEST_PORT_OFFSET=200 .venv/bin/python services/responder/benchmarks/crisis.py [W] [M]

Prints, per measured mention, the median and 95th percentile time of the crisis check alone and
of the whole handler, and the MongoDB round trips of each (commands sent, counted by a pymongo
``CommandListener``; a transaction's commit is one). The history stays below the spike threshold
so no alert is raised: this is the steady cost every negative mention pays.
"""

import asyncio
import statistics
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from conftest import MONGO  # noqa: E402
from rapport.events import MentionEnriched, ProfileSnapshot, RelationshipStage  # noqa: E402
from rapport.events.factories import BASE_TIME, ingested  # noqa: E402
from rapport.mongo import ensure_indexes  # noqa: E402
from rapport.testing import MongoCommands, unique  # noqa: E402
from responder.adapters.alert_store import MongoAlerts  # noqa: E402
from responder.adapters.brand_health_store import MongoBrandHealth  # noqa: E402
from responder.domain.brand_health import counted  # noqa: E402
from responder.domain.priority import Weights  # noqa: E402
from responder.domain.spikes import SpikeRule  # noqa: E402
from responder.main import mongo_ports  # noqa: E402
from responder.migrations import INDEXES  # noqa: E402
from responder.settings import ResponderSettings  # noqa: E402
from responder.use_cases import crisis_alerts  # noqa: E402
from responder.use_cases.case_intake import take_mention  # noqa: E402

SUBJECTS = ["all", "intent:complaint"]


def negative(n: int, run: str, minutes: float) -> MentionEnriched:
    snapshot = ProfileSnapshot(
        profile_id=UUID(int=1_000_000 + n),
        stage=RelationshipStage.CASUAL_COMMENTER,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME,
    )
    fields = {
        "author": f"new{n}",
        "external_id": f"{run}-{n}",
        "conversation_id": f"{run}-c{n}",
        "intents": ["complaint"],
        "score": -0.6,
        "created_at": BASE_TIME + timedelta(minutes=minutes),
    }
    return MentionEnriched.of(ingested(n, **fields), snapshot)


def summary(values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20)[-1]
    return f"median {statistics.median(values):.2f}, p95 {p95:.2f}"


async def main(window: int = 5000, measured: int = 200) -> None:
    trips = MongoCommands()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard", event_listeners=[trips]
    )
    name = unique("bench").replace("-", "_")
    db = client[name]
    rule = SpikeRule()
    try:
        await ensure_indexes(db, INDEXES)
        now = BASE_TIME + timedelta(minutes=5)
        ports = replace(
            mongo_ports(db, ResponderSettings(), lambda: now),
            weights=Weights(),
            reopen_window=timedelta(hours=72),
            spikes=rule,
        )
        alerts, health = MongoAlerts(db), MongoBrandHealth(db)
        current = rule.bucket_of(now)
        for n in range(window):  # spread evenly over the history, one author each
            bucket = current - rule.history + n % rule.history
            await alerts.count_negative(UUID(int=n + 1), f"x:old{n}", None, SUBJECTS, bucket)
        watch_ms, total_ms, watch_trips, total_trips = [], [], [], []
        for n in range(measured):
            event = negative(n, name, minutes=n * 9 / measured)
            start, sent = time.perf_counter(), trips.total()
            case = await take_mention(ports, event.payload)
            checked, checked_sent = time.perf_counter(), trips.total()
            mention = event.payload.mention
            await crisis_alerts.watch(ports, alerts, event.payload.mention_event_id, mention, case)
            watched, watched_sent = time.perf_counter(), trips.total()
            if counted(mention):
                await health.record(event.payload)
            watch_ms.append((watched - checked) * 1000)
            total_ms.append((time.perf_counter() - start) * 1000)
            watch_trips.append(watched_sent - checked_sent)
            total_trips.append(trips.total() - sent)
        alerted = await db["alerts"].count_documents({})
        print(f"responder from {Path(crisis_alerts.__file__).parents[1]}")
        print(f"{window} negatives in the window, {measured} measured, {alerted} alerts raised")
        print(f"crisis check ms: {summary(watch_ms)}")
        print(f"whole handler ms: {summary(total_ms)}")
        print(
            f"round trips per mention: crisis check {statistics.median(watch_trips):.0f}, "
            f"whole handler {statistics.median(total_trips):.0f}"
        )
    finally:
        await client.drop_database(name)
        await client.close()


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*arguments))
