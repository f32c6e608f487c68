"""Understanding a mention's text: language, sentiment, intents. Pure functions, no I/O."""

from dataclasses import dataclass

from ingest.analysis.intent import classify
from ingest.analysis.language import detect_language
from ingest.analysis.sentiment import Engine, score
from rapport.events import Intent, Sentiment


@dataclass(frozen=True)
class Analysis:
    language: str
    sentiment: Sentiment
    intents: list[Intent]


def analyse(text: str, language: str | None = None, *, engine: Engine = "encoder") -> Analysis:
    """``language``: what the source says, if anything; detected otherwise. ``engine``: the
    sentiment engine for languages other than Korean (see ``sentiment``)."""
    language = language or detect_language(text)
    sentiment = score(text, language, engine=engine)
    return Analysis(language, sentiment, classify(text, language, sentiment))
