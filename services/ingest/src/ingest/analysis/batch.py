"""Many mentions at once, as the analysis stage reads them: the sentence encoder takes all the
batch's texts in one call, with the same labels as one at a time.

One text that cannot be analysed fails alone: if the batched call raises, its texts are read
one at a time, and a step that still fails for a text falls back to a neutral default (language
``en``, sentiment neutral 0.0, intents from the cues, else ``other``). The outcome then names
the error's type (never the text), so the stage can record the failure and publish the mention
anyway: a complaint the encoder cannot read must still reach a human.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ingest.analysis import Analysis
from ingest.analysis.encoder_sentiment import encoder_sentiments
from ingest.analysis.intent import classify
from ingest.analysis.language import DEFAULT, detect_language
from ingest.analysis.sentiment import Engine, plain, score
from rapport.events import Intent, Sentiment, SentimentLabel
from rapport.failures import error_type

NEUTRAL = Sentiment(score=0.0, label=SentimentLabel.NEUTRAL)
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    analysis: Analysis
    failure: str | None = None
    """The type of the error that made part of the analysis a default, if one did."""


def analyse_many(
    items: Sequence[tuple[str, str | None]], *, engine: Engine = "encoder"
) -> list[Outcome]:
    """(text, language the source gave or None) in, one outcome each, in order."""
    failures: dict[int, str] = {}

    def step(i: int, default: T, work: Callable[[], T]) -> T:
        try:
            return work()
        except Exception as error:
            failures[i] = error_type(error)
            return default

    languages = [
        step(i, DEFAULT, lambda: given or detect_language(text))  # noqa: B023 - called at once
        for i, (text, given) in enumerate(items)
    ]
    encoded = [i for i, lang in enumerate(languages) if engine == "encoder" and lang != "ko"]
    batched: dict[int, Sentiment] = {}
    try:
        sentiments = encoder_sentiments([plain(items[i][0]) for i in encoded])
        batched = dict(zip(encoded, sentiments, strict=True))
    except Exception:  # one bad text: the texts are read one at a time below
        pass
    outcomes = []
    for i, ((text, _), language) in enumerate(zip(items, languages, strict=True)):
        sentiment = batched.get(i) or step(
            i,
            NEUTRAL,
            lambda: score(text, language, engine=engine),  # noqa: B023
        )
        analysis = step(
            i,
            Analysis(language, sentiment, [Intent.OTHER]),
            lambda: Analysis(language, sentiment, classify(text, language, sentiment)),  # noqa: B023
        )
        outcomes.append(Outcome(analysis, failures.get(i)))
    return outcomes
