from pydantic import Field, SecretStr

from ingest.analysis.sentiment import Engine
from rapport.settings import RapportSettings


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
    """Sentiment of non-Korean text: the sentence encoder (accurate, ~18 texts/s a core) or the
    VADER lexicon ("lexicon": thousands a second, for backfills where speed matters more)."""

    import_max_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
