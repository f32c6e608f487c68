"""Routing throughput of responder's mention handler alone (triage, priority, routing,
threading, crisis counting, the case and its event stored in one transaction), on the real
test MongoDB, without Kafka:

    RAPPORT_TEST_PORT_OFFSET=200 .venv/bin/python services/responder/benchmarks/routing.py [N]

N enriched mentions (default 2000) from N/4 authors: a quarter open cases, the rest thread
into them; a fifth are brand replies. Handled one after another, as one consumer partition is.
"""

import asyncio
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
from rapport.testing import unique  # noqa: E402
from responder.adapters.alert_store import MongoAlerts  # noqa: E402
from responder.adapters.brand_health_store import MongoBrandHealth  # noqa: E402
from responder.domain.priority import Weights  # noqa: E402
from responder.domain.spikes import SpikeRule  # noqa: E402
from responder.handlers import on_mention_enriched  # noqa: E402
from responder.main import mongo_ports  # noqa: E402
from responder.migrations import INDEXES  # noqa: E402
from responder.settings import ResponderSettings  # noqa: E402


def mentions(count: int, run: str) -> list[MentionEnriched]:
    events = []
    authors = max(1, count // 4)
    for n in range(count):
        author = n % authors
        brand = n % 5 == 4
        snapshot = ProfileSnapshot(
            profile_id=UUID(int=10_000 + author),
            stage=RelationshipStage.CASUAL_COMMENTER,
            mention_count=1,
            first_seen=BASE_TIME,
            last_seen=BASE_TIME,
        )
        fields = {
            "author": "brand" if brand else f"a{author}",
            "external_id": f"{run}-{n}",
            "conversation_id": f"{run}-c{author}",
            "intents": ["other"] if brand else ["complaint"],
            "score": 0.3 if brand else -0.6,
            "from_brand": brand,
            "created_at": BASE_TIME + timedelta(seconds=30 * n),
        }
        events.append(MentionEnriched.of(ingested(n, **fields), snapshot))
    return events


async def main(count: int) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard"
    )
    name = unique("bench").replace("-", "_")
    db = client[name]
    try:
        await ensure_indexes(db, INDEXES)
        ports = replace(
            mongo_ports(db, ResponderSettings(), lambda: BASE_TIME + timedelta(days=1)),
            weights=Weights(),
            reopen_window=timedelta(hours=72),
            spikes=SpikeRule(),
        )
        alerts, health = MongoAlerts(db), MongoBrandHealth(db)
        events = mentions(count, name)
        started = time.perf_counter()
        for event in events:
            await on_mention_enriched(event, ports=ports, alerts=alerts, health=health)
        elapsed = time.perf_counter() - started
        cases = await db["cases"].count_documents({})
        print(f"{count} mentions in {elapsed:.1f} s: {count / elapsed:.0f} mentions/s")
        print(f"{cases} cases opened, {cases / elapsed:.0f} cases/s")
    finally:
        await client.drop_database(name)
        await client.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
