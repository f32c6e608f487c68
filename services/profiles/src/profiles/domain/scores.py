"""The scores every snapshot carries, computed at "now" from faded sums (see ``decay``).

Each part of a sum halves every half-life (``Rules.*_half_life_days``), so what happened in the
last five minutes weighs (almost) fully and what happened five years ago (almost) not at all.

- **sentiment trend** in [-1, 1] = Σ sᵢ·wᵢ / (Σ wᵢ + prior), sᵢ a mention's sentiment score,
  wᵢ = ½^(age / 30 d); the prior (1, an imaginary neutral mention) keeps little or old
  evidence near 0.
- **influence** in [0, 100] = min(100, 12·log10(1 + followers) + 15·log10(1 + A)), followers
  the largest audience across identities, A = faded (30 d) Σ shares + quotes + ½·replies +
  0.1·likes. 1,000 followers alone give 36; a million 72.
- **advocacy** in [0, 100] = 100·(1 − ½^(D / 5)), D = faded (180 d) count of advocacy acts
  (recommendations and helpful replies count 1, converted referrals 2): 5 recent acts give 50.
- **health** in [0, 100] = 50 + 30·trend + 0.2·advocacy + min(20, 8·log10(1 + S))
  − 15·min(C, 3), S = faded (365 d) purchase amount, C = open complaint cases.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from profiles.domain.model import Profile
from profiles.domain.rules import Rules
from rapport.events import ProfileScores

REFERRAL_ACTS = 2.0
ADVOCACY_HALF_SCORE_ACTS = 5.0


@dataclass(frozen=True)
class Signals:
    """A profile's evidence summed over its identities and commerce, as it stands at ``now``."""

    mentions: int
    recent: list[datetime]
    trend: float
    positive: float
    positive_span: timedelta
    negative: float
    advocacy_acts: float
    amplification: float
    followers: int
    customer_value: float
    spend: float
    open_complaints: int


def signals(profile: Profile, now: datetime, rules: Rules) -> Signals:
    activities = profile.activities()
    trend, engagement = rules.half_life("trend"), rules.half_life("engagement")
    advocacy = rules.half_life("advocacy")
    weighted = sum(a.sentiment.at_time(now, trend) for a in activities)
    weight = sum(a.weight.at_time(now, trend) for a in activities)
    firsts = [a.first_positive for a in activities if a.first_positive]
    lasts = [a.last_positive for a in activities if a.last_positive]
    acts = sum(a.advocacy.at_time(now, advocacy) for a in activities)
    acts += REFERRAL_ACTS * sum(c.referrals.at_time(now, advocacy) for c in profile.commerce)
    return Signals(
        mentions=sum(a.mentions for a in activities),
        recent=sorted((t for a in activities for t in a.recent), reverse=True),
        trend=_clamp(weighted / (weight + rules.trend_prior_weight) if weight else 0.0, -1, 1),
        positive=sum(a.positive.at_time(now, engagement) for a in activities),
        positive_span=max(lasts) - min(firsts) if firsts else timedelta(0),
        negative=sum(a.negative.at_time(now, engagement) for a in activities),
        advocacy_acts=acts,
        amplification=sum(
            a.amplification.at_time(now, rules.half_life("amplification")) for a in activities
        ),
        followers=max((a.followers for a in activities), default=0),
        customer_value=sum(c.value for c in profile.commerce),
        spend=sum(c.spend.at_time(now, rules.half_life("spend")) for c in profile.commerce),
        open_complaints=profile.open_complaints,
    )


def influence(followers: int, amplification: float) -> float:
    return min(100.0, 12 * math.log10(1 + followers) + 15 * math.log10(1 + amplification))


def advocacy(acts: float) -> float:
    return float(100 * (1 - 0.5 ** (acts / ADVOCACY_HALF_SCORE_ACTS)))


def health(trend: float, advocacy_score: float, spend: float, open_complaints: int) -> float:
    purchases = min(20.0, 8 * math.log10(1 + spend))
    value = 50 + 30 * trend + 0.2 * advocacy_score + purchases - 15 * min(open_complaints, 3)
    return _clamp(value, 0, 100)


def scores(found: Signals) -> ProfileScores:
    advocacy_score = advocacy(found.advocacy_acts)
    return ProfileScores(
        influence=round(influence(found.followers, found.amplification), 1),
        advocacy=round(advocacy_score, 1),
        sentiment_trend=round(found.trend, 3),
        health=round(health(found.trend, advocacy_score, found.spend, found.open_complaints), 1),
    )


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
