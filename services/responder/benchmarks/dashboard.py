"""The dashboard's cost on the real test MongoDB: recording mention facts one by one (as the
consumer does), then answering ``GET /v1/dashboard`` (the route function itself) over ranges
of one, seven, thirty and ninety days:

    RAPPORT_TEST_PORT_OFFSET=400 .venv/bin/python services/responder/benchmarks/dashboard.py [N]

N facts (default 100000) spread evenly over 90 days, from N/5 authors; the first 5000 are
recorded through ``BrandHealth.record``, the rest inserted in bulk to save time.
"""

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from uuid import UUID

from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from conftest import MONGO  # noqa: E402
from rapport.events import MentionEnriched, ProfileSnapshot, RelationshipStage  # noqa: E402
from rapport.events.factories import BASE_TIME, ingested  # noqa: E402
from rapport.mongo import ensure_indexes  # noqa: E402
from rapport.testing import unique  # noqa: E402
from responder.adapters.brand_health_store import MongoBrandHealth  # noqa: E402
from responder.api.dashboard import dashboard  # noqa: E402
from responder.domain.brand_health import is_advocacy  # noqa: E402
from responder.migrations import INDEXES  # noqa: E402

SPAN = timedelta(days=90)
RECORDED = 5000


def fact(n: int, count: int) -> MentionEnriched:
    author = n % max(count // 5, 1)
    score = (-0.8, 0.0, 0.7)[n % 3]
    snapshot = ProfileSnapshot(
        profile_id=UUID(int=author + 1),
        stage=RelationshipStage.FAN,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME,
    )
    created = BASE_TIME - SPAN + SPAN * n / count
    fields = {"created_at": created, "intents": ["praise"] if n % 6 == 2 else []}
    return MentionEnriched.of(ingested(n, author=f"a{author}", score=score, **fields), snapshot)


async def main(count: int) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard"
    )
    name = unique("bench").replace("-", "_")
    db = client[name]
    try:
        await ensure_indexes(db, INDEXES)
        store = MongoBrandHealth(db)
        events = [fact(n, count) for n in range(count)]
        started = time.perf_counter()
        for event in events[:RECORDED]:
            await store.record(event.payload)
        elapsed = time.perf_counter() - started
        print(f"record: {RECORDED} facts in {elapsed:.1f} s, {RECORDED / elapsed:.0f}/s")
        rest = [
            {
                "_id": e.payload.mention_event_id,
                "at": e.payload.mention.created_at,
                "sentiment": e.payload.mention.sentiment.label.value,
                "advocacy": is_advocacy(e.payload.mention),
                "profile_id": str(e.payload.profile.profile_id),
                "stage": "fan",
            }
            for e in events[RECORDED:]
        ]
        if rest:
            await db["mention_facts"].insert_many(rest)
        ports = SimpleNamespace(clock=lambda: BASE_TIME)
        for days in (1, 7, 30, 90):
            since = BASE_TIME - timedelta(days=days)
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                board = await dashboard(ports, store, since, BASE_TIME)  # type: ignore[arg-type]
                runs.append(time.perf_counter() - started)
            runs.sort()
            print(
                f"dashboard {days:>2} d: {board.totals.mentions:>6} mentions, "
                f"median {runs[2] * 1000:.0f} ms, worst {runs[-1] * 1000:.0f} ms"
            )
    finally:
        await client.drop_database(name)
        await client.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
