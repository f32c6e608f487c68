"""Intent classification on the committed, hand-labelled set ``data/intent_eval.jsonl``.

One JSON object a line: ``{"text", "language": "en"|"ko", "intents": [...]}``. English rows are
customer tweets from the public corpora (Customer Support on Twitter, Twitter US Airline
Sentiment) and mentions we wrote; Korean rows are all ours. Labelling guide:

- complaint: the author reports a problem or a bad experience with the brand's product or
  service that is not yet put right (it broke, never came, was charged twice, rude staff,
  endless hold), also when said calmly or with sarcasm. A problem already fixed, told with
  thanks, is praise only. General negativity with no problem of the author's is not.
- question: the author asks something the brand could answer or do (with or without "?").
- purchase_intent: the author means or considers buying, ordering, booking, upgrading or
  subscribing, or asks price or availability in order to buy.
- praise: appreciation of the brand, product, service or staff; thanks as the point of the
  message (not a polite "thanks" closing a question or complaint).
- feature_request: asks for something the product or service does not do or no longer does.
- churn_risk: the author says they are leaving, cancelling, switching or will not come back.
- spam: bait and promotion unrelated to a conversation with the brand (follow-for-follow,
  crypto and money schemes, giveaways and promotions behind links, repeated-character noise);
  spam rows carry no other intent.
- other: none of the above (alone).

Rows whose CRC32 of the text is divisible by 3 are the *dev* split: the rules in
``ingest.analysis.intent_cues`` were tuned by looking at dev errors only; the *test* split (the
other two thirds) was only measured. Figures are printed for both and for all rows.
"""

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.analysis.intent import classify
from ingest.analysis.sentiment import score
from rapport.events import Intent

EVAL_SET = Path(__file__).parent / "data" / "intent_eval.jsonl"


@dataclass(frozen=True)
class Labelled:
    text: str
    language: str
    intents: frozenset[Intent]

    @property
    def split(self) -> str:
        return "dev" if zlib.crc32(self.text.encode()) % 3 == 0 else "test"


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    support: int


def load(path: Path = EVAL_SET) -> list[Labelled]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [Labelled(r["text"], r["language"], frozenset(map(Intent, r["intents"]))) for r in rows]


def predict(row: Labelled) -> frozenset[Intent]:
    return frozenset(classify(row.text, row.language, score(row.text, row.language)))


def measure(rows: Iterable[Labelled]) -> dict[Intent, Figures]:
    """Per-intent precision, recall and support (rows labelled with the intent)."""
    true_pos = dict.fromkeys(Intent, 0)
    predicted = dict.fromkeys(Intent, 0)
    actual = dict.fromkeys(Intent, 0)
    for row in rows:
        guess = predict(row)
        for intent in Intent:
            true_pos[intent] += intent in guess and intent in row.intents
            predicted[intent] += intent in guess
            actual[intent] += intent in row.intents
    return {
        intent: Figures(
            _ratio(true_pos[intent], predicted[intent]),
            _ratio(true_pos[intent], actual[intent]),
            actual[intent],
        )
        for intent in Intent
    }


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _print_table(title: str, figures: dict[Intent, Figures]) -> None:
    print(f"{title}\n  {'intent':<16} {'precision':>9} {'recall':>7} {'support':>8}")
    for intent, f in figures.items():
        print(f"  {intent.value:<16} {f.precision:>9.3f} {f.recall:>7.3f} {f.support:>8}")
    present = [f for f in figures.values() if f.support]
    macro_p = sum(f.precision for f in present) / len(present)
    macro_r = sum(f.recall for f in present) / len(present)
    print(f"  {'macro average':<16} {macro_p:>9.3f} {macro_r:>7.3f}")


def _micro(rows: list[Labelled]) -> tuple[float, float]:
    guesses = [(predict(row), row.intents) for row in rows]
    hits = sum(len(guess & truth) for guess, truth in guesses)
    return (
        _ratio(hits, sum(len(guess) for guess, _ in guesses)),
        _ratio(hits, sum(len(truth) for _, truth in guesses)),
    )


def evaluate(shared: Path | None) -> None:
    """Needs no ../shared data: the labelled set is committed."""
    del shared
    rows = load()
    print(f"Intent, on {EVAL_SET.name} ({len(rows)} mentions, hand-labelled):")
    for name in ("test", "dev", "all"):
        part = rows if name == "all" else [r for r in rows if r.split == name]
        figures = measure(part)
        _print_table(f"\n{name} split, {len(part)} mentions", figures)
        micro_p, micro_r = _micro(part)
        print(f"  {'micro average':<16} {micro_p:>9.3f} {micro_r:>7.3f}")
        complaint = figures[Intent.COMPLAINT]
        print(
            f"  COMPLAINT: precision {complaint.precision:.3f}, recall {complaint.recall:.3f}"
            f" ({complaint.support} complaints)"
        )
