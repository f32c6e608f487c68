"""Crises (see :mod:`responder.domain.spikes` for the method): a negative spike per subject,
or a negative post going viral, raises an alert on ``care.alerts`` and moves the related
cases to the PR queue."""

from typing import Literal
from uuid import UUID

from rapport.events import CrisisAlert, Mention, SentimentLabel, deterministic_id
from responder.desk import Desk, Step
from responder.domain import spikes
from responder.domain.case import PR, Case
from responder.stores.alerts import Alerts

Spike = Literal["raised", "ongoing"]


async def to_pr(desk: Desk, case_id: UUID, stored: Case | None = None) -> Case:
    async def decide(case: Case) -> Step | None:
        if case.queue == PR or not case.active:
            return None
        return Step(case.model_copy(update={"queue": PR}), [("escalated", None)])

    return await desk.change(case_id, decide, stored=stored)


async def watch(
    desk: Desk, alerts: Alerts, mention_id: UUID, mention: Mention, case: Case | None
) -> None:
    """Count a negative mention, then raise or clear the alerts it bears on."""
    if mention.from_brand or mention.sentiment.label is not SentimentLabel.NEGATIVE:
        return
    rule = desk.spikes
    case_id = case.id if case is not None else None
    bucket = rule.bucket_of(mention.created_at)
    subjects = spikes.subjects(mention, rule)
    await alerts.count_negative(mention_id, mention.author_key, case_id, subjects, bucket)
    window = bucket - rule.history, bucket
    counts, active = await alerts.window("negative_spike", subjects, *window)
    found = [
        await _spike(desk, alerts, subject, bucket, counts[subject], active) for subject in subjects
    ]
    escalate = "ongoing" in found
    if spikes.is_viral(mention, desk.clock(), rule):
        rate = spikes.shares_per_hour(mention, desk.clock())
        alert = CrisisAlert(
            alert_id=deterministic_id("viral", str(mention_id)),
            kind="viral_negative_post",
            status="active",
            subject=str(mention_id),
            observed=round(rate, 2),
            baseline=0,
            threshold=rule.viral_shares_per_hour,
            mention_ids=[mention_id],
            case_ids=[case_id] if case_id else [],
            window_start=mention.created_at,
            window_end=desk.clock(),
            changed_at=desk.clock(),
        )
        await alerts.save(alert)
        escalate = True
    if escalate and case is not None:  # once a raised spike moved it, the case in hand is old
        await to_pr(desk, case.id, None if "raised" in found else case)


async def _spike(
    desk: Desk,
    alerts: Alerts,
    subject: str,
    bucket: int,
    counts: dict[int, int],
    active: list[CrisisAlert],
) -> Spike | None:
    """Clear the subject's spikes that ended; then, if its bucket is a spike, whether it was
    ``raised`` now (and its cases moved to PR) or is ``ongoing``."""
    rule = desk.spikes
    ongoing = [alert for alert in active if alert.subject == subject]
    history = [counts.get(b, 0) for b in range(bucket - rule.history, bucket)]
    limit = spikes.threshold(history, rule)
    for alert in ongoing:
        ended = rule.bucket_of(alert.window_start) + 1
        previous = bucket - 1
        if ended <= previous and counts.get(previous, 0) < limit:
            cleared = alert.model_copy(update={"status": "cleared", "changed_at": desk.clock()})
            await alerts.save(cleared)
    observed = counts.get(bucket, 0)
    if not spikes.is_spike(observed, history, rule):
        return None
    alert_id = deterministic_id("spike", subject, str(bucket))
    known = any(alert.alert_id == alert_id for alert in ongoing)
    if not known and await _raise(desk, alerts, alert_id, subject, bucket, history, observed):
        return "raised"
    return "ongoing"


async def _raise(
    desk: Desk,
    alerts: Alerts,
    alert_id: UUID,
    subject: str,
    bucket: int,
    history: list[int],
    observed: int,
) -> bool:
    """Raise the spike's alert and move its cases to PR; False if it was already raised."""
    if await alerts.get(alert_id) is not None:
        return False
    rule = desk.spikes
    related = await alerts.in_bucket(subject, bucket)
    case_ids = sorted({doc["case_id"] for doc in related if doc.get("case_id")})
    alert = CrisisAlert(
        alert_id=alert_id,
        kind="negative_spike",
        status="active",
        subject=subject,
        observed=observed,
        baseline=round(spikes.baseline(history), 3),
        threshold=round(spikes.threshold(history, rule), 3),
        mention_ids=[doc["_id"] for doc in related],
        case_ids=case_ids,
        window_start=rule.bucket_start(bucket),
        window_end=rule.bucket_start(bucket + 1),
        changed_at=desk.clock(),
    )
    if not await alerts.save(alert):
        return False
    for moved in case_ids:
        await to_pr(desk, moved)
    return True
