"""Sentiment figures in English: TweetEval's validation set and airline tweets (Korean: ``korean``).

English is scored only when ../shared/data holds ``tweeteval_sentiment_val.tsv`` (labels 0, 1, 2
for negative, neutral, positive). TweetEval was looked at to choose the encoder's configuration,
so a second English set no choice was made on is scored too when present: a fixed sample of
``airline_sentiment.csv`` (tweets to US airlines, labelled negative, neutral, positive).
"""

import csv
import pathlib
import random
from collections.abc import Iterable

from ingest.analysis.sentiment import Engine, score

HERE = pathlib.Path(__file__).parent
TWEETEVAL = "tweeteval_sentiment_val.tsv"
TWEETEVAL_LABELS = {"0": "negative", "1": "neutral", "2": "positive"}
VADER_MACRO_RECALL = 0.598
AIRLINE = "airline_sentiment.csv"
AIRLINE_SAMPLE = 1500


def figures(
    pairs: Iterable[tuple[str, str]], language: str, engine: Engine = "encoder"
) -> tuple[float, float, int]:
    """Accuracy and macro-recall of ``score`` over (label, text) pairs, and their count."""
    return agreement((label, score(text, language, engine=engine).label) for label, text in pairs)


def agreement(pairs: Iterable[tuple[str, str]]) -> tuple[float, float, int]:
    """Accuracy and macro-recall over (label, guess) pairs, and their count."""
    hits: dict[str, list[bool]] = {}
    for label, guess in pairs:
        hits.setdefault(label, []).append(guess == label)
    total = sum(len(h) for h in hits.values())
    accuracy = sum(sum(h) for h in hits.values()) / total
    macro_recall = sum(sum(h) / len(h) for h in hits.values()) / len(hits)
    return accuracy, macro_recall, total


def read_tsv(path: pathlib.Path) -> list[tuple[str, str]]:
    """label<TAB>text lines; quotes are part of the text (no CSV quoting)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(label, text.strip()) for label, text in (line.split("\t", 1) for line in lines)]


def airline_sample(path: pathlib.Path) -> list[tuple[str, str]]:
    """The same ``AIRLINE_SAMPLE`` (label, text) pairs every run (seed 0)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        rows = [(r["airline_sentiment"], r["text"]) for r in csv.DictReader(f)]
    return random.Random(0).sample(rows, min(AIRLINE_SAMPLE, len(rows)))


def print_english(name: str, pairs: list[tuple[str, str]]) -> None:
    for engine in ("encoder", "lexicon"):
        accuracy, recall, total = figures(pairs, "en", engine)
        print(
            f"  English, {name} ({total} tweets), {engine} engine: "
            f"macro-recall {recall:.3f}, accuracy {accuracy:.3f}"
        )


def evaluate(shared: pathlib.Path | None) -> None:
    print("Sentiment")
    if shared is not None and (shared / TWEETEVAL).is_file():
        pairs = [(TWEETEVAL_LABELS[label], text) for label, text in read_tsv(shared / TWEETEVAL)]
        print_english("TweetEval validation", pairs)
        print(f"  (the issue's VADER baseline: macro-recall {VADER_MACRO_RECALL})")
    else:
        print(f"  English: {TWEETEVAL} is absent from the shared data; not scored.")
    if shared is not None and (shared / AIRLINE).is_file():
        print_english("airline tweets, a fixed sample", airline_sample(shared / AIRLINE))
    else:
        print(f"  English: {AIRLINE} is absent from the shared data; not scored.")


if __name__ == "__main__":
    evaluate(HERE.parents[1] / "shared" / "data")
