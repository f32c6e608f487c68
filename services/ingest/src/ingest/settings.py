import os
from typing import Literal

from pydantic import Field, SecretStr

from ingest.analysis.sentiment import Engine
from rapport.settings import RapportSettings

Role = Literal["all", "api", "analyser"]


class IngestSettings(RapportSettings):
    service_name: str = "ingest"

    brand_accounts: list[str] = Field(
        default_factory=list,
        description="The brand's own accounts, '<platform>:<author id or handle>'; their posts "
        "flow on as brand replies and never open a case.",
    )

    x_consumer_secret: SecretStr | None = None
    """Signs X's CRC answers and verifies x-twitter-webhooks-signature."""
    meta_app_secret: SecretStr | None = None
    """Verifies Meta's X-Hub-Signature-256."""
    meta_verify_token: SecretStr | None = None
    """Answers Meta's hub.challenge subscription handshake."""
    webhook_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    """Generic signed webhook: one secret per source name (a review site, a forum)."""
    webhook_replay_window_s: int = Field(default=300, gt=0)

    flood_authors: int = Field(default=3, ge=2)
    """Copy-paste flood: this many different authors posting the same text..."""
    flood_window_s: int = Field(default=600, gt=0)
    """...within this many seconds of each other is spam."""
    flood_min_words: int = Field(default=5, ge=1)
    """Shorter texts (after normalising) are never counted as a flood."""

    sentiment_engine: Engine = "encoder"
    """Sentiment of non-Korean text: the sentence encoder (accurate, tens of texts/s a core) or
    the VADER lexicon ("lexicon": thousands a second, for backfills where speed matters more)."""

    role: Role = "all"
    """What this process runs: "api" (the intake routes), "analyser" (the analysis stage), or
    both ("all"). Every role runs the outbox relay (replicas share its lease)."""
    analyser_processes: int = Field(default_factory=lambda: len(os.sched_getaffinity(0)), ge=0)
    """Worker processes analysing in parallel (default: one per core this process may use);
    0 analyses in a thread of the service process."""
    analyser_loops: int = Field(default=1, ge=1, le=16)
    """Analysis loops sharing the workers. One loop already overlaps its MongoDB work with
    analysis (it claims the next batch and completes the previous one while a batch is
    analysed); more behave like more analysers."""
    analyser_batch: int = Field(default=256, ge=1)
    """Pending mentions claimed, analysed and published together."""
    analyser_claim_s: float = Field(default=15.0, gt=0)
    """How long a claim holds unless renewed; its holder renews it every third of that while
    it works, so a dead analyser's mentions are taken over this long after it died."""
    analyser_poll_s: float = Field(default=0.5, gt=0)
    """How often an analyser looks for pending mentions when nothing woke it."""

    import_max_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
