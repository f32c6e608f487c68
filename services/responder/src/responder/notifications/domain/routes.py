"""Who hears about what: per queue, a route names the webhooks and mailboxes that get its crisis
alerts and SLA breaches; a queue without one uses the default route (from the settings).

Webhook URLs are secrets (whoever has one can post to the channel): outside this module they
are shown only as a hint (scheme and host)."""

import re
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from rapport.errors import Unprocessable
from responder.notifications.domain.notices import NoticeKind

ChannelName = Literal["webhook", "email"]
MAX_WEBHOOKS, MAX_EMAILS = 10, 50
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an email address (name@domain.tld)")
    return value.lower()


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
WebhookUrl = Annotated[str, Field(min_length=8, max_length=2048)]


class RouteIn(BaseModel):
    """A queue's route as a supervisor sets it; webhook URLs in full, every time."""

    model_config = ConfigDict(extra="forbid")

    crisis: bool = True
    """Whether crisis alerts (routed to the ``pr`` queue) reach it."""
    sla: bool = True
    """Whether the queue's SLA breaches reach it."""
    webhooks: list[WebhookUrl] = Field(default_factory=list, max_length=MAX_WEBHOOKS)
    emails: list[Email] = Field(default_factory=list, max_length=MAX_EMAILS)


class RouteView(BaseModel):
    """A route as it is answered back: webhooks as hints only."""

    queue: str
    crisis: bool
    sla: bool
    webhooks: list[str]
    emails: list[str]


@dataclass(frozen=True)
class Target:
    channel: ChannelName
    address: str
    """The webhook URL or the email address."""

    @property
    def hint(self) -> str:
        return hint(self.address) if self.channel == "webhook" else self.address


@dataclass(frozen=True)
class WebhookRules:
    allow_local_http: bool
    """Outside production, ``http://localhost`` (a stub, a local relay) is allowed."""
    email_enabled: bool
    """An SMTP server is configured."""

    def check(self, route: RouteIn) -> None:
        """``Unprocessable`` with the reason when the route cannot be delivered as given."""
        for url in route.webhooks:
            problem = self.problem(url)
            if problem is not None:
                raise Unprocessable(f"webhook {hint(url)}: {problem}")
        if route.emails and not self.email_enabled:
            raise Unprocessable("emails need an SMTP server: set RAPPORT_SMTP_HOST")
        if len(set(route.webhooks)) != len(route.webhooks) or len(set(route.emails)) != len(
            route.emails
        ):
            raise Unprocessable("a recipient is listed twice")

    def problem(self, url: str) -> str | None:
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            return "not a URL"
        if not host or parts.username or parts.password or any(c.isspace() for c in url):
            return "not a URL with a host"
        if parts.scheme == "https":
            return None
        if parts.scheme == "http" and self.allow_local_http and host in _LOCAL_HOSTS:
            return None
        allowed = "https (or http to localhost)" if self.allow_local_http else "https"
        return f"only {allowed} URLs are allowed"


def targets(route: RouteIn, kind: NoticeKind) -> list[Target]:
    if not (route.crisis if kind == "crisis" else route.sla):
        return []
    webhooks = [Target("webhook", url) for url in route.webhooks]
    return webhooks + [Target("email", address) for address in route.emails]


def hint(url: str) -> str:
    """Enough of a webhook URL to tell which one it is, not enough to post to it."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname}/…"
    except ValueError:
        return "…"
