"""Crisis detection.

Negative spike: the authors of negative mentions are counted per subject (every negative
mention counts for "all", for each of its intents as "intent:<name>" and for each configured
keyword in its text as "keyword:<word>") in fixed buckets of platform time (10 minutes). A
bucket is a spike when its count reaches

    threshold = max(min_volume, mean + sigmas · max(stdev, √mean))

over the ``history`` buckets before it (24, four hours; missing buckets count 0): a z-score
against the subject's own rolling baseline, with a Poisson floor (√mean) so a quiet subject
does not alarm on noise, and a minimum volume (20 authors). Authors, not mentions: one angry
customer posting fifty times is a case, not a crisis. The alert clears when a later bucket of the
subject ends below its threshold.

Viral negative post: a negative mention whose shares grow at ``viral_shares_per_hour`` (100/h)
or faster, with at least ``viral_min_shares`` (50): shares divided by the post's age when seen
(at least five minutes, so a brand-new post is not divided by zero).
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel, Field

from rapport.events import Mention

MIN_AGE = timedelta(minutes=5)


class SpikeRule(BaseModel):
    bucket_s: int = Field(600, ge=60)
    history: int = Field(24, ge=2, le=1000)
    sigmas: float = Field(3.0, gt=0)
    min_volume: int = Field(20, ge=1)
    keywords: list[str] = Field(default_factory=list, max_length=100)
    viral_min_shares: int = Field(50, ge=1)
    viral_shares_per_hour: float = Field(100.0, gt=0)

    def bucket_of(self, at: datetime) -> int:
        return int(at.timestamp()) // self.bucket_s

    def bucket_start(self, bucket: int) -> datetime:
        return datetime.fromtimestamp(bucket * self.bucket_s, UTC)


def subjects(mention: Mention, rule: SpikeRule) -> list[str]:
    text = mention.text.casefold()
    keywords = [f"keyword:{k.casefold()}" for k in rule.keywords if k.casefold() in text]
    return ["all", *(f"intent:{i.value}" for i in mention.intents), *keywords]


def baseline(history: Sequence[int]) -> float:
    return statistics.fmean(history) if history else 0.0


def threshold(history: Sequence[int], rule: SpikeRule) -> float:
    mean = baseline(history)
    spread = max(statistics.pstdev(history) if history else 0.0, math.sqrt(mean))
    return max(float(rule.min_volume), mean + rule.sigmas * spread)


def is_spike(observed: int, history: Sequence[int], rule: SpikeRule) -> bool:
    return observed >= threshold(history, rule)


def shares_per_hour(mention: Mention, now: datetime) -> float:
    age = max(now - mention.created_at, MIN_AGE)
    shared = mention.engagement.shares + mention.engagement.quotes
    return shared / (age.total_seconds() / 3600)


def is_viral(mention: Mention, now: datetime, rule: SpikeRule) -> bool:
    shared = mention.engagement.shares + mention.engagement.quotes
    return (
        shared >= rule.viral_min_shares
        and shares_per_hour(mention, now) >= rule.viral_shares_per_hour
    )


@dataclass(frozen=True)
class Negative:
    """A negative mention to count: its author in each of its subjects' bucket."""

    mention_id: UUID
    author: str
    case_id: UUID | None
    subjects: list[str]
    bucket: int
