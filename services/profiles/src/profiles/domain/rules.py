"""Every threshold and half-life of the segment, stage and score rules, in one place.

``ProfilesSettings.rules`` holds them, so each is configurable (``RAPPORT_RULES`` as JSON).
"""

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    positive_sentiment: float = Field(0.3, ge=0, le=1)
    """A mention with a sentiment score at least this is positive."""
    negative_sentiment: float = Field(-0.3, ge=-1, le=0)
    """A mention with a sentiment score at most this is negative."""
    specific_min_words: int = Field(4, ge=1)
    """A positive mention is specific (not a bare "nice!") from this many words."""

    trend_half_life_days: float = Field(30, gt=0)
    trend_prior_weight: float = Field(1.0, ge=0)
    """Weight of an imaginary neutral mention: little or old evidence keeps the trend near 0."""
    engagement_half_life_days: float = Field(90, gt=0)
    """Positive and negative mention counts used by the stage rules."""
    advocacy_half_life_days: float = Field(180, gt=0)
    amplification_half_life_days: float = Field(30, gt=0)
    spend_half_life_days: float = Field(365, gt=0)

    segment_window_days: float = Field(30, gt=0)
    frequent_creator_mentions: int = Field(5, ge=1, le=100)
    """Mentions within the window that make a frequent creator (at most ``RECENT_KEPT``)."""

    fan_min_positive: float = Field(2.5, gt=0)
    """Faded count of specific positive mentions; three recent ones make about 2.9."""
    fan_min_span_hours: float = Field(24, ge=0)
    """Between the first and the latest positive mention: engagement over time."""
    fan_min_trend: float = Field(0.2, ge=-1, le=1)
    evangelist_min_advocacy: float = Field(1.8, gt=0)
    """Faded count of advocacy acts; two recent recommendations or answers make about 2."""
    evangelist_min_trend: float = Field(0.2, ge=-1, le=1)
    detractor_min_negative: float = Field(1.8, gt=0)
    """Faded count of negative mentions; two recent ones make about 2."""
    detractor_max_trend: float = Field(-0.2, ge=-1, le=1)
    at_risk_min_value: float = Field(100, ge=0)
    """A valued customer: lifetime purchases of at least this."""
    at_risk_max_trend: float = Field(-0.2, ge=-1, le=1)

    suggestion_min_similarity: float = Field(0.8, gt=0, le=1)
    """How alike two names must be (difflib ratio) for a look-alike suggestion."""

    def half_life(self, name: str) -> timedelta:
        """``half_life("trend")`` is ``trend_half_life_days`` as a timedelta."""
        return timedelta(days=float(getattr(self, f"{name}_half_life_days")))
