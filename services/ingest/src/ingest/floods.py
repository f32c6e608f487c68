"""Copy-paste floods: the same text posted by several authors within a window is spam.

Texts are compared by fingerprint: case-folded, with URLs, @handles, digits, punctuation and
extra whitespace removed, then hashed, so "Win a FREE phone!!! http://x.co/1 @bob" and
"win a free phone @amy http://x.co/2" match. Short texts ("thank you so much") are left alone:
many people write them without copying anyone. Brand replies are never counted (a brand's
templated answers are copy-paste by design).

Each (fingerprint, author) is one MongoDB document, upserted atomically and kept one window
by a TTL index, so the count is shared by every replica and a redelivered mention counts once.
A mention is flagged once its fingerprint has ``authors`` distinct authors within ``window``
of its own creation time, counting itself: from the threshold on (every copy in the same
request included); copies accepted before the threshold was reached are not changed afterwards.
The analysis stage flags after the request, in batches of many requests, so it flags each
request's mentions in turn (``flag_in_turn``), as if each had been flagged when accepted.
"""

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from pymongo import IndexModel, UpdateOne

from ingest.settings import IngestSettings
from rapport.clock import utcnow
from rapport.events import Intent, Mention
from rapport.mongo import Database

COLLECTION = "flood_fingerprints"
INDEXES = {
    COLLECTION: [
        IndexModel([("fingerprint", 1), ("seen_at", 1)]),
        IndexModel("expires_at", expireAfterSeconds=0),
    ]
}

_URLS = re.compile(r"https?://\S+|www\.\S+")
_HANDLES = re.compile(r"@\w+")
_NOISE = re.compile(r"[\d_]+|[^\w\s]+")


def normalise(text: str) -> str:
    text = _HANDLES.sub(" ", _URLS.sub(" ", text.casefold()))
    return " ".join(_NOISE.sub(" ", text).split())


def fingerprint(text: str, *, min_words: int) -> str | None:
    """The text's fingerprint, or None when it is too short to tell copying from coincidence."""
    words = normalise(text)
    if len(words.split()) < min_words:
        return None
    return hashlib.sha256(words.encode()).hexdigest()[:32]


def flagged(mention: Mention) -> Mention:
    intents = [i for i in mention.intents if i is not Intent.OTHER and i is not Intent.SPAM]
    return mention.model_copy(update={"intents": [*intents, Intent.SPAM]})


@dataclass(frozen=True)
class FloodRule:
    authors: int = 3
    window: timedelta = timedelta(minutes=10)
    min_words: int = 5

    @classmethod
    def of(cls, settings: IngestSettings) -> "FloodRule":
        window = timedelta(seconds=settings.flood_window_s)
        return cls(settings.flood_authors, window, settings.flood_min_words)


class Floods(Protocol):
    async def flag_in_turn(self, accepted: Sequence[list[Mention]]) -> list[Mention]: ...


class MongoFloods:
    def __init__(self, db: Database, rule: FloodRule) -> None:
        self._seen = db[COLLECTION]
        self._rule = rule

    async def flag_in_turn(self, accepted: Sequence[list[Mention]]) -> list[Mention]:
        """``flag`` the mentions of each request in turn, as if each had been flagged when it
        was accepted; consecutive requests that share no fingerprint are flagged together."""
        flagged: list[Mention] = []
        wave: list[Mention] = []
        seen: set[str] = set()
        for mentions in accepted:
            prints = {fp for m in mentions if (fp := self._fingerprint(m))}
            if prints & seen:
                flagged += await self.flag(wave)
                wave, seen = [], set()
            wave += mentions
            seen |= prints
        return flagged + await self.flag(wave)

    def _fingerprint(self, mention: Mention) -> str | None:
        if mention.from_brand:
            return None
        return fingerprint(mention.text, min_words=self._rule.min_words)

    async def flag(self, mentions: list[Mention]) -> list[Mention]:
        """The mentions, with SPAM added to those that are part of a flood."""
        prints = {i: fp for i, m in enumerate(mentions) if (fp := self._fingerprint(m))}
        if not prints:
            return mentions
        await self._record(mentions, prints)
        seen = await self._seen_around(mentions, prints)
        window = self._rule.window
        result = list(mentions)
        for i, fp in prints.items():
            at, times = mentions[i].created_at, seen.get(fp, [])
            authors = bisect_right(times, at + window) - bisect_left(times, at - window)
            if authors >= self._rule.authors:
                result[i] = flagged(mentions[i])
        return result

    async def _record(self, mentions: list[Mention], prints: dict[int, str]) -> None:
        expires_at = utcnow() + self._rule.window
        await self._seen.bulk_write(
            [
                UpdateOne(
                    {"_id": f"{fp}:{mentions[i].author_key}"},
                    {
                        "$set": {"fingerprint": fp, "expires_at": expires_at},
                        "$max": {"seen_at": mentions[i].created_at},
                    },
                    upsert=True,
                )
                for i, fp in prints.items()
            ],
            ordered=False,
        )

    async def _seen_around(
        self, mentions: list[Mention], prints: dict[int, str]
    ) -> dict[str, list[datetime]]:
        """fingerprint -> when each author posted it last, in time order."""
        times = [mentions[i].created_at for i in prints]
        query = {
            "fingerprint": {"$in": sorted(set(prints.values()))},
            "seen_at": {
                "$gte": min(times) - self._rule.window,
                "$lte": max(times) + self._rule.window,
            },
        }
        seen: dict[str, list[datetime]] = {}
        async for doc in self._seen.find(query, {"fingerprint": 1, "seen_at": 1}):
            seen.setdefault(doc["fingerprint"], []).append(doc["seen_at"])
        return {fp: sorted(times) for fp, times in seen.items()}
