"""Analysis throughput on one core: language, sentiment and intents per mention, in-process.

Texts: the committed demo mentions and evaluation sets, once each with the sentence encoder
(the default sentiment engine), repeated to at least 5,000 calls with the VADER lexicon.
"""

import json
import time
from pathlib import Path

from ingest.analysis import analyse
from ingest.analysis.sentiment import Engine

REPO = Path(__file__).resolve().parents[1]


def texts() -> list[str]:
    found = [
        m["text"]
        for m in json.loads((REPO / "deploy/local/demo/mentions.json").read_text())["mentions"]
    ]
    intent_set = REPO / "evaluation/data/intent_eval.jsonl"
    if intent_set.exists():
        found += [json.loads(line)["text"] for line in intent_set.read_text().splitlines() if line]
    korean = REPO / "evaluation/data/korean_sentiment.tsv"
    if korean.exists():
        found += [
            line.split("\t", 1)[1] for line in korean.read_text().splitlines() if "\t" in line
        ]
    return found


def measure(corpus: list[str], engine: Engine, calls: int, limit_s: float = float("inf")) -> float:
    """Mentions analysed per second of this process's CPU time, over ``calls`` texts or as
    many as ``limit_s`` seconds of the wall clock allow."""
    analyse(corpus[0], engine=engine)  # loads models once, outside the timing
    started, deadline = time.process_time(), time.monotonic() + limit_s
    done = 0
    while done < calls and time.monotonic() < deadline:
        analyse(corpus[done % len(corpus)], engine=engine)
        done += 1
    elapsed = time.process_time() - started
    print(f"Analysis (language + sentiment + intents), {engine} sentiment, {done:,} mentions:")
    print(f"  {done / elapsed:,.0f} mentions/s on one core ({1000 * elapsed / done:.2f} ms each)")
    return done / elapsed


def main() -> None:
    corpus = texts()
    measure(corpus, "encoder", len(corpus))
    measure(corpus, "lexicon", 5000)


if __name__ == "__main__":
    main()
