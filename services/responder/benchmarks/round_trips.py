"""MongoDB commands responder sends per event it handles, per command name, and the CPU it
spends, on the real test MongoDB (``make test``'s, shifted by RAPPORT_TEST_PORT_OFFSET):

    RAPPORT_TEST_PORT_OFFSET=300 .venv/bin/python services/responder/benchmarks/round_trips.py [N]

Each kind of event is handled N times (default 200) by responder's own handlers, after one of
each has warmed the configuration caches: a negative complaint of a new author (opens a case),
one more of the same author (joins it), complaints of new authors in a crisis (one a second: a
negative spike, so each case also moves to the PR queue), a positive and a neutral mention,
and ``ProfileChanged`` for a segment change, a stage change and a profile becoming a fan.
Prints the mean commands per event by name, and CPU-seconds per 1,000 events of this process
(the handlers and PyMongo) and of the test's mongod (from /proc; it also serves whatever else
runs against it). ``results/`` keeps the figures before and after issue 12.
"""

import asyncio
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from pymongo import AsyncMongoClient

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "deploy" / "local"))

from local_procs import running_pid  # noqa: E402
from local_profile import PROFILES  # noqa: E402

from benchmarks.measures import cpu_s  # noqa: E402
from conftest import MONGO  # noqa: E402
from rapport.events import (  # noqa: E402
    MentionEnriched,
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
)
from rapport.events.factories import BASE_TIME, ingested  # noqa: E402
from rapport.kafka.consumer import dispatch  # noqa: E402
from rapport.mongo import Database, ensure_indexes  # noqa: E402
from rapport.testing import MongoCommands, unique  # noqa: E402
from responder.adapters.alert_store import MongoAlerts  # noqa: E402
from responder.adapters.brand_health_store import MongoBrandHealth  # noqa: E402
from responder.handlers import event_handlers  # noqa: E402
from responder.main import mongo_ports  # noqa: E402
from responder.migrations import INDEXES  # noqa: E402
from responder.settings import ResponderSettings  # noqa: E402

Make = Callable[[int], Any]


def snapshot(author: int, stage: RelationshipStage, minutes: float = 0) -> ProfileSnapshot:
    return ProfileSnapshot(
        profile_id=UUID(int=author),
        stage=stage,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME + timedelta(minutes=minutes),
    )


def mention(run: str, kind: str, author: int, n: int, **fields: Any) -> MentionEnriched:
    stage = RelationshipStage.CASUAL_COMMENTER
    fields = {
        "author": f"a{author}",
        "external_id": f"{run}-{kind}-{n}",
        "conversation_id": f"{run}-c{author}",
        "created_at": BASE_TIME + timedelta(seconds=n),
        **fields,
    }
    return MentionEnriched.of(ingested(n, **fields), snapshot(author, stage))


def scenarios(run: str) -> dict[str, Make]:
    def complaint(author: int, n: int, at: timedelta) -> MentionEnriched:
        fields = {"intents": ["complaint"], "score": -0.6, "created_at": BASE_TIME + at}
        return mention(run, "complaint", author, n, **fields)

    def changed(kind: str, stage: RelationshipStage) -> Make:
        def make(n: int) -> ProfileChanged:
            change = ProfileChange(
                profile=snapshot(900_000 + n, stage, minutes=n),
                change=kind,  # type: ignore[arg-type]
                previous_stage=RelationshipStage.CASUAL_COMMENTER,
            )
            return ProfileChanged.of(change, cause=f"{run}-{n}")

        return make

    return {
        "negative, opens a case": lambda n: complaint(n, n, timedelta(minutes=n)),
        "negative, joins its case": lambda n: complaint(n, 1000 + n, timedelta(minutes=n + 0.5)),
        "negative, in a crisis": lambda n: complaint(
            2000 + n, 2000 + n, timedelta(days=1, seconds=n)
        ),
        "positive": lambda n: mention(run, "pos", 200_000 + n, n, intents=["praise"], score=0.8),
        "neutral": lambda n: mention(run, "neu", 300_000 + n, n, intents=["other"], score=0.0),
        "ProfileChanged, segment": changed("segment_changed", RelationshipStage.CASUAL_COMMENTER),
        "ProfileChanged, stage": changed("stage_changed", RelationshipStage.DETRACTOR),
        "ProfileChanged, to fan": changed("stage_changed", RelationshipStage.FAN),
    }


async def measure(
    handle: Callable[[Any], Awaitable[None]], make: Make, count: int, counter: MongoCommands
) -> tuple[Counter[str], float, float]:
    mongod = running_pid(PROFILES["test"].pid_file("mongod"))
    assert mongod is not None, "the test MongoDB runs: make test, or stack.py up --profile test"
    await handle(make(count + 1))  # warms the configuration caches
    mongod_before, before = cpu_s(mongod), time.process_time()
    with counter.counting() as sent:
        for n in range(count):
            await handle(make(n))
    return sent, time.process_time() - before, cpu_s(mongod) - mongod_before


async def main(count: int = 200) -> None:
    counter = MongoCommands()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        MONGO, tz_aware=True, uuidRepresentation="standard", event_listeners=[counter]
    )
    name = unique("bench").replace("-", "_")
    db: Database = client[name]
    try:
        await ensure_indexes(db, INDEXES)
        ports = mongo_ports(db, ResponderSettings(), clock=lambda: BASE_TIME)
        handle = dispatch(event_handlers(ports, MongoAlerts(db), MongoBrandHealth(db)))
        print(f"responder from {Path(sys.modules['responder'].__file__ or '').parent}")
        print(f"{count} events each; mean MongoDB commands per event; CPU-s per 1,000 events")
        for title, make in scenarios(name).items():
            sent, cpu, mongod = await measure(handle, make, count, counter)
            per = {command: round(n / count, 2) for command, n in sorted(sent.items())}
            total = round(sum(sent.values()) / count, 2)
            print(
                f"{title:32} {total:6} commands  python {cpu * 1000 / count:5.2f}  "
                f"mongod {mongod * 1000 / count:5.2f}  {per}"
            )
    finally:
        await client.drop_database(name)
        await client.close()


if __name__ == "__main__":
    os.environ.setdefault("RAPPORT_ENVIRONMENT", "test")
    asyncio.run(main(*[int(a) for a in sys.argv[1:2]]))
