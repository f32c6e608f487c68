from pydantic import Field

from profiles.domain.rules import Rules
from rapport.settings import RapportSettings


class ProfilesSettings(RapportSettings):
    service_name: str = "profiles"
    rules: Rules = Rules()
    """Segment, stage and score thresholds and half-lives (``RAPPORT_RULES`` as JSON)."""
    history_limit: int = Field(200, ge=1, le=10_000)
    """Mentions kept per profile; older ones are dropped (the scores keep their weight)."""
    privacy_services: list[str] = Field(
        default_factory=lambda: ["ingest", "profiles", "responder", "loyalty"]
    )
    """The services expected to confirm each privacy request."""
    link_import_max_rows: int = Field(10_000, ge=1)
