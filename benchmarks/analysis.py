"""Analysis throughput on one core: language, sentiment and intents per mention, in-process.

Texts: the committed demo mentions and evaluation sets, repeated to at least 5,000 calls.
"""

import json
import time
from pathlib import Path

from ingest.analysis import analyse

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


def main() -> None:
    corpus = texts()
    analyse(corpus[0])  # loads models once, outside the timing
    rounds = max(1, 5000 // len(corpus))
    started = time.process_time()
    for _ in range(rounds):
        for text in corpus:
            analyse(text)
    elapsed = time.process_time() - started
    calls = rounds * len(corpus)
    print(f"Analysis (language + sentiment + intents), one core, {calls:,} mentions:")
    print(f"  {calls / elapsed:,.0f} mentions/s ({1000 * elapsed / calls:.2f} ms each, CPU time)")


if __name__ == "__main__":
    main()
