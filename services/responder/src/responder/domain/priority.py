"""Priority: a score from 0 to 100, a weighted sum of seven signals each scaled to [0, 1].

    score = Σ weight_i · signal_i            (the default weights add up to 100)

    negativity  max(0, -sentiment score)
    intent      churn risk 1, complaint .8, purchase intent .6, question .5, other .2, praise 0
    reach       log10(1 + followers) / 6     (1 at a million followers); or influence / 100
    virality    log10(1 + shares + quotes) / 4   (1 at 10 000)
    value       log10(1 + customer value) / 4    (1 at 10 000 in the brand's currency)
    stage       at risk 1, detractor .8, evangelist .6, fan .4, casual commenter .1
    repeat      (mentions in the case - 1) / 3    (1 from the fourth contact)

each capped at 1. The band: urgent from 70, high from 45, normal from 20, low below.
Community cases (praise) are always low.
"""

import math
from dataclasses import dataclass

from pydantic import BaseModel, Field

from rapport.events import Intent, Priority, RelationshipStage

INTENT_WEIGHT = {
    Intent.CHURN_RISK: 1.0,
    Intent.COMPLAINT: 0.8,
    Intent.PURCHASE_INTENT: 0.6,
    Intent.QUESTION: 0.5,
    Intent.FEATURE_REQUEST: 0.3,
    Intent.OTHER: 0.2,
}
STAGE_WEIGHT = {
    RelationshipStage.AT_RISK: 1.0,
    RelationshipStage.DETRACTOR: 0.8,
    RelationshipStage.EVANGELIST: 0.6,
    RelationshipStage.FAN: 0.4,
    RelationshipStage.CASUAL_COMMENTER: 0.1,
}
BANDS = ((70.0, Priority.URGENT), (45.0, Priority.HIGH), (20.0, Priority.NORMAL))


class Weights(BaseModel):
    negativity: float = Field(25, ge=0)
    intent: float = Field(20, ge=0)
    reach: float = Field(15, ge=0)
    virality: float = Field(10, ge=0)
    value: float = Field(10, ge=0)
    stage: float = Field(10, ge=0)
    repeat: float = Field(10, ge=0)


@dataclass(frozen=True)
class Signals:
    sentiment: float
    intents: frozenset[Intent]
    followers: int
    influence: float
    shares: int
    customer_value: float
    stage: RelationshipStage
    contacts: int


def _log_scaled(value: float, decades: float) -> float:
    return min(1.0, math.log10(1 + max(0.0, value)) / decades)


def score(signals: Signals, weights: Weights) -> float:
    parts = {
        "negativity": max(0.0, -signals.sentiment),
        "intent": max((INTENT_WEIGHT.get(i, 0.0) for i in signals.intents), default=0.0),
        "reach": max(_log_scaled(signals.followers, 6), signals.influence / 100),
        "virality": _log_scaled(signals.shares, 4),
        "value": _log_scaled(signals.customer_value, 4),
        "stage": STAGE_WEIGHT[signals.stage],
        "repeat": min(1.0, max(0, signals.contacts - 1) / 3),
    }
    scaled = weights.model_dump()
    total = sum(float(scaled[name]) * min(1.0, part) for name, part in parts.items())
    return round(min(100.0, total), 2)


def band(value: float) -> Priority:
    return next((priority for floor, priority in BANDS if value >= floor), Priority.LOW)
