"""The mention archive (``ingest.ports.MentionArchive``): each mention stored once, durably,
pending analysis; the analysis stage (``ingest.analyser``) completes it and puts its event in
the outbox."""

from collections.abc import Sequence
from uuid import UUID

from pymongo import IndexModel
from pymongo.errors import BulkWriteError

from ingest.analyser import pending
from rapport import outbox
from rapport.clock import utcnow
from rapport.events import Mention, MentionIngested
from rapport.events.base import deterministic_id
from rapport.mongo import Database
from rapport.telemetry import Headers, inject_headers

_DUPLICATE_KEY = 11000
INDEXES = {
    "mentions": [IndexModel("author_key"), IndexModel("received_at"), *pending.INDEXES],
    outbox.COLLECTION: outbox.INDEXES,
}


def archive_key(platform: str, external_id: str) -> str:
    return f"{platform}:{external_id}"


def mention_event_id(mention: Mention) -> UUID:
    """The id ``MentionIngested.of(mention)`` gets, without building the event."""
    return deterministic_id(
        MentionIngested.type_name(), mention.platform.value, mention.external_id
    )


def archive_id(mention: Mention) -> str:
    return archive_key(mention.platform.value, mention.external_id)


class MongoArchive:
    """``accept`` returns, per mention, whether it was new (True) or an exact duplicate."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._mentions = db["mentions"]

    async def accept(
        self,
        mentions: list[Mention],
        *,
        import_id: str | None = None,
        traces: Sequence[Headers] | None = None,
    ) -> list[bool]:
        ids = [archive_id(m) for m in mentions]
        traced = traces if traces is not None else [inject_headers()] * len(mentions)
        fresh: dict[str, tuple[Mention, Headers]] = {}
        for mention_id, mention, trace in zip(ids, mentions, traced, strict=True):
            fresh.setdefault(mention_id, (mention, trace))  # a batch's first copy is stored
        stored = await self._store(list(fresh.values()), import_id)
        first_seen: set[str] = set()
        results = []
        for mention_id in ids:
            results.append(mention_id in stored and mention_id not in first_seen)
            first_seen.add(mention_id)
        return results

    async def _store(
        self, mentions: list[tuple[Mention, Headers]], import_id: str | None
    ) -> set[str]:
        """The ids of ``mentions`` stored now (not by a concurrent request first)."""
        if not mentions:
            return set()
        received_at = utcnow()
        ids = [archive_id(mention) for mention, _ in mentions]
        seqs = await pending.acceptance_order(self._db, len(mentions))
        try:
            await self._mentions.insert_many(
                [
                    {
                        "_id": mention_id,
                        "event_id": str(mention_event_id(mention)),
                        "author_key": mention.author_key,
                        "received_at": received_at,
                        "mention": mention.model_dump(mode="json"),
                        **pending.pending_fields(seq=seq, import_id=import_id, headers=headers),
                    }
                    for mention_id, (mention, headers), seq in zip(ids, mentions, seqs, strict=True)
                ],
                ordered=False,
            )
        except BulkWriteError as error:
            errors = error.details.get("writeErrors", [])
            if any(e["code"] != _DUPLICATE_KEY for e in errors):
                raise
            return set(ids) - {ids[e["index"]] for e in errors}
        return set(ids)
