from typing import Self

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, model_validator

from rapport.settings import Environment, RapportSettings
from rapport.smtp import SmtpSettings
from responder.domain.priority import Weights
from responder.domain.spikes import SpikeRule
from responder.notifications.domain.routes import MAX_EMAILS, MAX_WEBHOOKS, Email, WebhookRules

LOCAL_ACCOUNT_TOKEN_KEY = "bG9jYWwtYWNjb3VudC10b2tlbi1rZXktMzItYnl0ZXM="
"""Encrypts brand account tokens outside production: a placeholder, refused in production."""


class ResponderSettings(RapportSettings, SmtpSettings):
    """``smtp_*``: where notification emails go; no host, no email channel (a route with
    emails is refused)."""

    service_name: str = "responder"
    priority_weights: Weights = Weights()
    reopen_window_s: float = Field(72 * 3600, ge=0)
    """A customer's mention this soon after resolution reopens the case."""
    live_window_h: float = Field(72, gt=0)
    """Posts older than this many hours when they arrive (imports, late deliveries) are history:
    they count in profiles and metrics but open no live case and raise no alert."""
    scan_interval_s: float = Field(15.0, gt=0)
    """How often the scanner looks for breached SLAs and assigns waiting cases."""
    scan_batch: int = Field(200, ge=1)
    auto_assign: bool = True
    connector_endpoints: dict[str, str] = Field(default_factory=dict)
    """Per platform, the URL agents' replies are POSTed to: ``{"x": "https://..."}``."""
    connector_timeout_s: float = Field(10.0, gt=0)
    x_api_url: str = "https://api.x.com"
    graph_api_url: str = "https://graph.facebook.com/v21.0"
    x_client_id: str | None = None
    """The X app's OAuth 2.0 client id, for refreshing brand accounts' tokens."""
    x_client_secret: SecretStr | None = None
    """A confidential X app's client secret (HTTP Basic on the token endpoint), if it has one."""
    token_refresh_margin_s: float = Field(300.0, ge=0)
    """An X token expiring this soon is refreshed before it is used."""
    account_token_key: SecretStr = SecretStr(LOCAL_ACCOUNT_TOKEN_KEY)
    """The Fernet key brand accounts' tokens are stored under; required in production."""
    connector_tokens: dict[str, SecretStr] = Field(default_factory=dict)
    """Tokens an account names by reference (``token_ref``), kept in a secret, not the database."""
    reply_max_attempts: int = Field(8, ge=1)
    reply_first_backoff_s: float = Field(2.0, gt=0)
    reply_max_backoff_s: float = Field(300.0, gt=0)
    reply_poll_s: float = Field(1.0, gt=0)
    reply_lease_s: float = Field(60.0, gt=0)
    """A reply being sent is not picked up again before this; then it is retried."""
    spikes: SpikeRule = SpikeRule()
    profiles_url: str | None = None
    """profiles' base URL (``http://profiles:8080``): the console's customer panel reads it."""
    loyalty_url: str | None = None
    """loyalty's base URL: the console shows a customer's tier and balance from it."""
    upstream_timeout_s: float = Field(5.0, gt=0)
    viewer_ttl_s: float = Field(30.0, gt=0)
    """A console viewer who sent no heartbeat for this long is no longer shown on the case."""

    notify_webhooks: list[SecretStr] = Field(default_factory=list, max_length=MAX_WEBHOOKS)
    """The default route's webhook URLs (JSON list): alerts of a queue without a route."""
    notify_emails: list[Email] = Field(default_factory=list, max_length=MAX_EMAILS)
    """The default route's mailboxes (JSON list)."""
    notify_poll_s: float = Field(2.0, gt=0)
    notify_lookback_s: float = Field(3600.0, gt=0)
    """Alerts changed and breaches found this long ago are still notified (after a restart)."""
    notify_batch: int = Field(200, ge=1, le=10_000)
    notify_max_attempts: int = Field(8, ge=1)
    notify_first_backoff_s: float = Field(5.0, gt=0)
    notify_max_backoff_s: float = Field(600.0, gt=0)
    notify_timeout_s: float = Field(10.0, gt=0)
    notify_lease_s: float = Field(60.0, gt=0)
    """A claimed notification is not claimed again before this; longer than a send may take."""

    @property
    def webhook_rules(self) -> WebhookRules:
        return WebhookRules(
            allow_local_http=self.environment != Environment.PRODUCTION,
            email_enabled=bool(self.smtp_host),
        )

    @model_validator(mode="after")
    def _refuse_undeliverable_notifications(self) -> Self:
        rules = self.webhook_rules
        for url in self.notify_webhooks:
            problem = rules.problem(url.get_secret_value())
            if problem is not None:
                raise ValueError(f"RAPPORT_NOTIFY_WEBHOOKS: {problem}")
        if self.notify_emails and not self.smtp_host:
            raise ValueError("RAPPORT_NOTIFY_EMAILS needs RAPPORT_SMTP_HOST")
        if self.notify_lease_s <= max(self.notify_timeout_s, self.smtp_timeout_s):
            raise ValueError("RAPPORT_NOTIFY_LEASE_S must be longer than a send's timeout")
        return self

    @model_validator(mode="after")
    def _refuse_a_bad_account_token_key(self) -> Self:
        key = self.account_token_key.get_secret_value()
        if self.environment == Environment.PRODUCTION and key == LOCAL_ACCOUNT_TOKEN_KEY:
            raise ValueError("set RAPPORT_ACCOUNT_TOKEN_KEY (a Fernet key) in production")
        try:
            Fernet(key)
        except ValueError as error:
            raise ValueError("RAPPORT_ACCOUNT_TOKEN_KEY is not a Fernet key") from error
        return self
