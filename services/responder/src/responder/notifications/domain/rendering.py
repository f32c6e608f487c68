"""What a notice says: a Slack message (``text`` and ``blocks``) and an email (subject, body).
An update names what changed, so it never reads as the opening message again."""

from dataclasses import dataclass
from typing import Any

from responder.notifications.domain.notices import Notice

_ALERT_NAMES = {"negative_spike": "negative spike", "viral_negative_post": "viral negative post"}
_TARGETS = {
    "first_response": "first response",
    "next_response": "next response",
    "resolution": "resolution",
}


@dataclass(frozen=True)
class Rendered:
    headline: str
    details: str
    reference: str

    @property
    def text(self) -> str:
        return f"{self.headline}\n{self.details}"

    def slack(self) -> dict[str, Any]:
        """The incoming-webhook body; ``text`` is the fallback shown in notifications."""
        return {
            "text": _escaped(self.text),
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": self.headline[:150]}},
                {"type": "section", "text": {"type": "mrkdwn", "text": _escaped(self.details)}},
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": _escaped(self.reference)}],
                },
            ],
        }

    def email(self) -> tuple[str, str]:
        return self.headline, f"{self.details}\n\n{self.reference}\n"


def render(notice: Notice) -> Rendered:
    reference = f"Rapport notice {notice.id}"
    if notice.kind == "crisis":
        return Rendered(_crisis_headline(notice), _crisis_details(notice), reference)
    target = _TARGETS.get(notice.phase, notice.phase)
    facts = notice.facts
    return Rendered(
        f"SLA breached in queue {notice.queue}: {target}",
        f"Case {notice.subject} ({facts['priority']} priority, {facts['platform']}) missed its "
        f"{target} target, due {facts['due']}.",
        reference,
    )


def _crisis_headline(notice: Notice) -> str:
    name = _ALERT_NAMES.get(str(notice.facts["alert"]), str(notice.facts["alert"]))
    if notice.opening:
        return f"Crisis alert: {name} on {notice.subject}"
    return f"Crisis alert {notice.phase}: {name} on {notice.subject}"


def _crisis_details(notice: Notice) -> str:
    facts = notice.facts
    if not notice.opening:
        return f"The alert raised since {facts['since']} is {notice.phase}."
    observed, threshold = _number(facts["observed"]), _number(facts["threshold"])
    if facts["alert"] == "viral_negative_post":
        measured = f"Shared {observed} times an hour (threshold {threshold})"
    else:
        baseline = _number(facts["baseline"])
        measured = f"{observed} negative authors (baseline {baseline}, threshold {threshold})"
    return (
        f"{measured} since {facts['since']}; {facts['cases']} case(s) moved to queue "
        f"{notice.queue}."
    )


def _number(value: str | float | int) -> str:
    return f"{value:g}" if isinstance(value, float | int) else value


def _escaped(text: str) -> str:
    """Slack's mrkdwn reads ``&``, ``<`` and ``>`` as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
