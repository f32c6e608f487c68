"""Notifications' pure parts: what a notice says, who gets it, which webhooks are allowed and
when a failed send is tried again."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

from rapport.errors import Unprocessable
from rapport.events import CrisisAlert
from rapport.settings import Environment
from responder.domain.retries import Retries
from responder.notifications.domain.deliveries import delivery_id
from responder.notifications.domain.notices import Notice, of_alert
from responder.notifications.domain.rendering import render
from responder.notifications.domain.routes import RouteIn, Target, WebhookRules, hint, targets
from responder.settings import ResponderSettings

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
DEV = WebhookRules(allow_local_http=True, email_enabled=True)
PRODUCTION = WebhookRules(allow_local_http=False, email_enabled=True)


def alert(status: str = "active", **fields: Any) -> CrisisAlert:
    return CrisisAlert.model_validate(
        {
            "alert_id": UUID(int=7),
            "kind": "negative_spike",
            "status": status,
            "subject": "battery",
            "observed": 14,
            "baseline": 2.5,
            "threshold": 9.0,
            "case_ids": [UUID(int=1), UUID(int=2)],
            "window_start": NOW - timedelta(minutes=15),
            "window_end": NOW,
            "changed_at": NOW,
            **fields,
        }
    )


class TestNotices:
    def test_an_alert_in_one_status_is_one_notice_whatever_changes_around_it(self) -> None:
        later = alert(changed_at=NOW + timedelta(minutes=5), observed=20)
        assert of_alert(alert()).id == of_alert(later).id

    def test_a_cleared_alert_is_another_notice_an_update_of_the_first(self) -> None:
        opening, cleared = of_alert(alert()), of_alert(alert("cleared"))
        assert opening.id != cleared.id
        assert (opening.opening, cleared.opening) == (True, False)

    def test_a_crisis_goes_to_the_pr_queue(self) -> None:
        assert of_alert(alert()).queue == "pr"


class TestRendering:
    def test_an_opening_alert_says_what_spiked_and_by_how_much(self) -> None:
        said = render(of_alert(alert()))
        assert said.headline == "Crisis alert: negative spike on battery"
        assert said.details.startswith("14 negative authors (baseline 2.5, threshold 9)")
        assert "2 case(s) moved to queue pr" in said.details

    def test_a_viral_post_says_how_fast_it_is_shared(self) -> None:
        viral = alert(kind="viral_negative_post", observed=812.5, threshold=500)
        assert render(of_alert(viral)).details.startswith("Shared 812.5 times an hour")

    def test_an_update_names_the_change_and_never_repeats_the_opening(self) -> None:
        opening, update = render(of_alert(alert())), render(of_alert(alert("cleared")))
        assert update.headline == "Crisis alert cleared: negative spike on battery"
        assert update.text != opening.text
        assert "is cleared" in update.details

    def test_slack_gets_text_and_blocks_with_its_markup_escaped(self) -> None:
        body = render(of_alert(alert(subject="<!channel> & co"))).slack()
        assert body["text"].startswith("Crisis alert: negative spike on &lt;!channel&gt; &amp; co")
        assert [block["type"] for block in body["blocks"]] == ["header", "section", "context"]
        assert "<!channel>" not in str(body["blocks"][1:])

    def test_an_email_has_the_headline_as_subject_and_the_reference_in_its_body(self) -> None:
        notice = of_alert(alert())
        subject, body = render(notice).email()
        assert subject == "Crisis alert: negative spike on battery"
        assert str(notice.id) in body

    def test_an_sla_breach_names_the_case_target_and_due_time(self) -> None:
        notice = Notice(
            id=UUID(int=9),
            kind="sla",
            queue="supervisor",
            subject=str(UUID(int=3)),
            phase="first_response",
            opening=True,
            facts={"due": "2026-12-01T09:00+00:00", "priority": "high", "platform": "x"},
            at=NOW,
        )
        said = render(notice)
        assert said.headline == "SLA breached in queue supervisor: first response"
        assert said.details.startswith(f"Case {UUID(int=3)} (high priority, x)")
        assert "due 2026-12-01T09:00" in said.details


class TestRouting:
    route = RouteIn(crisis=True, sla=False, webhooks=["https://h.example/1"], emails=["a@b.io"])

    def test_a_route_gives_its_webhooks_and_mailboxes_the_kinds_it_takes(self) -> None:
        assert targets(self.route, "crisis") == [
            Target("webhook", "https://h.example/1"),
            Target("email", "a@b.io"),
        ]
        assert targets(self.route, "sla") == []

    def test_each_recipient_of_a_notice_has_its_own_delivery_key(self) -> None:
        notice = of_alert(alert())
        keys = {delivery_id(notice, t) for t in targets(self.route, "crisis")}
        assert len(keys) == 2
        assert delivery_id(notice, Target("email", "a@b.io")) in keys

    def test_a_webhook_is_shown_by_scheme_and_host_only(self) -> None:
        assert hint("https://hooks.slack.com/services/T0/B0/secret") == "https://hooks.slack.com/…"
        assert Target("webhook", "https://hooks.slack.com/x/secret").hint.endswith("/…")


class TestWebhookRules:
    @pytest.mark.parametrize(
        "url", ["https://hooks.slack.com/services/a", "http://localhost:8080/hook"]
    )
    def test_https_anywhere_and_http_to_localhost_outside_production(self, url: str) -> None:
        assert DEV.problem(url) is None

    @pytest.mark.parametrize(
        ("rules", "url", "problem"),
        [
            (DEV, "http://hooks.example.com/a", "only https (or http to localhost) URLs"),
            (PRODUCTION, "http://localhost:8080/hook", "only https URLs"),
            (DEV, "https://user:pw@hooks.example.com/a", "not a URL with a host"),
            (DEV, "https:///no-host", "not a URL with a host"),
            (DEV, "javascript:alert(1)", "not a URL with a host"),
        ],
    )
    def test_others_are_refused_with_the_reason(
        self, rules: WebhookRules, url: str, problem: str
    ) -> None:
        assert problem in (rules.problem(url) or "")

    def test_emails_need_an_smtp_server(self) -> None:
        no_mail = WebhookRules(allow_local_http=True, email_enabled=False)
        with pytest.raises(Unprocessable, match="RAPPORT_SMTP_HOST"):
            no_mail.check(RouteIn(emails=["a@b.io"]))

    @pytest.mark.parametrize(
        "address", ["no-at-sign", "a@b", "a@b.io\n", "a b@c.io", "a@b.io\r\nBcc: c@d.io"]
    )
    def test_an_email_address_must_be_one(self, address: str) -> None:
        with pytest.raises(ValidationError, match="not an email address"):
            RouteIn(emails=[address])

    def test_the_settings_refuse_a_default_webhook_the_rules_refuse(self) -> None:
        with pytest.raises(ValidationError, match="RAPPORT_NOTIFY_WEBHOOKS: only https"):
            ResponderSettings(
                environment=Environment.TEST, notify_webhooks=["http://hooks.example.com/a"]
            )


class TestRetries:
    retries = Retries(
        max_attempts=4, first_backoff_s=2, max_backoff_s=5, lease=timedelta(seconds=60)
    )

    def test_transient_failures_back_off_doubling_up_to_the_cap(self) -> None:
        waits = [self.retries.next_attempt(n, NOW) for n in (1, 2, 3)]
        assert [w - NOW for w in waits if w] == [timedelta(seconds=s) for s in (2, 4, 5)]

    def test_the_last_attempt_gives_up(self) -> None:
        assert self.retries.next_attempt(4, NOW) is None

    def test_a_permanent_failure_gives_up_at_once(self) -> None:
        assert self.retries.next_attempt(1, NOW, permanent=True) is None

    def test_a_rate_limit_waits_as_told_whatever_the_attempts(self) -> None:
        at = NOW + timedelta(seconds=30)
        assert self.retries.next_attempt(9, NOW, retry_at=at) == at
