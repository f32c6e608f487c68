"""One way in for every source (API, webhooks, imports): canonicalise, analyse, archive, relay."""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ingest.analysis import analyse
from ingest.analysis.sentiment import Engine
from ingest.domain.normalize import MentionIn
from ingest.floods import Floods
from ingest.repository import Archive, archive_key
from rapport.events import Mention, Source
from rapport.outbox import OutboxRelay


@dataclass(frozen=True)
class Accepted:
    platform: str
    external_id: str
    status: Literal["accepted", "duplicate"]


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


def canonical(
    incoming: MentionIn, *, brand: BrandAccounts, source: Source, engine: Engine = "encoder"
) -> Mention:
    analysis = analyse(incoming.text, incoming.language, engine=engine)
    return Mention.model_validate(
        {
            **incoming.model_dump(),
            "language": analysis.language,
            "sentiment": analysis.sentiment,
            "intents": analysis.intents,
            "from_brand": incoming in brand,
            "source": source,
        }
    )


class Intake:
    def __init__(
        self,
        archive: Archive,
        relay: OutboxRelay,
        brand: BrandAccounts,
        floods: Floods | None = None,
        engine: Engine = "encoder",
    ) -> None:
        self._archive = archive
        self._relay = relay
        self._brand = brand
        self._floods = floods
        self._engine = engine

    async def accept(
        self, incoming: list[MentionIn], source: Source, *, own_accounts: Iterable[str] = ()
    ) -> list[Accepted]:
        """Store the new mentions (durably, with their events); report duplicates.

        ``own_accounts``: brand accounts this delivery names, besides the configured ones."""
        brand = self._brand.including(own_accounts) if own_accounts else self._brand
        ids = [archive_key(m.platform.value, m.external_id) for m in incoming]
        known = await self._archive.known(ids)
        fresh: dict[str, MentionIn] = {}
        for mention_id, mention in zip(ids, incoming, strict=True):
            if mention_id not in known:
                fresh.setdefault(mention_id, mention)
        # Only mentions not archived yet are analysed: analysis is CPU-bound (the sentiment
        # encoder takes tens of milliseconds a text), so it runs in a worker thread, and a
        # redelivered webhook or a re-imported file costs a look-up, not an analysis.
        mentions = await asyncio.to_thread(
            lambda: [
                canonical(m, brand=brand, source=source, engine=self._engine)
                for m in fresh.values()
            ]
        )
        if self._floods is not None:
            mentions = await self._floods.flag(mentions)
        stored = dict(zip(fresh, await self._archive.accept(mentions), strict=True))
        self._relay.wake()
        results = []
        for mention_id, mention in zip(ids, incoming, strict=True):
            is_new = stored.pop(mention_id, False)  # only the first copy in a batch is new
            status: Literal["accepted", "duplicate"] = "accepted" if is_new else "duplicate"
            results.append(Accepted(mention.platform.value, mention.external_id, status))
        return results
