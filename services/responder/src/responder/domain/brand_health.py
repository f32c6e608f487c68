"""Brand health, the dashboard's arithmetic (times in UTC):

- a mention *fact* keeps, of each customer mention (brand posts and spam are left out), its
  time, sentiment label, whether it is advocacy, and its author's profile and stage;
- advocacy: a positive mention that praises or recommends the brand, or a reply in a thread
  that is neither negative nor a complaint, question, churn risk or spam (answering another
  customer, defending the brand);
- net sentiment = (positive − negative) / (positive + negative), none without either;
- mood trend = net sentiment of the range − net sentiment of the equally long range before;
- a range of up to two days is shown by the hour, a longer one by the day;
- fans and evangelists on a day: the last count sampled on or before that day.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Literal

from rapport.events import Intent, Mention, SentimentLabel

Unit = Literal["hour", "day"]
HOURLY_UP_TO = timedelta(days=2)
RECOMMENDS = re.compile(r"\brecommend|\bworth (it|every)|추천", re.IGNORECASE)
UNHELPFUL = {Intent.COMPLAINT, Intent.QUESTION, Intent.CHURN_RISK, Intent.SPAM}


def counted(mention: Mention) -> bool:
    return not mention.from_brand and Intent.SPAM not in mention.intents


def is_advocacy(mention: Mention) -> bool:
    label = mention.sentiment.label
    if label is SentimentLabel.POSITIVE and (
        Intent.PRAISE in mention.intents or RECOMMENDS.search(mention.text)
    ):
        return True
    helpful = not UNHELPFUL.intersection(mention.intents)
    return mention.in_reply_to is not None and label is not SentimentLabel.NEGATIVE and helpful


def net_sentiment(positive: int, negative: int) -> float | None:
    voiced = positive + negative
    return None if voiced == 0 else round((positive - negative) / voiced, 4)


def trend(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 4)


def unit_of(since: datetime, until: datetime) -> Unit:
    return "hour" if until - since <= HOURLY_UP_TO else "day"


def truncate(at: datetime, unit: Unit) -> datetime:
    at = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return at if unit == "hour" else at.replace(hour=0)


def bucket_starts(since: datetime, until: datetime, unit: Unit) -> list[datetime]:
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    starts, at = [], truncate(since, unit)
    while at < until:
        starts.append(at)
        at += step
    return starts


@dataclass(frozen=True)
class Tally:
    positive: int = 0
    negative: int = 0
    neutral: int = 0
    advocacy: int = 0

    @property
    def mentions(self) -> int:
        return self.positive + self.negative + self.neutral

    @property
    def net(self) -> float | None:
        return net_sentiment(self.positive, self.negative)

    @property
    def advocacy_share(self) -> float | None:
        return None if self.mentions == 0 else round(self.advocacy / self.mentions, 4)


def total(tallies: Iterable[Tally]) -> Tally:
    tallies = list(tallies)
    return Tally(*(sum(getattr(t, f.name) for t in tallies) for f in fields(Tally)))


StageCounts = tuple[int, int]
"""Fans, evangelists."""


def carried(
    samples: Sequence[tuple[datetime, StageCounts]], days: Sequence[datetime]
) -> dict[datetime, StageCounts | None]:
    """Per day, the latest sample taken on or before it (``samples`` in time order)."""
    found: dict[datetime, StageCounts | None] = {}
    latest: StageCounts | None = None
    remaining = list(samples)
    for day in days:
        end = day + timedelta(days=1)
        while remaining and remaining[0][0] < end:
            latest = remaining.pop(0)[1]
        found[day] = latest
    return found


def filled(tallies: Mapping[datetime, Tally], starts: Sequence[datetime]) -> list[Tally]:
    return [tallies.get(start, Tally()) for start in starts]
