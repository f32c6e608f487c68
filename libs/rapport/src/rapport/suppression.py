"""The erasure suppression list: which identities were erased, and when, as keyed hashes.

An erased person must not come back when their old posts arrive again (re-posted, re-imported,
or still in Kafka from before the erasure). Each service keeps its own list, in its own
database (``suppressed``), filled from the erasure requests it handles: ``Suppressing`` wraps its
``PersonalData``, so every identity the request names (and any the service knows more of) is
listed before the service erases. The service then refuses a mention by a listed author made
before the erasure, and skips an event about a listed profile id from before it; a mention made
after it is a new contact and goes on like any other.

An entry is ``{_id: HMAC-SHA256(pepper, normalised identity), erased_at, recorded_at}``: no
identity, and without the pepper (``RAPPORT_SUPPRESSION_PEPPER``) no way to test one. A new
pepper empties the list in effect: keep it for as long as old posts may come back.
"""

import hashlib
import hmac
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from prometheus_client import Counter
from pydantic import SecretStr
from pymongo import UpdateOne

from rapport.clock import utcnow
from rapport.events import (
    CaseChanged,
    Event,
    Mention,
    MentionEnriched,
    MentionIngested,
    PrivacyRequest,
    ProfileChanged,
    PurchaseMade,
    ReferralConverted,
)
from rapport.mongo import Database, Document
from rapport.privacy import PersonalData

COLLECTION = "suppressed"
SUPPRESSED = Counter(
    "rapport_suppressed_total",
    "Mentions (by source) and events (by type) dropped: their subject was erased after them",
    ["source"],
)


@dataclass(frozen=True)
class Identity:
    """``kind`` is a platform (``x``, ``facebook``...) or ``email``, ``phone``, ``crm``."""

    kind: str
    value: str

    @classmethod
    def author_of(cls, mention: Mention) -> "Identity":
        return cls(mention.platform.value, mention.author.id)


def _profile(profile_id: UUID) -> Identity:
    return Identity("profile", str(profile_id))


def _folded(text: str) -> str:
    """NFKC, case-folded, without whitespace or invisible format characters (zero-width...)."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def normalised(identity: Identity) -> str:
    """One spelling per identity: ``kind:value``; a phone number as ``+`` and its digits."""
    kind, value = _folded(identity.kind), _folded(identity.value)
    if kind == "phone":
        value = "+" + "".join(c for c in value if c.isdigit())
    return f"{kind}:{value}"


def requested(request: PrivacyRequest) -> list[Identity]:
    """The social identities and profile ids the request names."""
    profiles = [_profile(p) for p in {request.profile_id, *request.profile_ids}]
    return [Identity(i.platform, i.author_id) for i in request.identities] + profiles


@lru_cache(maxsize=4096)
def _digest(key: bytes, identity: Identity) -> str:
    """Cached: every event of a consumed batch names its author, and authors come back."""
    return hmac.new(key, normalised(identity).encode(), hashlib.sha256).hexdigest()


class SuppressionList:
    def __init__(self, db: Database, pepper: SecretStr) -> None:
        self._entries = db[COLLECTION]
        self._key = pepper.get_secret_value().encode()

    def digest(self, identity: Identity) -> str:
        return _digest(self._key, identity)

    async def add(self, identities: Iterable[Identity], erased_at: datetime) -> None:
        """List ``identities`` as erased at ``erased_at`` (the latest erasure counts)."""
        now = utcnow()
        writes = [
            UpdateOne(
                {"_id": digest},
                {"$max": {"erased_at": erased_at}, "$setOnInsert": {"recorded_at": now}},
                upsert=True,
            )
            for digest in sorted({self.digest(i) for i in identities})
        ]
        if writes:
            await self._entries.bulk_write(writes, ordered=False)

    async def erased_before(self, posts: Sequence[tuple[Identity, datetime]]) -> list[bool]:
        """For each (author, time posted): whether the author was erased at or after it."""
        digests = [self.digest(identity) for identity, _ in posts]
        if not digests:
            return []
        query = {"_id": {"$in": sorted(set(digests))}}
        found = await self._entries.find(query, {"erased_at": 1}).to_list()
        erased = {doc["_id"]: doc["erased_at"] for doc in found}
        return [
            digest in erased and posted <= erased[digest]
            for digest, (_, posted) in zip(digests, posts, strict=True)
        ]

    async def old_mentions(self, mentions: Sequence[Mention]) -> list[bool]:
        """For each mention: whether its author was erased after posting it."""
        return await self.erased_before([(Identity.author_of(m), m.created_at) for m in mentions])


Known = Callable[[PrivacyRequest], Awaitable[list[Identity]]]


class Suppressing:
    """``data`` whose erasure first lists the person's identities: those the request names, and
    those ``known`` finds (profiles knows emails, phones and CRM ids)."""

    def __init__(
        self, data: PersonalData, suppressions: SuppressionList, known: Known | None = None
    ):
        self._data = data
        self._suppressions = suppressions
        self._known = known

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        return await self._data.export(request)

    async def erase(self, request: PrivacyRequest) -> int:
        identities = requested(request) + (await self._known(request) if self._known else [])
        await self._suppressions.add(identities, request.requested_at)
        return await self._data.erase(request)


Post = tuple[Identity, datetime]
"""Who an event is about, and when it was said or done."""


def _mention(mention: Mention) -> Post:
    return Identity.author_of(mention), mention.created_at


SUBJECTS: Mapping[type[Event], Callable[[Any], Post]] = {
    MentionIngested: lambda e: _mention(e.payload),
    MentionEnriched: lambda e: _mention(e.payload.mention),
    ProfileChanged: lambda e: (_profile(e.payload.profile.profile_id), e.occurred_at),
    CaseChanged: lambda e: (_profile(e.payload.profile_id), e.occurred_at),
    PurchaseMade: lambda e: (_profile(e.payload.profile_id), e.occurred_at),
    ReferralConverted: lambda e: (_profile(e.payload.referrer_profile_id), e.occurred_at),
}
"""The events a consumer skips when their subject was erased after them: mentions by author,
and the events keyed by profile id (a profile's id outlives its erasure: it derives from the
author)."""
Handler = Callable[[Any], Awaitable[None]]
BatchHandler = Callable[[list[Any]], Awaitable[None]]


async def _kept(events: list[Any], suppressions: SuppressionList) -> list[Any]:
    old = await suppressions.erased_before([SUBJECTS[type(e)](e) for e in events])
    for event, refused in zip(events, old, strict=True):
        if refused:
            SUPPRESSED.labels(event.type).inc()
    return [event for event, refused in zip(events, old, strict=True) if not refused]


def guarded(
    handlers: Mapping[type[Event], Handler], suppressions: SuppressionList
) -> dict[type[Event], Handler]:
    """``handlers``, those of ``SUBJECTS`` skipping what happened before their subject's erasure."""

    def guard(handler: Handler) -> Handler:
        async def handle(event: Any) -> None:
            if await _kept([event], suppressions):
                await handler(event)

        return handle

    return {kind: guard(h) if kind in SUBJECTS else h for kind, h in handlers.items()}


def guarded_batches(
    handlers: Mapping[type[Event], BatchHandler], suppressions: SuppressionList
) -> dict[type[Event], BatchHandler]:
    """``guarded`` for batch handlers."""

    def guard(handler: BatchHandler) -> BatchHandler:
        async def handle(events: list[Any]) -> None:
            if kept := await _kept(events, suppressions):
                await handler(kept)

        return handle

    return {kind: guard(h) if kind in SUBJECTS else h for kind, h in handlers.items()}
