"""Batched analysis: the same labels as one text at a time, and a failing text fails alone."""

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.analyser.pool import AnalysisPool
from ingest.analysis import Analysis, analyse, batch
from ingest.analysis.batch import NEUTRAL, Outcome, analyse_many
from ingest.analysis.encoder_sentiment import encoder_sentiment, encoder_sentiments
from ingest.analysis.sentiment import Engine, plain, score
from rapport.events import Intent, SentimentLabel

REPO = Path(__file__).resolve().parents[4]


def corpus(count: int) -> list[str]:
    demo = json.loads((REPO / "deploy/local/demo/mentions.json").read_text())["mentions"]
    intents = (REPO / "evaluation/data/intent_eval.jsonl").read_text().splitlines()
    texts = [m["text"] for m in demo] + [json.loads(line)["text"] for line in intents if line]
    return texts[:count]


@pytest.mark.slow
def test_the_encoders_batched_call_gives_the_labels_and_scores_of_single_calls() -> None:
    texts = [plain(text) for text in corpus(48)]
    alone = [encoder_sentiment(text) for text in texts]
    by_length = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    assert [alone[i] for i in by_length] != alone  # answers sorted by length cannot pass
    assert {s.label for s in alone} == set(SentimentLabel)
    assert encoder_sentiments(texts) == alone


@pytest.mark.parametrize("engine", [pytest.param("encoder", marks=pytest.mark.slow), "lexicon"])
def test_a_batch_is_analysed_as_each_text_alone(engine: Engine) -> None:
    texts = corpus(24)
    alone = [Outcome(analyse(text, engine=engine)) for text in texts]
    assert analyse_many([(text, None) for text in texts], engine=engine) == alone


def test_a_language_given_by_the_source_is_kept() -> None:
    (outcome,) = analyse_many([("Me encanta la cafetera", "es")], engine="lexicon")
    assert outcome.analysis.language == "es"


def test_a_text_that_fails_gets_defaults_and_its_neighbours_their_analysis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fails_on_one(text: str, *args: Any, **kwargs: Any) -> Any:
        if "unreadable" in text:
            raise ValueError("cannot read")
        return score(text, *args, **kwargs)

    def batch_fails(texts: list[str]) -> Any:
        raise ValueError("one text spoils the batch call")

    monkeypatch.setattr(batch, "score", fails_on_one)
    monkeypatch.setattr(batch, "encoder_sentiments", batch_fails)
    texts = ["I love this grinder", "unreadable: my order never arrived", "What time is it?"]

    outcomes = analyse_many([(text, None) for text in texts], engine="encoder")

    assert [o.failure for o in outcomes] == [None, "ValueError", None]
    assert outcomes[1].analysis == Analysis("en", NEUTRAL, [Intent.COMPLAINT])
    assert [o.analysis for o in outcomes[::2]] == [analyse(texts[0]), analyse(texts[2])]


@pytest.mark.slow
async def test_the_pool_spreads_a_batch_over_worker_processes_and_keeps_its_order() -> None:
    texts = corpus(60)
    pool = AnalysisPool("lexicon", processes=2)
    try:
        outcomes = await pool.analyse([(text, None) for text in texts])
    finally:
        pool.close()
    assert outcomes == analyse_many([(text, None) for text in texts], engine="lexicon")
