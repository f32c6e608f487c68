"""The Korean evaluation set (evaluation/data/korean_social.tsv) is well formed and independent
of what the Korean lexicon was written with; its figures are computed as documented."""

import json
from pathlib import Path

import pytest

from evaluation.korean import COLUMNS, SOCIAL, WRITTEN_WITH_THE_LEXICON, Post, load, measure
from ingest.analysis import Analysis
from rapport.events import Intent, Sentiment, SentimentLabel

REPO = Path(__file__).resolve().parents[4]
LEXICON = REPO / "services/ingest/src/ingest/analysis/models/korean_lexicon.tsv"
INTENT_SET = REPO / "evaluation/data/intent_eval.jsonl"
HEADER = "\t".join(COLUMNS)


def normal(text: str) -> str:
    return " ".join(text.split())


def test_the_set_is_large_with_unique_ids_and_texts() -> None:
    posts = load()
    assert len(posts) >= 600
    assert len({p.id for p in posts}) == len(posts)
    assert len({normal(p.text) for p in posts}) == len(posts)


def test_both_splits_carry_every_class() -> None:
    posts = load()
    for split in ("dev", "test"):
        part = [p for p in posts if p.split == split]
        assert {p.sentiment for p in part} == set(SentimentLabel), split
        assert {p.complaint for p in part} == {True, False}, split
    assert 0.3 < sum(p.split == "dev" for p in posts) / len(posts) < 0.5


def test_no_post_repeats_the_lexicon_or_the_sets_written_with_it() -> None:
    lexicon = {
        line.split("\t")[0]
        for line in LEXICON.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    old = {
        normal(line.split("\t", 1)[1]) for line in WRITTEN_WITH_THE_LEXICON.read_text().splitlines()
    }
    rows = map(json.loads, INTENT_SET.read_text(encoding="utf-8").splitlines())
    intent_korean = {normal(row["text"]) for row in rows if row["language"] == "ko"}
    texts = {normal(p.text) for p in load()}
    assert not texts & lexicon
    assert not texts & old
    assert not texts & intent_korean


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("ko-0001\t배송이 늦어요\tnegative\tyes", "fields"),
        ("ko-0001\t배송이 늦어요\tangry\tyes\ttest", "sentiment 'angry'"),
        ("ko-0001\t배송이 늦어요\tnegative\tmaybe\ttest", "complaint 'maybe'"),
        ("ko-0001\t배송이 늦어요\tnegative\tyes\tdev", "belongs to the test split"),
        ("ko-0001\t \tnegative\tyes\ttest", "text is empty"),
    ],
)
def test_a_malformed_row_is_refused_with_its_reason(tmp_path: Path, row: str, reason: str) -> None:
    data = tmp_path / SOCIAL.name
    data.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=reason):
        load(data)


def analysis(label: SentimentLabel, complaint: bool) -> Analysis:
    intents = [Intent.COMPLAINT] if complaint else [Intent.OTHER]
    return Analysis("ko", Sentiment(score=0.0, label=label), intents)


def test_measure_scores_sentiment_and_complaints_against_the_labels() -> None:
    neg, neu, pos = SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE
    posts = [
        Post("a", "a", neg, True, "dev"),
        Post("b", "b", neg, True, "dev"),
        Post("c", "c", neu, False, "dev"),
        Post("d", "d", pos, False, "dev"),
    ]
    guesses = [analysis(neg, True), analysis(neu, False), analysis(neu, True), analysis(pos, False)]
    scores = measure(posts, guesses)
    assert scores.accuracy == 3 / 4
    assert scores.macro_recall == (1 / 2 + 1 + 1) / 3
    assert scores.precision == 1 / 2
    assert scores.recall == 1 / 2
    assert scores.f1 == 1 / 2
