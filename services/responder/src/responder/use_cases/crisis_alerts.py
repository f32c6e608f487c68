"""Crises (see :mod:`responder.domain.spikes` for the method): a negative spike per subject,
or a negative post going viral, raises an alert on ``care.alerts`` and moves the related
cases to the PR queue. History (posts older than the live window) is neither counted nor
alerted on."""

from collections.abc import Sequence
from typing import Literal
from uuid import UUID

from rapport.events import CrisisAlert, Mention, SentimentLabel, deterministic_id
from responder.domain import spikes
from responder.domain.case import PR, Case
from responder.domain.spikes import Negative
from responder.domain.triage import is_history
from responder.ports import AlertStore, Ports
from responder.use_cases.case_changes import Step, change, change_all

Spike = Literal["raised", "ongoing"]


async def to_pr(ports: Ports, case_id: UUID, stored: Case | None = None) -> Case:
    return await change(ports, case_id, _to_pr, stored=stored)


async def to_pr_all(ports: Ports, case_ids: Sequence[UUID]) -> None:
    await change_all(ports, case_ids, _to_pr)


async def _to_pr(case: Case) -> Step | None:
    if case.queue == PR or not case.active:
        return None
    return Step(case.model_copy(update={"queue": PR}), [("escalated", None)])


Watched = tuple[UUID, Mention, Case | None]
"""A mention (its event id) and the case it now belongs to."""


async def watch(
    ports: Ports, alerts: AlertStore, mention_id: UUID, mention: Mention, case: Case | None
) -> None:
    """Count a negative mention, then raise or clear the alerts it bears on."""
    await watch_all(ports, alerts, [(mention_id, mention, case)])


async def watch_all(ports: Ports, alerts: AlertStore, mentions: Sequence[Watched]) -> None:
    """``watch`` each mention: the negative ones are counted together, then each subject and
    bucket they bear on is checked once, on the counts they all made."""
    rule, now = ports.spikes, ports.clock()
    negatives = [
        (_negative(ports, mention_id, mention, case), mention, case)
        for mention_id, mention, case in mentions
        if not mention.from_brand
        and mention.sentiment.label is SentimentLabel.NEGATIVE
        and not is_history(mention.created_at, now, ports.live_window)
    ]
    if not negatives:
        return
    await alerts.count_negatives([negative for negative, _, _ in negatives])
    checks = sorted({(n.bucket, s) for n, _, _ in negatives for s in n.subjects})
    subjects = sorted({subject for _, subject in checks})
    first, last = checks[0][0] - rule.history, checks[-1][0]
    counts, active = await alerts.window("negative_spike", subjects, first, last)
    found = {(b, s): await _spike(ports, alerts, s, b, counts[s], active) for b, s in checks}
    escalated: set[UUID] = set()
    for negative, mention, case in negatives:
        escalate = any(found[negative.bucket, s] == "ongoing" for s in negative.subjects)
        if spikes.is_viral(mention, ports.clock(), rule):
            await alerts.save(_viral(ports, negative, mention))
            escalate = True
        if escalate and case is not None:
            escalated.add(case.id)
    await to_pr_all(ports, sorted(escalated))


def _negative(ports: Ports, mention_id: UUID, mention: Mention, case: Case | None) -> Negative:
    rule = ports.spikes
    subjects, bucket = spikes.subjects(mention, rule), rule.bucket_of(mention.created_at)
    case_id = case.id if case is not None else None
    return Negative(mention_id, mention.author_key, case_id, subjects, bucket)


def _viral(ports: Ports, negative: Negative, mention: Mention) -> CrisisAlert:
    rule = ports.spikes
    return CrisisAlert(
        alert_id=deterministic_id("viral", str(negative.mention_id)),
        kind="viral_negative_post",
        status="active",
        subject=str(negative.mention_id),
        observed=round(spikes.shares_per_hour(mention, ports.clock()), 2),
        baseline=0,
        threshold=rule.viral_shares_per_hour,
        mention_ids=[negative.mention_id],
        case_ids=[negative.case_id] if negative.case_id else [],
        window_start=mention.created_at,
        window_end=ports.clock(),
        changed_at=ports.clock(),
    )


async def _spike(
    ports: Ports,
    alerts: AlertStore,
    subject: str,
    bucket: int,
    counts: dict[int, int],
    active: list[CrisisAlert],
) -> Spike | None:
    """Clear the subject's spikes that ended; then, if its bucket is a spike, whether it was
    ``raised`` now (and its cases moved to PR) or is ``ongoing``."""
    rule = ports.spikes
    ongoing = [alert for alert in active if alert.subject == subject]
    history = [counts.get(b, 0) for b in range(bucket - rule.history, bucket)]
    limit = spikes.threshold(history, rule)
    for alert in ongoing:
        ended = rule.bucket_of(alert.window_start) + 1
        previous = bucket - 1
        if ended <= previous and counts.get(previous, 0) < limit:
            cleared = alert.model_copy(update={"status": "cleared", "changed_at": ports.clock()})
            await alerts.save(cleared)
    observed = counts.get(bucket, 0)
    if not spikes.is_spike(observed, history, rule):
        return None
    alert_id = deterministic_id("spike", subject, str(bucket))
    known = any(alert.alert_id == alert_id for alert in ongoing)
    if not known and await _raise(ports, alerts, alert_id, subject, bucket, history, observed):
        return "raised"
    return "ongoing"


async def _raise(
    ports: Ports,
    alerts: AlertStore,
    alert_id: UUID,
    subject: str,
    bucket: int,
    history: list[int],
    observed: int,
) -> bool:
    """Raise the spike's alert and move its cases to PR; False if it was already raised."""
    if await alerts.get(alert_id) is not None:
        return False
    rule = ports.spikes
    related = await alerts.in_bucket(subject, bucket)
    case_ids = sorted({n.case_id for n in related if n.case_id is not None})
    alert = CrisisAlert(
        alert_id=alert_id,
        kind="negative_spike",
        status="active",
        subject=subject,
        observed=observed,
        baseline=round(spikes.baseline(history), 3),
        threshold=round(spikes.threshold(history, rule), 3),
        mention_ids=[n.mention_id for n in related],
        case_ids=case_ids,
        window_start=rule.bucket_start(bucket),
        window_end=rule.bucket_start(bucket + 1),
        changed_at=ports.clock(),
    )
    if not await alerts.save(alert):
        return False
    await to_pr_all(ports, case_ids)
    return True
