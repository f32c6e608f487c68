"""Crises (see :mod:`responder.domain.spikes` for the method): a negative spike per subject,
or a negative post going viral, raises an alert on ``care.alerts`` and moves the related
cases to the PR queue."""

import asyncio
from uuid import UUID

from rapport.events import CrisisAlert, Mention, SentimentLabel, deterministic_id
from responder.desk import Desk, Step
from responder.domain import spikes
from responder.domain.case import PR, Case
from responder.stores.alerts import Alerts


async def to_pr(desk: Desk, case_id: UUID) -> Case:
    async def decide(case: Case) -> Step | None:
        if case.queue == PR or not case.active:
            return None
        return Step(case.model_copy(update={"queue": PR}), [("escalated", None)])

    return await desk.change(case_id, decide)


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
    counts, active = await asyncio.gather(
        alerts.counts(subjects, bucket - desk.spikes.history, bucket),
        alerts.active("negative_spike", subjects),
    )
    for subject in subjects:
        ongoing = [alert for alert in active if alert.subject == subject]
        await _spike(desk, alerts, subject, bucket, counts[subject], ongoing, case_id)
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
        if case_id is not None:
            await to_pr(desk, case_id)


async def _spike(
    desk: Desk,
    alerts: Alerts,
    subject: str,
    bucket: int,
    counts: dict[int, int],
    ongoing: list[CrisisAlert],
    case_id: UUID | None,
) -> None:
    rule = desk.spikes
    history = [counts.get(b, 0) for b in range(bucket - rule.history, bucket)]
    limit = spikes.threshold(history, rule)
    for active in ongoing:
        ended = rule.bucket_of(active.window_start) + 1
        previous = bucket - 1
        if ended <= previous and counts.get(previous, 0) < limit:
            cleared = active.model_copy(update={"status": "cleared", "changed_at": desk.clock()})
            await alerts.save(cleared)
    observed = counts.get(bucket, 0)
    if not spikes.is_spike(observed, history, rule):
        return
    related = await alerts.in_bucket(subject, bucket)
    case_ids = sorted({doc["case_id"] for doc in related if doc.get("case_id")})
    alert = CrisisAlert(
        alert_id=deterministic_id("spike", subject, str(bucket)),
        kind="negative_spike",
        status="active",
        subject=subject,
        observed=observed,
        baseline=round(spikes.baseline(history), 3),
        threshold=round(limit, 3),
        mention_ids=[doc["_id"] for doc in related],
        case_ids=case_ids,
        window_start=rule.bucket_start(bucket),
        window_end=rule.bucket_start(bucket + 1),
        changed_at=desk.clock(),
    )
    raised = await alerts.get(alert.alert_id) is None and await alerts.save(alert)
    for moved in case_ids if raised else [case_id] if case_id else []:
        await to_pr(desk, moved)
