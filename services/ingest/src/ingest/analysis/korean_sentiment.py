"""Korean sentiment from a lexicon of stems, with negation and intensifiers.

Korean glues endings and particles onto stems, so the lexicon (``models/korean_lexicon.tsv``)
holds stems matched inside words, longest first. A stem is negated by 안/못 before it ("안
좋아요"), by -지 않/-지 못 after it ("나쁘지 않네요"), and a negative one by 없 after it
("불량 없이"); a negated verb with no sentiment of its own is a mild complaint ("안 와요").
"""

import math
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

INTENSIFIERS = frozenset(
    ["너무", "정말", "진짜", "완전", "엄청", "매우", "아주", "넘", "진심", "겁나", "제일", "참"]
)
NEGATED_FLIP = -0.7
INTENSIFIED = 1.5
NEGATED_VERB = -1.0
SCALE = 4.0


@dataclass(frozen=True)
class Lexicon:
    weights: dict[str, float]
    pattern: re.Pattern[str]


@cache
def lexicon() -> Lexicon:
    """The shipped lexicon, read once."""
    text = files("ingest.analysis.models").joinpath("korean_lexicon.tsv").read_text("utf-8")
    weights = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            stem, weight = line.split("\t")
            weights[stem] = float(weight)
    stems = sorted(weights, key=len, reverse=True)
    return Lexicon(weights, re.compile("|".join(map(re.escape, stems))))


_NEGATOR_BEFORE = re.compile(r"(?:^|\s)[안못]\s?$")
_NEGATOR_AFTER = re.compile(r"\S*지\s?[않못]")
_ABSENCE_AFTER = re.compile(r"\s?없")
_INTENSIFIER_BEFORE = re.compile(r"(?:^|\s)(\S+)\s$")


def _negated(text: str, start: int, end: int, weight: float) -> bool:
    if _NEGATOR_BEFORE.search(text[:start]) or _NEGATOR_AFTER.match(text, end):
        return True
    return weight < 0 and _ABSENCE_AFTER.match(text, end) is not None


def _intensified(text: str, start: int) -> bool:
    before = _INTENSIFIER_BEFORE.search(text[:start])
    return before is not None and before.group(1) in INTENSIFIERS


def _sentiment_hits(text: str) -> tuple[float, list[tuple[int, int]]]:
    found = lexicon()
    total = 0.0
    spans = []
    for match in found.pattern.finditer(text):
        weight = found.weights[match.group()]
        if _negated(text, match.start(), match.end(), weight):
            weight *= NEGATED_FLIP
        if _intensified(text, match.start()):
            weight *= INTENSIFIED
        total += weight
        spans.append(match.span())
    return total, spans


def _negated_verbs(text: str, spans: list[tuple[int, int]]) -> int:
    """Negated words with no sentiment of their own: "안 와요", "같지 않아요"."""
    count = 0
    for match in re.finditer(r"(?:^|\s)(?:안|못)\s?(\S+)|(\S+)지\s?(?:않|못)", text):
        if not any(start < match.end() and match.start() < end for start, end in spans):
            count += 1
    return count


def korean_score(text: str) -> float:
    """A score in [-1, 1]: the summed stem weights, squashed."""
    total, spans = _sentiment_hits(text)
    total += NEGATED_VERB * _negated_verbs(text, spans)
    return total / math.sqrt(total * total + SCALE)
