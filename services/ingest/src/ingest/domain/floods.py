"""Copy-paste floods: the same text posted by several authors within a window is spam.

Texts are compared by fingerprint: case-folded, with URLs, @handles, digits, punctuation and
extra whitespace removed, then hashed, so "Win a FREE phone!!! http://x.co/1 @bob" and
"win a free phone @amy http://x.co/2" match. Short texts ("thank you so much") are left alone:
many people write them without copying anyone. Brand replies are never counted (a brand's
templated answers are copy-paste by design).

Each (fingerprint, author) is one sighting, kept one window (``ports.FloodSightings``; in
MongoDB one document upserted atomically, so the count is shared by every replica and a
redelivered mention counts once).
A mention is flagged once its fingerprint has ``authors`` distinct authors within ``window``
of its own creation time, counting itself: from the threshold on (every copy in the same
request included); copies accepted before the threshold was reached are not changed afterwards.
The analysis stage flags after the request, in batches of many requests, so it flags each
request's mentions in turn (``use_cases.flag_floods``), as if each had been flagged when accepted.
"""

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapport.events import Intent, Mention

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

    def fingerprint(self, mention: Mention) -> str | None:
        """The mention's fingerprint, or None if it cannot be part of a flood."""
        if mention.from_brand:
            return None
        return fingerprint(mention.text, min_words=self.min_words)

    def in_flood(self, at: datetime, seen: list[datetime]) -> bool:
        """Whether ``authors`` authors, of those who posted the text at ``seen`` (in time
        order), posted it within ``window`` of ``at``."""
        authors = bisect_right(seen, at + self.window) - bisect_left(seen, at - self.window)
        return authors >= self.authors


def flag(
    mentions: list[Mention],
    prints: Mapping[int, str],
    seen: Mapping[str, list[datetime]],
    rule: FloodRule,
) -> list[Mention]:
    """The mentions, with SPAM added to those (by index in ``prints``) that are in a flood."""
    result = list(mentions)
    for i, fp in prints.items():
        if rule.in_flood(mentions[i].created_at, seen.get(fp, [])):
            result[i] = flagged(mentions[i])
    return result
