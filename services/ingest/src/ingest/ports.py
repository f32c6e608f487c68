"""What ingest's use cases need from outside: the mention archive, the suppression list and the
import records. ``adapters/`` implements them on MongoDB, ``fakes.py`` in memory, and
``tests/contract`` holds both to the same behaviour."""

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

from ingest.imports.rows import Rejected
from rapport.clock import utcnow
from rapport.events import Mention
from rapport.telemetry import Headers

MAX_ERRORS = 1000
"""Row-level reasons kept per import; ``rejected`` counts them all."""
COUNTS = ("read", "accepted", "duplicate", "suppressed", "rejected", "processed", "unanalysed")


class MentionArchive(Protocol):
    async def accept(
        self,
        mentions: list[Mention],
        *,
        import_id: str | None = None,
        traces: Sequence[Headers] | None = None,
    ) -> list[bool]:
        """Store each mention once, pending analysis; per mention, whether it was new (True) or
        an exact duplicate (of one stored before or earlier in ``mentions``). ``traces``: per
        mention, the trace headers of the request that brought it (default: the current one)."""
        ...


class Suppressions(Protocol):
    async def old_mentions(self, mentions: list[Mention]) -> list[bool]:
        """Per mention, whether an erased author made it before their erasure."""
        ...


class Sighting(NamedTuple):
    fingerprint: str
    author_key: str
    at: datetime
    """When the author posted the text."""


class FloodSightings(Protocol):
    async def record(self, sightings: list[Sighting]) -> None:
        """Keep, per fingerprint and author, the latest time they posted it (for a window)."""
        ...

    async def seen(
        self, fingerprints: Collection[str], since: datetime, until: datetime
    ) -> dict[str, list[datetime]]:
        """Fingerprint -> when each author last posted it, if within [since, until], in order."""
        ...


class Floods(Protocol):
    async def flag_in_turn(self, accepted: Sequence[list[Mention]]) -> list[Mention]:
        """The mentions of each request (in turn), SPAM added to those in a flood."""
        ...


class State(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass
class Progress:
    """What happened since the last report: counts to add and rejections to append."""

    read: int = 0
    accepted: int = 0
    duplicate: int = 0
    suppressed: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def new_import(format: str, platform: str | None) -> dict[str, Any]:
    """A new import's record: a fresh id (32 hex digits), running, every count at 0."""
    now = utcnow()
    return {
        "_id": uuid.uuid4().hex,
        "format": format,
        "platform": platform,
        "state": State.RUNNING.value,
        "reason": None,
        **{count: 0 for count in COUNTS},
        "errors": [],
        "created_at": now,
        "updated_at": now,
    }


class ImportStore(Protocol):
    async def create(self, format: str, platform: str | None) -> str:
        """A new running import with every count at 0; its id (32 hex digits)."""
        ...

    async def report(self, import_id: str, progress: Progress) -> None:
        """Add ``progress``'s counts; keep its rejections, up to ``MAX_ERRORS`` in all."""
        ...

    async def finish(self, import_id: str, state: State, reason: str | None = None) -> None: ...

    async def get(self, import_id: str) -> dict[str, Any] | None:
        """The import's record: ``_id``, format, platform, state, reason, ``COUNTS``, errors
        (``row``, ``line``, ``reason``), created_at and updated_at; None if there is none."""
        ...
