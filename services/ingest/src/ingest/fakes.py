"""In-memory implementations of ``ingest.ports`` for unit tests; the contract tests
(``tests/contract``) hold them to what the MongoDB adapters do."""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingest.adapters.archive_store import archive_id
from ingest.ports import MAX_ERRORS, Progress, Sighting, State, new_import
from rapport.clock import utcnow
from rapport.events import Mention
from rapport.suppression import Identity, normalised
from rapport.telemetry import Headers


@dataclass
class FakeArchive:
    stored: dict[str, Mention] = field(default_factory=dict)
    import_ids: list[str | None] = field(default_factory=list)
    """The ``import_id`` of each call that stored something."""

    async def accept(
        self,
        mentions: list[Mention],
        *,
        import_id: str | None = None,
        traces: Sequence[Headers] | None = None,
    ) -> list[bool]:
        new = []
        for mention in mentions:
            new.append(archive_id(mention) not in self.stored)
            self.stored.setdefault(archive_id(mention), mention)
        self.import_ids.append(import_id)
        return new


@dataclass
class FakeSuppressions:
    """The suppression list: identities erased, and when (the latest erasure counts)."""

    erased: dict[str, datetime] = field(default_factory=dict)

    async def add(self, identities: Iterable[Identity], erased_at: datetime) -> None:
        for identity in identities:
            key = normalised(identity)
            self.erased[key] = max(erased_at, self.erased.get(key, erased_at))

    async def old_mentions(self, mentions: list[Mention]) -> list[bool]:
        erased = [self.erased.get(normalised(Identity.author_of(m))) for m in mentions]
        return [
            at is not None and m.created_at <= at for m, at in zip(mentions, erased, strict=True)
        ]


@dataclass
class FakeImportStore:
    imports: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def create(self, format: str, platform: str | None) -> str:
        record = new_import(format, platform)
        self.imports[record["_id"]] = record
        return str(record["_id"])

    async def report(self, import_id: str, progress: Progress) -> None:
        found = self.imports[import_id]
        for count in ("read", "accepted", "duplicate", "suppressed"):
            found[count] += getattr(progress, count)
        found["rejected"] += len(progress.rejected)
        errors = [{"row": r.number, "line": r.line, "reason": r.reason} for r in progress.rejected]
        found["errors"] = [*found["errors"], *errors][:MAX_ERRORS]
        found["updated_at"] = utcnow()

    async def finish(self, import_id: str, state: State, reason: str | None = None) -> None:
        self.imports[import_id].update(state=state.value, reason=reason, updated_at=utcnow())

    async def get(self, import_id: str) -> dict[str, Any] | None:
        found = self.imports.get(import_id)
        return None if found is None else dict(found)


@dataclass
class FakeFloodSightings:
    latest: dict[tuple[str, str], datetime] = field(default_factory=dict)
    """(fingerprint, author key) -> when they last posted it."""

    async def record(self, sightings: list[Sighting]) -> None:
        for s in sightings:
            key = (s.fingerprint, s.author_key)
            self.latest[key] = max(s.at, self.latest.get(key, s.at))

    async def seen(
        self, fingerprints: Collection[str], since: datetime, until: datetime
    ) -> dict[str, list[datetime]]:
        seen: dict[str, list[datetime]] = {}
        for (fp, _), at in self.latest.items():
            if fp in fingerprints and since <= at <= until:
                seen.setdefault(fp, []).append(at)
        return {fp: sorted(times) for fp, times in seen.items()}
