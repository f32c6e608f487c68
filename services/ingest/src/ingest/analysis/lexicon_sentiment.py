"""English sentiment, the fast engine: VADER's lexicon and rules (vaderSentiment wheel, MIT).

The lexicon ships inside the wheel: nothing is downloaded.
"""

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]


@cache
def analyzer() -> SentimentIntensityAnalyzer:
    """Loads the lexicon once (about 0.1 s)."""
    return SentimentIntensityAnalyzer()


def english_score(text: str) -> float:
    """VADER's compound score, in [-1, 1]."""
    compound: float = analyzer().polarity_scores(text)["compound"]
    return compound
