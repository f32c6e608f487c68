"""Mentions waiting for analysis: archived ``pending``, claimed in batches by any number of
analysers, each completed (analysed, its event in the outbox) exactly once.

Why MongoDB rather than a raw Kafka topic: the mention is already stored there (the 2xx's
promise needs nothing else), completion is one transaction with the outbox row and the import's
count, and there is no second relay hop or topic to run.

- A claim marks the oldest unclaimed pending mentions ``claimed_by`` a fresh token until
  ``claim_until``, a short while (``RAPPORT_ANALYSER_CLAIM_S``) that its holder keeps
  renewing while it works (``renew``): a dead analyser's claim expires soon and another one
  takes it over, a slow batch of a live one never.
- Order, as Kafka keys and responder need it (``order``), is that of acceptance by any replica
  (``seq``, from ``rapport.sequence``): a claim keeps a mention only when no earlier pending
  mention of its author, nor the earlier post it replies to, lies outside it or the holder's
  own earlier claims; the rest is released at once and claimed again later.
- Completion is conditional on the claim: in one transaction, only mentions still pending and
  still claimed by the token are updated and get their outbox row (whose id, the event id,
  is unique), so two analysers that both analysed a mention (a claim that expired while the
  first was slow) publish it once.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bson import ObjectId
from opentelemetry.context import Context
from pymongo import ASCENDING, IndexModel, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from ingest.adapters.import_store import MongoImportStore
from ingest.analyser.order import Queued, publishable
from rapport import outbox, sequence
from rapport.clock import utcnow
from rapport.events import Mention, MentionIngested
from rapport.mongo import Database, Document, in_transaction
from rapport.telemetry import Headers, extract_context
from rapport.topics import MENTIONS

MENTIONS_TOPIC = MENTIONS.name
PENDING = "pending"
ANY_SEQ = {"seq": {"$exists": True}}
"""Added to a filter on ``PENDING`` that names neither ``seq`` nor ``author_key``: it leads
MongoDB to the pending mentions' index (every mention has a ``seq``) rather than a scan of every
mention ever archived."""
INDEXES = [
    IndexModel([("seq", ASCENDING)], name="pending", partialFilterExpression={PENDING: True}),
    IndexModel(
        [("author_key", ASCENDING), ("seq", ASCENDING)],
        name="pending_by_author",
        partialFilterExpression={PENDING: True},
    ),
]
ANALYSED = {"language", "sentiment", "intents"}


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
    def __init__(self, db: Database, *, claim_s: float = 15.0) -> None:
        self._db = db
        self._mentions = db["mentions"]
        self._claim = timedelta(seconds=claim_s)

    @property
    def claim_s(self) -> float:
        return self._claim.total_seconds()

    async def claim(self, limit: int, *, after: Sequence[str] = ()) -> Claim:
        """The oldest unclaimed (or expired) pending mentions, up to ``limit``, less those that
        must wait (``order``); ``after``: the tokens of this analyser's claims not completed
        yet, which it completes before this one."""
        token, now = uuid.uuid4().hex, utcnow()
        free = {PENDING: True, "$or": [{"claim_until": None}, {"claim_until": {"$lte": now}}]}
        candidates = await self._mentions.find(free).sort("seq", ASCENDING).limit(limit).to_list()
        if not candidates:
            return Claim(token, [], full=False)
        ids = [doc["_id"] for doc in candidates]
        taken = await self._mentions.update_many(
            {**free, "_id": {"$in": ids}},
            {"$set": {"claimed_by": token, "claim_until": now + self._claim}},
        )
        mine = candidates
        if taken.matched_count < len(ids):  # another analyser took some of them first
            found = self._mentions.find({"claimed_by": token, PENDING: True, **ANY_SEQ})
            mine = await found.sort("seq", ASCENDING).to_list()
        kept = await self._publishable(mine, [token, *after])
        kept_ids = {doc["_id"] for doc in kept}
        if waiting := [doc["_id"] for doc in mine if doc["_id"] not in kept_ids]:
            await self.release(token, waiting)
        return Claim(token, [_claimed(doc) for doc in kept], full=len(ids) == limit)

    async def _publishable(self, mine: list[Document], tokens: list[str]) -> list[Document]:
        queued = [_queued(doc) for doc in mine]
        waited_for: list[Document] = [
            {"author_key": {"$in": sorted({q.author_key for q in queued})}}
        ]
        if parents := sorted({q.parent for q in queued if q.parent}):
            waited_for.append({"_id": {"$in": parents}})
        latest = max(q.seq for q in queued)  # what was accepted after it is never waited for
        others = self._mentions.find(
            {
                PENDING: True,
                "seq": {"$lt": latest},
                "claimed_by": {"$nin": tokens},
                "$or": waited_for,
            },
            {"author_key": 1, "seq": 1},
        )
        elsewhere = [Queued(doc["_id"], doc["author_key"], doc["seq"]) async for doc in others]
        kept = {q.id for q in publishable(queued, elsewhere)}
        return [doc for doc in mine if doc["_id"] in kept]

    async def renew(self, tokens: Sequence[str]) -> None:
        """Extend the claims of ``tokens`` (the holder is alive and working on them)."""
        if tokens:
            await self._mentions.update_many(
                {"claimed_by": {"$in": list(tokens)}, PENDING: True, **ANY_SEQ},
                {"$set": {"claim_until": utcnow() + self._claim}},
            )

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

        await in_transaction(self._db, write)
        return completed

    async def _write(self, session: AsyncClientSession, done: list[Done]) -> None:
        now = utcnow()
        await self._mentions.bulk_write(
            [
                UpdateOne(
                    {"_id": d.claimed.id},
                    {
                        "$set": {
                            **_analysed_fields(d.mention),
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
        events = [MentionIngested.of(d.mention, occurred_at=d.claimed.received_at) for d in done]
        await outbox.add(
            self._db,
            session,
            [(MENTIONS_TOPIC, e.payload.author_key, e) for e in events],
            contexts=_traces(d.claimed.headers for d in done),
        )
        await MongoImportStore(self._db).count_processed(session, _per_import(done))


def _traces(headers: Iterable[Headers]) -> list[Context]:
    """Each mention's trace context, read once per distinct request (an import's rows share
    one)."""
    read: dict[tuple[tuple[str, bytes], ...], Context] = {}
    traces = []
    for key in (tuple(h) for h in headers):
        if key not in read:
            read[key] = extract_context(key)
        traces.append(read[key])
    return traces


def _per_import(done: Iterable[Done]) -> dict[str, tuple[int, int]]:
    """import id -> (rows processed, of which unanalysed)."""
    counts: dict[str, tuple[int, int]] = {}
    for d in done:
        if d.claimed.import_id is not None:
            processed, failed = counts.get(d.claimed.import_id, (0, 0))
            counts[d.claimed.import_id] = (processed + 1, failed + (d.failure is not None))
    return counts


def _analysed_fields(mention: Mention) -> Document:
    """What analysis (and the flood check) changed of the mention stored when it was accepted."""
    changed = mention.model_dump(mode="json", include=ANALYSED)
    return {f"mention.{name}": value for name, value in changed.items()}


def _queued(doc: Document) -> Queued:
    mention = doc["mention"]
    parent = mention.get("in_reply_to")
    parent_id = f"{mention['platform']}:{parent}" if parent else None
    return Queued(doc["_id"], doc["author_key"], doc["seq"], parent_id)


def _claimed(doc: Document) -> Claimed:
    return Claimed(
        doc["_id"],
        Mention.model_validate(doc["mention"]),
        doc["received_at"],
        doc.get("import_id"),
        [(name, bytes(value)) for name, value in doc.get("headers", [])],
    )


async def acceptance_order(db: Database, n: int) -> list[ObjectId]:
    """The ``seq`` of ``n`` mentions accepted together, after every one accepted before by any
    replica."""
    return await sequence.reserve(db, PENDING, n)


def pending_fields(*, seq: ObjectId, import_id: str | None, headers: Headers) -> Document:
    """What the archive stores with a new mention to put it in the analysers' queue."""
    return {
        PENDING: True,
        "seq": seq,
        "claim_until": None,
        "import_id": import_id,
        "headers": [[name, value] for name, value in headers],
    }
