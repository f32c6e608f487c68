"""`make eval`: how well ingest understands mentions, on the evaluation data.

Figures that need ../shared/data (the public corpora) are printed only when it is present, and
the report says plainly when it is not; the sets committed under evaluation/data always run.
"""

from pathlib import Path

from evaluation import intent, korean, sentiment

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    shared = SHARED if SHARED.is_dir() else None
    if shared is None:
        print(f"{SHARED} is absent: figures on the public corpora are skipped.\n")
    sentiment.evaluate(shared)
    print()
    korean.evaluate(shared)
    print()
    intent.evaluate(shared)


if __name__ == "__main__":
    main()
