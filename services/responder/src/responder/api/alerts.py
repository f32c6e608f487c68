"""Crisis alerts: the list, one alert with what an agent needs to judge it (subject by name,
sample posts, trend), acknowledging it ("seen, on it") and clearing it."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from rapport.events import CrisisAlert
from rapport.openapi import refused
from responder.api.deps import READ, SUPERVISE, Agent, AlertsDep, InboxDep, PortsDep
from responder.api.views import MessageView
from responder.domain import alerts as alerting
from responder.domain.messages import Message

router = APIRouter(prefix="/v1", tags=["alerts"])
SAMPLES = 5


class AlertView(CrisisAlert):
    title: str
    """The subject by name: what is spiking, or whose post is going viral."""


class TrendPoint(BaseModel):
    start: datetime
    negative_authors: int


class AlertDetail(AlertView):
    samples: list[MessageView]
    """The latest posts behind the alert (at most five)."""
    trend_subject: str
    trend: list[TrendPoint]
    """Authors of negative mentions per bucket, from two hours before the alert began."""


@router.get("/alerts", dependencies=READ)
async def list_alerts(
    alerts: AlertsDep,
    inbox: InboxDep,
    status: Literal["active", "cleared"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[AlertView]:
    """Crisis alerts, latest change first, each with its subject by name."""
    found = await alerts.list(status, offset, limit)
    viral = [post for alert in found if (post := alerting.viral_post(alert)) is not None]
    posts = {m.id: m for m in await inbox.messages(viral, len(viral))} if viral else {}
    return [_view(alert, posts) for alert in found]


@router.get("/alerts/{alert_id}", dependencies=READ)
async def get_alert(
    ports: PortsDep, alerts: AlertsDep, inbox: InboxDep, alert_id: UUID
) -> AlertDetail:
    """One alert with its subject by name, its latest posts and its trend."""
    alert = await _alert(alerts, alert_id)
    samples = await inbox.messages(alert.mention_ids, SAMPLES)
    subject = alerting.trend_subject(alert)
    first, last = alerting.trend_buckets(alert, ports.spikes, ports.clock())
    counts, _ = await alerts.window(alert.kind, [subject], first, last)
    trend = [
        TrendPoint(start=ports.spikes.bucket_start(b), negative_authors=counts[subject].get(b, 0))
        for b in range(first, last + 1)
    ]
    view = _view(alert, {m.id: m for m in samples}).model_dump()
    return AlertDetail.model_validate(
        {
            **view,
            "samples": [MessageView.of(m) for m in samples],
            "trend_subject": subject,
            "trend": trend,
        }
    )


@router.post("/alerts/{alert_id}/acknowledge", dependencies=READ, responses=refused(409))
async def acknowledge_alert(
    ports: PortsDep, alerts: AlertsDep, inbox: InboxDep, principal: Agent, alert_id: UUID
) -> AlertView:
    """Say "seen, on it": the first agent to acknowledge, and when, stay on the alert (published
    as changed); 409 once the alert is cleared."""
    alert = await _alert(alerts, alert_id)
    if alert.status == "cleared":
        raise HTTPException(status.HTTP_409_CONFLICT, "the alert is cleared")
    seen = await alerts.acknowledge(alert_id, principal.subject, ports.clock()) or alert
    return await _named(inbox, seen)


@router.post("/alerts/{alert_id}/clear", dependencies=SUPERVISE)
async def clear_alert(
    ports: PortsDep, alerts: AlertsDep, inbox: InboxDep, alert_id: UUID
) -> AlertView:
    """Declare a crisis over (published as cleared)."""
    found = await _alert(alerts, alert_id)
    if found.status == "active":
        found = found.model_copy(update={"status": "cleared", "changed_at": ports.clock()})
        await alerts.save(found)
    return await _named(inbox, found)


async def _alert(alerts: AlertsDep, alert_id: UUID) -> CrisisAlert:
    found = await alerts.get(alert_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such alert")
    return found


async def _named(inbox: InboxDep, alert: CrisisAlert) -> AlertView:
    post = alerting.viral_post(alert)
    return _view(alert, {m.id: m for m in await inbox.messages([post], 1)} if post else {})


def _view(alert: CrisisAlert, posts: dict[UUID, Message]) -> AlertView:
    post = alerting.viral_post(alert)
    named = alerting.title(alert, posts.get(post) if post else None)
    return AlertView.model_validate({**alert.model_dump(), "title": named})
