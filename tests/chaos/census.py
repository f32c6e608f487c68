"""What the chaos run counts: is the pipeline idle, and did every accepted mention have exactly
its effects (one history entry, a case when negative, one ledger entry when positive), with no
event id twice on any topic and nothing dead-lettered."""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from ingest.analyser.pending import ANY_SEQ, PENDING
from rapport import outbox
from rapport.events import MentionIngested, deterministic_id
from rapport.topics import CATALOGUE, all_topic_specs
from tests.support import partitions_of


@dataclass(frozen=True)
class Planned:
    external_id: str
    author: str
    positive: bool

    @property
    def mention_id(self) -> UUID:
        return deterministic_id(MentionIngested.type_name(), "x", self.external_id)


@dataclass
class Tally:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    dead_lettered: int = 0

    def summary(self) -> str:
        return (
            f"lost {len(self.lost)}, duplicated {len(self.duplicated)}, "
            f"dead-lettered {self.dead_lettered}"
        )


class Census:
    def __init__(self, bootstrap: str, mongo_url: str, databases: dict[str, str]) -> None:
        self._bootstrap = bootstrap
        self._mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            mongo_url, tz_aware=True, uuidRepresentation="standard", serverSelectionTimeoutMS=5000
        )
        self._dbs = {name: self._mongo[db] for name, db in databases.items()}
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self._reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)

    async def start(self) -> None:
        await self._admin.start()
        await self._reader.start()

    async def close(self) -> None:
        await self._reader.stop()
        await self._admin.close()
        await self._mongo.close()

    async def idle(self) -> bool:
        """Every consumer group has committed everything on its topics, and no mention waits for
        ingest's analysis stage nor any event in an outbox."""
        pending = {PENDING: True, **ANY_SEQ}
        if await self._dbs["ingest"]["mentions"].count_documents(pending, limit=1):
            return False
        for topic in CATALOGUE.values():
            partitions = await self._partitions(topic.name)
            ends = await self._reader.end_offsets(partitions)
            for group in topic.consumers:
                done = await self._admin.list_consumer_group_offsets(group, partitions=partitions)
                for p in partitions:
                    if ends[p] and (p not in done or done[p].offset < ends[p]):
                        return False
        for db in self._dbs.values():
            if await db[outbox.COLLECTION].count_documents(outbox.PENDING, limit=1):
                return False
        return True

    async def count(self, plan: Iterable[Planned]) -> Tally:
        tally = Tally()
        plan = list(plan)
        ids = [str(m.mention_id) for m in plan]
        history = Counter(
            [
                d["_id"]
                async for d in self._dbs["profiles"]["history"].find(
                    {"_id": {"$in": ids}}, {"_id": 1}
                )
            ]
        )
        threaded: Counter[str] = Counter()
        async for case in self._dbs["responder"]["cases"].find({}, {"mention_ids": 1}):
            mention_ids = cast(list[Any], case.get("mention_ids", []))
            threaded.update(str(m) for m in mention_ids)
        earned = {
            d["_id"]
            async for d in self._dbs["loyalty"]["ledger"].find(
                {"_id": {"$in": [f"positive_mention:{i}" for i in ids]}}, {"_id": 1}
            )
        }
        for mention in plan:
            mid = str(mention.mention_id)
            if history[mid] == 0:
                tally.lost.append(f"history:{mention.external_id}")
            if mention.positive and f"positive_mention:{mid}" not in earned:
                tally.lost.append(f"ledger:{mention.external_id}")
            if not mention.positive:
                if threaded[mid] == 0:
                    tally.lost.append(f"case:{mention.external_id}")
                elif threaded[mid] > 1:
                    tally.duplicated.append(f"case:{mention.external_id}")
        tally.duplicated += await self._duplicate_event_ids()
        tally.dead_lettered = await self._dead_letters()
        return tally

    async def _duplicate_event_ids(self) -> list[str]:
        seen: Counter[str] = Counter()
        for topic in CATALOGUE:
            async for value in self._read_all(topic):
                seen[json.loads(value)["event_id"]] += 1
        return [f"event:{event_id}" for event_id, n in seen.items() for _ in range(n - 1)]

    async def _dead_letters(self) -> int:
        """Records on every dead-letter topic, and outbox rows parked as unpublishable."""
        total = 0
        for db in self._dbs.values():
            total += await db[outbox.COLLECTION].count_documents({"parked_at": {"$ne": None}})
        for name, *_ in all_topic_specs():
            if ".dlq." in name:
                partitions = await self._partitions(name)
                ends = await self._reader.end_offsets(partitions)
                starts = await self._reader.beginning_offsets(partitions)
                total += sum(ends[p] - starts[p] for p in partitions)
        return total

    async def _partitions(self, topic: str) -> list[TopicPartition]:
        return await partitions_of(self._admin, topic)

    async def _read_all(self, topic: str):  # type: ignore[no-untyped-def]
        partitions = await self._partitions(topic)
        ends = await self._reader.end_offsets(partitions)
        wanted = [p for p in partitions if ends[p]]
        if not wanted:
            return
        reader = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None)
        await reader.start()
        try:
            reader.assign(wanted)
            await reader.seek_to_beginning(*wanted)
            remaining = set(wanted)
            while remaining:
                batches = await reader.getmany(timeout_ms=1000, max_records=5000)
                for records in batches.values():
                    for record in records:
                        if record.value is not None:
                            yield record.value
                for tp in list(remaining):
                    if await reader.position(tp) >= ends[tp]:
                        remaining.discard(tp)
        finally:
            await reader.stop()
