"""Crisis alerts and SLA breaches reach the webhooks and mailboxes of their queue's route (or
the default route) once: retried through Slack's transient answers, parked on a permanent one,
never sent twice by two notifiers or after a notifier died holding a claim."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from rapport.clock import utcnow
from rapport.events.factories import BASE_TIME
from rapport.mongo import Database, ensure_indexes
from rapport.settings import Environment
from rapport.testing import Mailbox, eventually, metric, unique
from responder.adapters.alert_store import MongoAlerts
from responder.main import notification_parts
from responder.migrations import INDEXES
from responder.settings import ResponderSettings
from responder.use_cases.case_intake import take_mention
from responder.use_cases.sla_breaches import scan
from responder.workers import Notifier

from .conftest import Clock, Serve, enriched, token
from .notifying import PR_MAIL, crisis, fast
from .slack_stub import NO_SERVICE, RATE_LIMITED, SERVER_ERROR, Answer, SlackStub

pytestmark = pytest.mark.integration
LEAD = token("lead", "supervisor")


async def deliveries(http: httpx.AsyncClient, status: str | None = None) -> list[dict[str, Any]]:
    query = {} if status is None else {"status": status}
    answer = await http.get("/v1/notifications", params=query, headers=LEAD)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def route(http: httpx.AsyncClient, queue: str, **body: Any) -> None:
    answer = await http.put(f"/v1/queues/{queue}/notifications", json=body, headers=LEAD)
    assert answer.status_code == 200, answer.text


async def test_a_crisis_alert_reaches_the_pr_queues_webhook_and_mailbox_once(
    serve: Serve, slack: SlackStub, slack_url: str, mailbox: Mailbox
) -> None:
    async with serve(utcnow, **fast(mailbox)) as (app, http):
        await route(http, "pr", webhooks=[f"{slack_url}/hooks/pr"], emails=[PR_MAIL])
        alert = crisis(utcnow())
        assert await app.state.alerts.save(alert)

        await eventually(lambda: slack.texts("pr") and mailbox.to(PR_MAIL))
        sent = await eventually(lambda: _all(http, "sent", 2))
        assert await app.state.notifier.plan() == 0
        assert not await app.state.alerts.save(alert)
        assert await app.state.notifier.deliver_next() is False

    assert slack.calls == {"pr": 1}
    [text] = slack.texts("pr")
    assert text.startswith("Crisis alert: negative spike on battery")
    [mail] = mailbox.mails
    assert mail["Subject"] == "Crisis alert: negative spike on battery"
    assert mail["To"] == PR_MAIL
    assert {d["channel"] for d in sent} == {"webhook", "email"}
    assert all(slack_url not in str(d) for d in sent)  # the URL is a secret


async def test_a_cleared_alert_sends_an_update_not_the_opening_again(
    serve: Serve, slack: SlackStub, slack_url: str, mailbox: Mailbox
) -> None:
    async with serve(utcnow, **fast(mailbox)) as (app, http):
        await route(http, "pr", webhooks=[f"{slack_url}/hooks/pr"])
        alert = crisis(utcnow())
        assert await app.state.alerts.save(alert)
        await eventually(lambda: slack.texts("pr"))
        cleared = alert.model_copy(update={"status": "cleared", "changed_at": utcnow()})
        assert await app.state.alerts.save(cleared)
        await eventually(lambda: len(slack.texts("pr")) == 2)
        await eventually(lambda: _all(http, "sent", 2))
        assert await app.state.notifier.plan() == 0

    opening, update = slack.texts("pr")
    assert opening.startswith("Crisis alert: negative spike")
    assert update.startswith("Crisis alert cleared: negative spike")
    assert slack.calls == {"pr": 2}


async def test_an_alert_of_a_queue_without_a_route_goes_to_the_default_route(
    serve: Serve, slack: SlackStub, slack_url: str, mailbox: Mailbox
) -> None:
    default = fast(mailbox, notify_webhooks=[f"{slack_url}/hooks/default"])
    async with serve(utcnow, **default) as (app, http):
        assert await app.state.alerts.save(crisis(utcnow()))
        await eventually(lambda: _all(http, "sent", 1))
    assert slack.calls == {"default": 1}


@pytest.mark.parametrize(
    ("answers", "attempts"),
    [([RATE_LIMITED], 1), ([SERVER_ERROR], 1), ([SERVER_ERROR, SERVER_ERROR], 2)],
    ids=["429-retry-after", "500-then-ok", "500-twice-then-ok"],
)
async def test_a_transient_answer_is_retried_and_the_message_arrives_once(
    serve: Serve,
    slack: SlackStub,
    slack_url: str,
    mailbox: Mailbox,
    answers: list[Answer],
    attempts: int,
) -> None:
    slack.plan("pr", *answers)
    async with serve(utcnow, **fast(mailbox)) as (app, http):
        await route(http, "pr", webhooks=[f"{slack_url}/hooks/pr"])
        assert await app.state.alerts.save(crisis(utcnow()))
        [sent] = await eventually(lambda: _all(http, "sent", 1))

    assert len(slack.texts("pr")) == 1
    assert slack.calls == {"pr": len(answers) + 1}
    assert sent["attempts"] == attempts  # the failed tries


async def test_a_permanent_answer_parks_the_notification_with_its_reason(
    serve: Serve, slack: SlackStub, slack_url: str, mailbox: Mailbox
) -> None:
    slack.plan("pr", NO_SERVICE)
    parked_before = metric(
        "rapport_notification_failures_total", channel="webhook", outcome="parked"
    )
    async with serve(utcnow, **fast(mailbox)) as (app, http):
        await route(http, "pr", webhooks=[f"{slack_url}/hooks/pr"])
        assert await app.state.alerts.save(crisis(utcnow()))
        [failed] = await eventually(lambda: _all(http, "failed", 1))
        assert await app.state.notifier.deliver_next() is False

    assert failed["last_error"] == "webhook answered 404 no_service"
    assert failed["attempts"] == 1
    assert slack.calls == {"pr": 1}
    parked = metric("rapport_notification_failures_total", channel="webhook", outcome="parked")
    assert (parked or 0) == (parked_before or 0) + 1


async def test_an_sla_breach_reaches_its_queues_route(
    serve: Serve, slack: SlackStub, slack_url: str, mailbox: Mailbox
) -> None:
    opened = BASE_TIME + timedelta(minutes=1)
    due = opened + timedelta(minutes=60)  # a normal-priority complaint's first response
    clock = Clock(opened + timedelta(minutes=1))
    async with serve(clock, **fast(mailbox)) as (app, http):
        await route(http, "supervisor", webhooks=[f"{slack_url}/hooks/supervisor"])
        await route(http, "pr", webhooks=[f"{slack_url}/hooks/pr"])
        complaint = enriched(1, intents=["complaint"], external_id=unique("ext"))
        case = await take_mention(app.state.ports, complaint.payload)
        assert case is not None
        clock.now = due
        assert await scan(app.state.ports, batch=10, auto_assign=False) == 1
        [sent] = await eventually(lambda: _all(http, "sent", 1))

    [text] = slack.texts("supervisor")
    assert text.startswith("SLA breached in queue supervisor: first response")
    assert str(case.id) in text
    assert sent["notice"]["kind"] == "sla"
    assert slack.calls == {"supervisor": 1}


async def test_two_notifiers_at_once_send_each_notification_once(
    mongo_db: Database, slack: SlackStub, slack_url: str
) -> None:
    await ensure_indexes(mongo_db, INDEXES)
    alerts = MongoAlerts(mongo_db)
    for n in range(6):
        assert await alerts.save(crisis(utcnow(), subject=f"topic-{n}"))
    async with httpx.AsyncClient() as http:
        settings = _settings(slack_url)
        notifiers = [
            Notifier(notification_parts(mongo_db, settings, http, utcnow), utcnow, poll_s=1)
            for _ in range(3)
        ]
        planned = await asyncio.gather(*(n.plan() for n in notifiers))
        await asyncio.gather(*(_drain(n) for n in notifiers))

    assert sum(planned) == 6
    assert slack.calls == {"default": 6}
    assert sorted(slack.texts("default")) == sorted(set(slack.texts("default")))


async def test_a_notifier_that_died_holding_a_claim_is_replaced_and_the_message_sent_once(
    mongo_db: Database, slack: SlackStub, slack_url: str
) -> None:
    await ensure_indexes(mongo_db, INDEXES)
    clock = Clock(utcnow())
    alerts = MongoAlerts(mongo_db)
    assert await alerts.save(crisis(clock()))
    async with httpx.AsyncClient() as http:
        parts = notification_parts(mongo_db, _settings(slack_url), http, clock)
        dead, alive = Notifier(parts, clock, poll_s=1), Notifier(parts, clock, poll_s=1)
        assert await dead.plan() == 1
        claimed = await parts.deliveries.claim(clock(), parts.retries.lease)  # then it died
        assert claimed is not None
        assert await alive.deliver_next() is False  # claimed: nobody else sends it
        clock.advance(seconds=parts.retries.lease.total_seconds())
        assert await alive.deliver_next() is True
        assert await alive.deliver_next() is False
        assert not await parts.deliveries.sent(claimed, clock())  # the dead claim is void

    assert slack.calls == {"default": 1}
    [delivery] = await parts.deliveries.list("sent", 0, 10)
    assert delivery.id == claimed.delivery.id


def _settings(slack_url: str) -> ResponderSettings:
    return ResponderSettings(
        environment=Environment.TEST, notify_webhooks=[f"{slack_url}/hooks/default"]
    )


async def _drain(notifier: Notifier) -> None:
    while await notifier.deliver_next():
        pass


async def _all(http: httpx.AsyncClient, status: str, n: int) -> list[dict[str, Any]] | None:
    """The deliveries when there are ``n`` in all and every one has ``status``."""
    found = await deliveries(http)
    return found if len(found) == n and all(d["status"] == status for d in found) else None
