"""English sentiment, the fast engine: VADER's lexicon and rules (vaderSentiment wheel, MIT).

Handles, links and the ``#`` of hashtags carry no sentiment for VADER and are dropped first, so
"#fail" reads as "fail". The lexicon ships inside the wheel: nothing is downloaded.
"""

import re
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

_HANDLE_OR_LINK = re.compile(r"@\w+|https?://\S+")
_HASHTAG = re.compile(r"#(\w)")


@cache
def analyzer() -> SentimentIntensityAnalyzer:
    """Loads the lexicon once (about 0.1 s)."""
    return SentimentIntensityAnalyzer()


def english_score(text: str) -> float:
    """VADER's compound score, in [-1, 1]."""
    text = _HASHTAG.sub(r"\1", _HANDLE_OR_LINK.sub(" ", text))
    compound: float = analyzer().polarity_scores(text)["compound"]
    return compound
