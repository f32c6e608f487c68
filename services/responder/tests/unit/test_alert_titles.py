"""A crisis alert as an agent reads it: its subject by name, and the buckets of its trend."""

from datetime import timedelta
from uuid import UUID

import pytest

from rapport.events import CrisisAlert
from rapport.events.factories import BASE_TIME
from responder.domain.alerts import title, trend_buckets, trend_subject, viral_post
from responder.domain.messages import Message
from responder.domain.spikes import SpikeRule

POST = UUID(int=42)


def alert(subject: str, kind: str = "negative_spike") -> CrisisAlert:
    return CrisisAlert.model_validate(
        {
            "alert_id": UUID(int=1),
            "kind": kind,
            "status": "active",
            "subject": subject,
            "observed": 30,
            "baseline": 2,
            "threshold": 20,
            "window_start": BASE_TIME,
            "window_end": BASE_TIME + timedelta(minutes=10),
            "changed_at": BASE_TIME,
        }
    )


def post(handle: str | None, name: str | None = None) -> Message:
    return Message.model_validate(
        {
            "_id": POST,
            "kind": "customer",
            "platform": "x",
            "author_id": "9",
            "handle": handle,
            "name": name,
            "text": "broken",
            "created_at": BASE_TIME,
        }
    )


@pytest.mark.parametrize(
    ("subject", "named"),
    [
        ("all", "All negative mentions"),
        ("intent:churn_risk", "Negative churn risk mentions"),
        ("keyword:recall", "Negative mentions of “recall”"),
    ],
)
def test_a_spike_is_named_by_its_subject(subject: str, named: str) -> None:
    assert title(alert(subject)) == named
    assert trend_subject(alert(subject)) == subject
    assert viral_post(alert(subject)) is None


def test_a_viral_post_is_named_by_its_author_never_its_id() -> None:
    viral = alert(str(POST), "viral_negative_post")
    assert viral_post(viral) == POST
    assert title(viral, post("ann")) == "Viral negative post by @ann"
    assert title(viral, post(None, "Ann Lee")) == "Viral negative post by Ann Lee"
    assert title(viral) == "Viral negative post by a customer"
    assert trend_subject(viral) == "all"


def test_the_trend_runs_from_two_hours_before_to_now_or_two_hours_after() -> None:
    rule = SpikeRule()
    began = rule.bucket_of(BASE_TIME)
    spike = alert("all")
    assert trend_buckets(spike, rule, BASE_TIME + timedelta(minutes=25)) == (began - 12, began + 2)
    assert trend_buckets(spike, rule, BASE_TIME + timedelta(days=1)) == (began - 12, began + 12)
    assert trend_buckets(spike, rule, BASE_TIME - timedelta(hours=1)) == (began - 12, began)
