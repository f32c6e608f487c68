"""Look-alike profiles: similar handles or display names, offered to a human, never merged.

A name is compared in a normal form (lower case, letters and digits only, trailing digits
dropped: "Coffee_Jo88" -> "coffeejo"). Candidates share a blocking key (the first four letters
of a normal name, stored as ``match_keys``); two names are alike when difflib's ratio is at
least ``min_similarity`` (0.8 by default).
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from profiles.domain.model import Profile

NOT_NAME = re.compile(r"[\W_]+")
TRAILING_DIGITS = re.compile(r"\d+$")
BLOCK = 4


@dataclass(frozen=True)
class Likeness:
    similarity: float
    names: tuple[str, str]
    """The closest pair: (a name of the profile, a name of the look-alike)."""


def normal(name: str) -> str:
    return TRAILING_DIGITS.sub("", NOT_NAME.sub("", name.lower()))


def names(profile: Profile) -> list[str]:
    found = {normal(n) for i in profile.identities for n in (i.handle, i.display_name) if n}
    return sorted(n for n in found if len(n) >= BLOCK)


def match_keys(profile: Profile) -> list[str]:
    return sorted({n[:BLOCK] for n in names(profile)})


def likeness(profile: Profile, other: Profile) -> Likeness | None:
    pairs = [(a, b) for a in names(profile) for b in names(other)]
    if not pairs:
        return None
    best = max(pairs, key=lambda pair: SequenceMatcher(None, *pair).ratio())
    return Likeness(round(SequenceMatcher(None, *best).ratio(), 3), best)


def lookalikes(
    profile: Profile, candidates: list[Profile], min_similarity: float
) -> list[tuple[Profile, Likeness]]:
    """The candidates alike enough, most alike first; rejected ones and itself left out."""
    found = []
    for other in candidates:
        if other.id == profile.id or other.id in profile.rejected_suggestions:
            continue
        alike = likeness(profile, other)
        if alike is not None and alike.similarity >= min_similarity:
            found.append((other, alike))
    return sorted(found, key=lambda pair: -pair[1].similarity)
