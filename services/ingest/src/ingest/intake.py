"""One way in for every source (API, webhooks, imports): canonicalise, analyse, archive, relay."""

from dataclasses import dataclass
from typing import Literal

from ingest.analysis import analyse
from ingest.domain.normalize import MentionIn
from ingest.repository import Archive
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


def canonical(incoming: MentionIn, *, brand: BrandAccounts, source: Source) -> Mention:
    analysis = analyse(incoming.text, incoming.language)
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
    def __init__(self, archive: Archive, relay: OutboxRelay, brand: BrandAccounts) -> None:
        self._archive = archive
        self._relay = relay
        self._brand = brand

    async def accept(self, incoming: list[MentionIn], source: Source) -> list[Accepted]:
        """Store the new mentions (durably, with their events); report duplicates."""
        mentions = [canonical(m, brand=self._brand, source=source) for m in incoming]
        new = await self._archive.accept(mentions)
        self._relay.wake()
        return [
            Accepted(m.platform.value, m.external_id, "accepted" if is_new else "duplicate")
            for m, is_new in zip(mentions, new, strict=True)
        ]
