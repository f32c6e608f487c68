from pydantic import Field

from profiles.domain.privacy_deadline import PrivacySchedule
from profiles.domain.rules import Rules
from rapport.settings import RapportSettings
from rapport.smtp import SmtpSettings


class ProfilesSettings(RapportSettings, SmtpSettings):
    """``smtp_*``: the server that mails link requests' one-time codes to email identities; no
    host, no channel, and a link request for an email is refused (422)."""

    service_name: str = "profiles"
    rules: Rules = Rules()
    """Segment, stage and score thresholds and half-lives (``RAPPORT_RULES`` as JSON)."""
    history_limit: int = Field(200, ge=1, le=10_000)
    """Mentions kept per profile; older ones are dropped (the scores keep their weight)."""
    privacy_services: list[str] = Field(
        default_factory=lambda: ["ingest", "profiles", "responder", "loyalty"]
    )
    """The services expected to confirm each privacy request."""
    privacy_deadline_s: float = Field(86_400.0, gt=0)
    """How long services have to answer a privacy request before they show as late (a day:
    they answer in seconds when up, and GDPR's month leaves time to chase a late one)."""
    privacy_retry_first_s: float = Field(60.0, gt=0)
    """The wait before asking a service that has not answered again; doubled each attempt..."""
    privacy_retry_max_s: float = Field(3_600.0, gt=0)
    """...up to this."""
    privacy_retry_poll_s: float = Field(10.0, gt=0)
    """How often profiles looks for requests to announce again."""
    link_import_max_rows: int = Field(10_000, ge=1)

    @property
    def schedule(self) -> PrivacySchedule:
        return PrivacySchedule(
            self.privacy_deadline_s, self.privacy_retry_first_s, self.privacy_retry_max_s
        )
