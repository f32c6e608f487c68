from pydantic import Field, SecretStr

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
    smtp_host: str = ""
    """The SMTP server that mails link requests' one-time codes to email identities; empty: no
    channel, and a link request for an email is refused (422)."""
    smtp_port: int = Field(25, ge=1, le=65_535)
    smtp_sender: str = "Rapport <no-reply@rapport.local>"
    """The mails' From address."""
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_timeout_s: float = Field(10.0, gt=0)
