"""One way in for every source (API, webhooks, imports): canonicalise, archive, answer."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from ingest.analysis.batch import NEUTRAL
from ingest.domain.normalize import MentionIn
from ingest.ports import MentionArchive, Suppressions
from rapport.events import Mention, Source
from rapport.group_commit import GroupCommit
from rapport.suppression import SUPPRESSED
from rapport.telemetry import Headers, inject_headers

Status = Literal["accepted", "duplicate", "suppressed"]
WRITES_AT_ONCE = 4
"""Stores of small requests in flight at once; those arriving meanwhile wait and are stored
together."""
SMALL = 20
"""A request of fewer mentions is stored together with others (a large one pays its round
trips once already, and waiting for others would only delay it)."""


@dataclass(frozen=True)
class Accepted:
    platform: str
    external_id: str
    status: Status


class BrandAccounts:
    """Recognises the brand's own accounts by '<platform>:<author id or handle>'."""

    def __init__(self, accounts: list[str]) -> None:
        self._accounts = {account.lower() for account in accounts}

    def __contains__(self, mention: MentionIn) -> bool:
        platform = mention.platform.value
        keys = {f"{platform}:{mention.author.id}".lower()}
        if mention.author.handle:
            keys.add(f"{platform}:{mention.author.handle.lstrip('@')}".lower())
        return bool(keys & self._accounts)

    def including(self, accounts: Iterable[str]) -> "BrandAccounts":
        """These accounts and ``accounts`` (a webhook names the brand account it is for)."""
        return BrandAccounts([*self._accounts, *accounts])


def provisional(incoming: MentionIn, *, brand: BrandAccounts, source: Source) -> Mention:
    """The mention as accepted, before analysis: neutral, no intents, language only if the
    source gave one."""
    return Mention.model_validate(
        {
            **incoming.model_dump(),
            "sentiment": NEUTRAL,
            "from_brand": incoming in brand,
            "source": source,
        }
    )


class Intake:
    """Accepts at storage speed: validated mentions are archived, pending analysis (the
    analysis stage, ``ingest.analyser``, publishes them), and ``stored`` is called to wake it.
    A mention an erased author made before their erasure is dropped unstored (``suppressed``).
    Small requests that arrive while others are being stored are stored together
    (``GroupCommit``), each mention in its own request's trace; large ones and an import's
    batches are stored by themselves."""

    def __init__(
        self,
        archive: MentionArchive,
        brand: BrandAccounts,
        suppressions: Suppressions,
        *,
        stored: Callable[[], None] = lambda: None,
    ) -> None:
        self._archive = archive
        self._brand = brand
        self._suppressions = suppressions
        self._stored = stored
        self._together: GroupCommit[tuple[Mention, Headers], Status] = GroupCommit(
            self._store_traced, concurrency=WRITES_AT_ONCE
        )

    async def accept(
        self,
        incoming: list[MentionIn],
        source: Source,
        *,
        own_accounts: Iterable[str] = (),
        import_id: str | None = None,
    ) -> list[Accepted]:
        """Store the new mentions durably; report duplicates and suppressed ones.

        ``own_accounts``: brand accounts this delivery names, besides the configured ones."""
        brand = self._brand.including(own_accounts) if own_accounts else self._brand
        mentions = [provisional(m, brand=brand, source=source) for m in incoming]
        if import_id is None and len(mentions) < SMALL:
            trace = inject_headers()
            statuses = await self._together([(m, trace) for m in mentions])
        else:
            statuses = await self._store(mentions, import_id=import_id)
        return [
            Accepted(m.platform.value, m.external_id, status)
            for m, status in zip(incoming, statuses, strict=True)
        ]

    async def _store_traced(self, traced: list[tuple[Mention, Headers]]) -> list[Status]:
        return await self._store([m for m, _ in traced], traces=[t for _, t in traced])

    async def _store(
        self,
        mentions: list[Mention],
        *,
        import_id: str | None = None,
        traces: list[Headers] | None = None,
    ) -> list[Status]:
        suppressed = await self._suppressions.old_mentions(mentions)
        for mention, old in zip(mentions, suppressed, strict=True):
            if old:
                SUPPRESSED.labels(mention.source.value).inc()
        kept = [i for i, old in enumerate(suppressed) if not old]
        stored = (
            await self._archive.accept(
                [mentions[i] for i in kept],
                import_id=import_id,
                traces=None if traces is None else [traces[i] for i in kept],
            )
            if kept
            else []
        )
        self._stored()
        statuses: Iterator[Status] = iter("accepted" if new else "duplicate" for new in stored)
        return ["suppressed" if old else next(statuses) for old in suppressed]
