"""Korean on posts nobody tuned on: ``data/korean_social.tsv`` (how it was written and labelled:
``data/README.md``).

For each way Korean can be read: sentiment macro-recall and accuracy, and complaint precision,
recall and F1 (a complaint is what the pipeline decides: the ``complaint`` intent of ingest's
analysis), on the dev and the test split apart, with the cost in texts per CPU-second (texts/s
per core). The pipeline rows run ``analyse_many`` as ingest does, language detected, once per
sentiment engine setting; the last row sends the posts to the sentence encoder directly, which
the pipeline does not do for Korean today. The test split was never used to choose anything;
dev is for whoever improves the Korean reader.

The older ``data/korean_sentiment.tsv`` was written by the same hands as the Korean lexicon: its
figure is printed for continuity, labelled as not independent.
"""

import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from evaluation.sentiment import agreement, figures, read_tsv
from ingest.analysis import Analysis
from ingest.analysis.batch import analyse_many
from ingest.analysis.encoder_sentiment import encoder_sentiments
from ingest.analysis.intent import classify
from ingest.analysis.language import detect_language
from ingest.analysis.sentiment import Engine, plain
from rapport.events import Intent, SentimentLabel

DATA = Path(__file__).parent / "data"
SOCIAL = DATA / "korean_social.tsv"
WRITTEN_WITH_THE_LEXICON = DATA / "korean_sentiment.tsv"
COLUMNS = ["id", "text", "sentiment", "complaint", "split"]
SPLITS = ("test", "dev")

Reader = Callable[[list[str]], list[Analysis]]


@dataclass(frozen=True)
class Post:
    id: str
    text: str
    sentiment: str
    complaint: bool
    split: str


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_recall: float
    precision: float
    recall: float
    f1: float


def split_of(post_id: str) -> str:
    """Two posts in five are dev, by a fixed hash of the id."""
    return "dev" if zlib.crc32(post_id.encode()) % 5 < 2 else "test"


def load(path: Path = SOCIAL) -> list[Post]:
    """Tab-separated, a header line first; quotes are part of the text. A malformed row raises
    ValueError naming its line."""
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    if header.split("\t") != COLUMNS:
        raise ValueError(f"{path.name}: the header must be {COLUMNS}")
    return [_post(line, number) for number, line in enumerate(lines, start=2)]


def _post(line: str, number: int) -> Post:
    fields = line.split("\t")
    if len(fields) != len(COLUMNS):
        raise ValueError(f"line {number}: {len(fields)} fields, not {len(COLUMNS)}")
    id, text, sentiment, complaint, split = fields
    if not text or text != text.strip():
        raise ValueError(f"line {number}: the text is empty or has spaces around it")
    if sentiment not in set(SentimentLabel):
        raise ValueError(
            f"line {number}: sentiment {sentiment!r} is not negative, neutral or positive"
        )
    if complaint not in ("yes", "no"):
        raise ValueError(f"line {number}: complaint {complaint!r} is not yes or no")
    if split != split_of(id):
        raise ValueError(f"line {number}: {id} belongs to the {split_of(id)} split, not {split!r}")
    return Post(id, text, sentiment, complaint == "yes", split)


def pipeline(engine: Engine) -> Reader:
    def read(texts: list[str]) -> list[Analysis]:
        return [o.analysis for o in analyse_many([(text, None) for text in texts], engine=engine)]

    return read


def encoder_directly(texts: list[str]) -> list[Analysis]:
    sentiments = encoder_sentiments([plain(text) for text in texts])
    return [Analysis("ko", s, classify(t, "ko", s)) for t, s in zip(texts, sentiments, strict=True)]


READERS: dict[str, Reader] = {f"pipeline, engine={e}": pipeline(e) for e in get_args(Engine)} | {
    "encoder directly (not the pipeline's path)": encoder_directly
}


def measure(posts: Sequence[Post], analyses: Sequence[Analysis]) -> Scores:
    accuracy, macro_recall, _ = agreement(
        (post.sentiment, analysis.sentiment.label)
        for post, analysis in zip(posts, analyses, strict=True)
    )
    guessed = [Intent.COMPLAINT in analysis.intents for analysis in analyses]
    hits = sum(post.complaint and guess for post, guess in zip(posts, guessed, strict=True))
    precision = _ratio(hits, sum(guessed))
    recall = _ratio(hits, sum(post.complaint for post in posts))
    return Scores(
        accuracy,
        macro_recall,
        precision,
        recall,
        _ratio(2 * precision * recall, precision + recall),
    )


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def timed(reader: Reader, texts: list[str]) -> tuple[list[Analysis], float]:
    """The analyses and texts per CPU-second (every thread's time counts)."""
    started = time.process_time()
    analyses = reader(texts)
    return analyses, len(texts) / max(time.process_time() - started, 1e-9)


def evaluate(shared: Path | None) -> None:
    """Needs no ../shared data: both Korean sets are committed."""
    del shared
    posts = load()
    sizes = ", ".join(f"{name} {sum(p.split == name for p in posts)}" for name in SPLITS)
    print(f"Korean, on {SOCIAL.name} ({len(posts)} posts: {sizes}), hand-labelled")
    print("  (the test split was never used to choose anything; dev is for tuning)")
    print(
        f"  {'reader':<42} {'split':<5} {'macro-recall':>12} {'accuracy':>8}"
        f"  {'complaint P':>11} {'R':>5} {'F1':>5}  texts/s/core"
    )
    encoder_sentiments(["준비"])  # loads the model outside the timed runs
    texts = [post.text for post in posts]
    for name, reader in READERS.items():
        analyses, speed = timed(reader, texts)
        for split in SPLITS:
            part = [(p, a) for p, a in zip(posts, analyses, strict=True) if p.split == split]
            s = measure([p for p, _ in part], [a for _, a in part])
            print(
                f"  {name:<42} {split:<5} {s.macro_recall:>12.3f} {s.accuracy:>8.3f}"
                f"  {s.precision:>11.3f} {s.recall:>5.3f} {s.f1:>5.3f}  {speed:>12.0f}"
            )
    detected = sum(language == "ko" for language in map(detect_language, texts))
    print(f"  the pipeline detects Korean in {detected} of {len(posts)} posts")
    accuracy, recall, total = figures(read_tsv(WRITTEN_WITH_THE_LEXICON), "ko")
    print(
        f"  {WRITTEN_WITH_THE_LEXICON.name} ({total} sentences), written with the lexicon "
        f"(not independent): macro-recall {recall:.3f}, accuracy {accuracy:.3f}"
    )
