from typing import Self

from pydantic import Field, model_validator

from rapport.settings import RapportSettings

DEFAULT_TIERS = {"bronze": 0, "silver": 250, "gold": 1000}


class LoyaltySettings(RapportSettings):
    service_name: str = "loyalty"
    expiry_days: int = Field(default=365, ge=1)
    """Points expire this many days after they are credited, oldest first."""
    expiry_sweep_interval_s: float = Field(default=3600, gt=0)
    tier_window_days: int = Field(default=365, ge=1)
    tiers: dict[str, int] = Field(
        default_factory=lambda: {"bronze": 0, "silver": 250, "gold": 1000}
    )
    """Tier name -> points earned within the window needed to reach it; one must be 0."""
    rules_cache_s: float = Field(default=5, ge=0)
    """How long an earning rule saved by another replica may take to apply here."""
    outreach_per_week: int = Field(default=2, ge=0)
    rollout_claim_s: float = Field(default=60, gt=0)
    """How long an offer roll-out waits for a replica that stopped before another resumes it."""
    share_min_shares: int = Field(default=5, ge=1)
    question_memory_days: int = Field(default=14, ge=1)
    """How long a question stays answerable for the helping rule."""
    flag_days: int = Field(default=30, ge=1)
    """How long an author whose mention was flagged as spam earns nothing."""

    @model_validator(mode="after")
    def _tiers_start_at_zero(self) -> Self:
        if 0 not in self.tiers.values() or min(self.tiers.values()) < 0:
            raise ValueError("RAPPORT_TIERS needs a tier at 0 and no negative thresholds")
        return self
