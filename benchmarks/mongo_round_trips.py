"""MongoDB commands (round trips) and transactions per handled mention, by service and command.

    RAPPORT_TEST_PORT_OFFSET=200 .venv/bin/python -m benchmarks.mongo_round_trips \
        [--mentions 2000] [--authors 200] [--save before]

Runs profiles' and loyalty's real handlers against the test stack's MongoDB (throwaway
databases, dropped afterwards), one record at a time so the counts are exact: ``--mentions``
mentions from ``--authors`` authors (alternately positive and negative per author, every third
positive one with a link) into profiles; then what profiles stored in its outbox
(``MentionEnriched``, ``ProfileChanged``), in order, into loyalty's handlers, as its consumer
would receive them; then every record once more (a redelivery). A ``MongoCommands`` listener per
service counts the commands, and CPU seconds per 1,000 mentions are read for each pass: the
handlers' own (this process) and the test stack's mongod's (``.state/test/pids/mongod.pid``; other
clients of that mongod add to it). The relays are left out: they cost per batch, not per mention.
``--save NAME`` writes ``benchmarks/results/mongo_round_trips-NAME.json``.
"""

import argparse
import asyncio
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from loyalty.consumers import event_handlers
from loyalty.main import build_parts
from loyalty.migrations import MIGRATIONS as LOYALTY_MIGRATIONS
from loyalty.settings import LoyaltySettings
from profiles.adapters.profile_store import MongoProfiles
from profiles.domain.rules import Rules
from profiles.handlers import on_mention_ingested
from profiles.migrations import MIGRATIONS as PROFILES_MIGRATIONS
from profiles.settings import ProfilesSettings
from rapport import outbox
from rapport.events import ALL_EVENTS, Event, MentionIngested
from rapport.events.codec import decode
from rapport.events.factories import BASE_TIME, a_mention
from rapport.mongo import Database, Document, ensure_indexes
from rapport.settings import Environment
from rapport.testing import MongoCommands, MovableClock, export_keys, token_keys

from .measures import cpu_s

OFFSET = int(os.environ.get("RAPPORT_TEST_PORT_OFFSET", "0"))
MONGO = os.environ.get(
    "RAPPORT_TEST_MONGO", f"mongodb://127.0.0.1:{27117 + OFFSET}/?replicaSet=rapport"
)
RESULTS = Path(__file__).parent / "results"
MONGOD_PID = Path(__file__).parents[1] / ".state" / "test" / "pids" / "mongod.pid"
Handle = Callable[[Event], Awaitable[None]]


def mentions(count: int, authors: int) -> list[MentionIngested]:
    run = uuid.uuid4().hex[:6]
    planned = []
    for n in range(count):
        positive = (n // authors) % 2 == 0
        link: dict[str, Any] = (
            {"url": f"https://example.com/{run}/{n}"} if positive and n % 3 == 0 else {}
        )
        mention = a_mention(
            n,
            author=f"{run}-{n % authors}",
            score=0.8 if positive else -0.8,
            external_id=f"{run}-{n}",
            text=f"mention {n}: the coffee machine is {'great' if positive else 'broken'}",
            **link,
        )
        planned.append(MentionIngested.of(mention))
    return planned


class Service:
    """One service's client, database and command counts."""

    def __init__(self, name: str) -> None:
        self.commands = MongoCommands()
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            MONGO, tz_aware=True, uuidRepresentation="standard", event_listeners=[self.commands]
        )
        self.db: Database = self.client[f"bench_{name}_{uuid.uuid4().hex[:8]}"]

    async def close(self) -> None:
        await self.client.drop_database(self.db.name)
        await self.client.close()


def cpu_readings() -> tuple[float, float]:
    """(this process's CPU seconds, mongod's)."""
    return time.process_time(), cpu_s(json.loads(MONGOD_PID.read_text())["pid"])


async def counted(service: Service, handle: Handle, events: list[Event]) -> dict[str, Any]:
    """Handle ``events`` one by one; commands, transactions and CPU per mention."""
    service.commands.reset()
    before = cpu_readings()
    for event in events:
        await handle(event)
    after = cpu_readings()
    spent = [a - b for a, b in zip(after, before, strict=True)]
    return {"counts": service.commands.reset(), "cpu_s": spent}


def per_mention(measured: dict[str, Any], mentions: int) -> dict[str, Any]:
    counts: Counter[str] = measured["counts"]
    handlers_cpu, mongod_cpu = measured["cpu_s"]
    return {
        "commands": round(sum(counts.values()) / mentions, 2),
        "transactions": round(counts["commitTransaction"] / mentions, 2),
        "by_command": {name: round(n / mentions, 2) for name, n in sorted(counts.items())},
        "cpu_s_per_1k": {
            "handlers": round(handlers_cpu * 1000 / mentions, 2),
            "mongod": round(mongod_cpu * 1000 / mentions, 2),
        },
    }


async def main(count: int, authors: int, save: str | None) -> None:
    test: dict[str, Any] = {
        "environment": Environment.TEST,
        "auth_jwks": token_keys().auth_jwks,
        "export_keys": export_keys(),
    }
    clock = MovableClock(BASE_TIME + timedelta(days=1))
    profiles_db, loyalty_db = Service("profiles"), Service("loyalty")
    try:
        await ensure_indexes(profiles_db.db, PROFILES_MIGRATIONS.indexes(ProfilesSettings(**test)))
        loyalty_settings = LoyaltySettings(**test)
        await ensure_indexes(loyalty_db.db, LOYALTY_MIGRATIONS.indexes(loyalty_settings))
        repo, rules = MongoProfiles(profiles_db.db), Rules()

        async def enrich(event: Event) -> None:
            assert isinstance(event, MentionIngested)
            await on_mention_ingested(event, profiles=repo, rules=rules, clock=clock)

        services = build_parts(loyalty_db.db, loyalty_settings, clock)
        handlers = event_handlers(services, loyalty_settings)

        async def reward(event: Event) -> None:
            await handlers[type(event)](event)

        ingested: list[Event] = list(mentions(count, authors))
        results: dict[str, Any] = {"mentions": count, "authors": authors}
        for run in ("first", "redelivered"):
            profiles = await counted(profiles_db, enrich, ingested)
            rows = await profiles_db.db[outbox.COLLECTION].find().sort("seq").to_list()
            published = [decode(bytes(row["value"]), ALL_EVENTS) for row in rows]
            loyalty = await counted(loyalty_db, reward, published)
            results[run] = {
                "profiles": per_mention(profiles, count),
                "loyalty": per_mention(loyalty, count),
                "loyalty_records": len(published),
            }
    finally:
        await profiles_db.close()
        await loyalty_db.close()
    print(json.dumps(results, indent=2))
    if save:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"mongo_round_trips-{save}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=2000)
    parser.add_argument("--authors", type=int, default=200)
    parser.add_argument("--save", help="name of the results file (before, after, ...)")
    args = parser.parse_args()
    asyncio.run(main(args.mentions, args.authors, args.save))
