"""Mentions waiting for analysis: archived ``pending``, claimed in batches by any number of
analysers, each completed (analysed, its event in the outbox) exactly once.

Why MongoDB rather than a raw Kafka topic: the mention is already stored there (the 2xx's
promise needs nothing else), completion is one transaction with the outbox row and the import's
count, and there is no second relay hop or topic to run.

- A claim marks the oldest unclaimed pending mentions ``claimed_by`` a fresh token until
  ``claim_until``; a crashed analyser's claim expires and another one takes it over.
- Per-author order, as Kafka keys promise it: a claim keeps an author's mention only when no
  earlier pending mention of that author lies outside it (another analyser holds it, or it is
  still unclaimed); the rest is released at once and claimed again later.
- Completion is conditional on the claim: in one transaction, only mentions still pending and
  still claimed by the token are updated and get their outbox row (whose id, the event id,
  is unique), so two analysers that both analysed a mention (a claim that expired while the
  first was slow) publish it once.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from bson import ObjectId
from opentelemetry import context
from pymongo import ASCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from ingest.imports.store import ImportStore
from rapport import outbox
from rapport.events import Mention, MentionIngested, utcnow
from rapport.mongo import Database, Document
from rapport.telemetry import extract_context

MENTIONS_TOPIC = "social.mentions"
PENDING = "pending"
INDEXES = [
    IndexModel([("seq", ASCENDING)], name="pending", partialFilterExpression={PENDING: True}),
    IndexModel(
        [("author_key", ASCENDING), ("seq", ASCENDING)],
        name="pending_by_author",
        partialFilterExpression={PENDING: True},
    ),
]
Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Claimed:
    id: str
    mention: Mention
    """As accepted: language only if the source gave one, sentiment neutral, no intents."""
    received_at: datetime
    import_id: str | None
    headers: Headers
    """The accepting request's trace context, so the trace runs on through the analysis."""


@dataclass(frozen=True)
class Claim:
    token: str
    mentions: list[Claimed]
    full: bool
    """As many candidates as asked for were found: more may be waiting."""


@dataclass(frozen=True)
class Done:
    claimed: Claimed
    mention: Mention
    failure: str | None = None


class PendingMentions:
    def __init__(self, db: Database, *, claim_s: float = 120.0) -> None:
        self._db = db
        self._mentions = db["mentions"]
        self._claim = timedelta(seconds=claim_s)

    async def claim(self, limit: int) -> Claim:
        token, now = uuid.uuid4().hex, utcnow()
        free = {PENDING: True, "$or": [{"claim_until": None}, {"claim_until": {"$lte": now}}]}
        cursor = self._mentions.find(free, {"_id": 1}).sort("seq", ASCENDING).limit(limit)
        ids = [doc["_id"] async for doc in cursor]
        if not ids:
            return Claim(token, [], full=False)
        await self._mentions.update_many(
            {**free, "_id": {"$in": ids}},
            {"$set": {"claimed_by": token, "claim_until": now + self._claim}},
        )
        found = self._mentions.find({"claimed_by": token, PENDING: True}).sort("seq", ASCENDING)
        mine = await found.to_list()
        kept = await self._in_author_order(token, mine)
        kept_ids = {doc["_id"] for doc in kept}
        if released := [doc["_id"] for doc in mine if doc["_id"] not in kept_ids]:
            await self.release(token, released)
        return Claim(token, [_claimed(doc) for doc in kept], full=len(ids) == limit)

    async def _in_author_order(self, token: str, mine: list[Document]) -> list[Document]:
        """``mine`` less each mention that an earlier pending one of its author not in it
        must precede."""
        authors = sorted({doc["author_key"] for doc in mine})
        others = self._mentions.find(
            {PENDING: True, "author_key": {"$in": authors}, "claimed_by": {"$ne": token}},
            {"author_key": 1, "seq": 1},
        )
        first_elsewhere: dict[str, Any] = {}
        async for doc in others:
            key = doc["author_key"]
            first_elsewhere[key] = min(doc["seq"], first_elsewhere.get(key, doc["seq"]))
        return [
            doc
            for doc in mine
            if doc["author_key"] not in first_elsewhere
            or doc["seq"] < first_elsewhere[doc["author_key"]]
        ]

    async def release(self, token: str, ids: Sequence[str]) -> None:
        await self._mentions.update_many(
            {"_id": {"$in": list(ids)}, "claimed_by": token},
            {"$set": {"claim_until": None}, "$unset": {"claimed_by": ""}},
        )

    async def complete(self, token: str, done: Sequence[Done]) -> list[Done]:
        """Store the analysed mentions with their events, those still claimed by ``token``;
        which they were."""
        completed: list[Done] = []

        async def write(session: AsyncClientSession) -> None:
            ids = [d.claimed.id for d in done]
            still = self._mentions.find(
                {"_id": {"$in": ids}, "claimed_by": token, PENDING: True},
                {"_id": 1},
                session=session,
            )
            held = {doc["_id"] async for doc in still}
            completed[:] = [d for d in done if d.claimed.id in held]
            if completed:
                await self._write(session, completed)

        async with self._db.client.start_session() as session:
            await session.with_transaction(write)
        return completed

    async def _write(self, session: AsyncClientSession, done: list[Done]) -> None:
        now = utcnow()
        await self._mentions.bulk_write(
            [
                UpdateOne(
                    {"_id": d.claimed.id},
                    {
                        "$set": {
                            "mention": d.mention.model_dump(mode="json"),
                            "analysed_at": now,
                            **({"analysis_failed": d.failure} if d.failure else {}),
                        },
                        "$unset": {f: "" for f in (PENDING, "seq", "claimed_by", "claim_until")},
                    },
                )
                for d in done
            ],
            ordered=True,
            session=session,
        )
        for headers, same_trace in groupby(done, key=lambda d: d.claimed.headers):
            await _to_outbox(self._db, session, headers, list(same_trace))
        await ImportStore(self._db).count_processed(session, _per_import(done))


async def _to_outbox(
    db: Database, session: AsyncClientSession, headers: Headers, done: list[Done]
) -> None:
    events = [MentionIngested.of(d.mention, occurred_at=d.claimed.received_at) for d in done]
    token = context.attach(extract_context(headers))
    try:
        await outbox.add(db, session, [(MENTIONS_TOPIC, e.payload.author_key, e) for e in events])
    finally:
        context.detach(token)


def _per_import(done: Iterable[Done]) -> dict[str, tuple[int, int]]:
    """import id -> (rows processed, of which unanalysed)."""
    counts: dict[str, tuple[int, int]] = {}
    for d in done:
        if d.claimed.import_id is not None:
            processed, failed = counts.get(d.claimed.import_id, (0, 0))
            counts[d.claimed.import_id] = (processed + 1, failed + (d.failure is not None))
    return counts


def _claimed(doc: Document) -> Claimed:
    return Claimed(
        doc["_id"],
        Mention.model_validate(doc["mention"]),
        doc["received_at"],
        doc.get("import_id"),
        [(name, bytes(value)) for name, value in doc.get("headers", [])],
    )


def pending_fields(*, import_id: str | None, headers: Headers) -> Document:
    """What the archive stores with a new mention to put it in the analysers' queue."""
    return {
        PENDING: True,
        "seq": ObjectId(),  # increasing within a process: the order of acceptance
        "claim_until": None,
        "import_id": import_id,
        "headers": [[name, value] for name, value in headers],
    }
