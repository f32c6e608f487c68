"""One way in for every source (API, webhooks, imports): canonicalise, archive, answer."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from ingest.analysis.batch import NEUTRAL
from ingest.domain.normalize import MentionIn
from ingest.repository import Archive
from rapport.events import Mention, Source


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
    analysis stage, ``ingest.analyser``, publishes them), and ``stored`` is called to wake it."""

    def __init__(
        self, archive: Archive, brand: BrandAccounts, *, stored: Callable[[], None] = lambda: None
    ) -> None:
        self._archive = archive
        self._brand = brand
        self._stored = stored

    async def accept(
        self,
        incoming: list[MentionIn],
        source: Source,
        *,
        own_accounts: Iterable[str] = (),
        import_id: str | None = None,
    ) -> list[Accepted]:
        """Store the new mentions durably; report duplicates.

        ``own_accounts``: brand accounts this delivery names, besides the configured ones."""
        brand = self._brand.including(own_accounts) if own_accounts else self._brand
        mentions = [provisional(m, brand=brand, source=source) for m in incoming]
        stored = await self._archive.accept(mentions, import_id=import_id)
        self._stored()
        return [
            Accepted(m.platform.value, m.external_id, "accepted" if new else "duplicate")
            for m, new in zip(incoming, stored, strict=True)
        ]
