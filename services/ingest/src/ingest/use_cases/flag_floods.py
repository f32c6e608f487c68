"""Flag copy-paste floods (``domain.floods``) among analysed mentions, the sightings shared
through ``ports.FloodSightings`` by every replica."""

from collections.abc import Sequence

from ingest.domain.floods import FloodRule, flag
from ingest.ports import FloodSightings, Sighting
from rapport.events import Mention


class Floods:
    def __init__(self, sightings: FloodSightings, rule: FloodRule) -> None:
        self._sightings = sightings
        self._rule = rule

    async def flag_in_turn(self, accepted: Sequence[list[Mention]]) -> list[Mention]:
        """``flag`` the mentions of each request in turn, as if each had been flagged when it
        was accepted; consecutive requests that share no fingerprint are flagged together."""
        flagged: list[Mention] = []
        wave: list[Mention] = []
        seen: set[str] = set()
        for mentions in accepted:
            prints = {fp for m in mentions if (fp := self._rule.fingerprint(m))}
            if prints & seen:
                flagged += await self.flag(wave)
                wave, seen = [], set()
            wave += mentions
            seen |= prints
        return flagged + await self.flag(wave)

    async def flag(self, mentions: list[Mention]) -> list[Mention]:
        """The mentions, with SPAM added to those that are part of a flood."""
        prints = {i: fp for i, m in enumerate(mentions) if (fp := self._rule.fingerprint(m))}
        if not prints:
            return mentions
        await self._sightings.record(
            [
                Sighting(fp, mentions[i].author_key, mentions[i].created_at)
                for i, fp in prints.items()
            ]
        )
        times = [mentions[i].created_at for i in prints]
        window = self._rule.window
        seen = await self._sightings.seen(
            set(prints.values()), min(times) - window, max(times) + window
        )
        return flag(mentions, prints, seen, self._rule)
