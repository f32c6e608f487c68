"""Brand health over a time range: mood, advocacy, fans and evangelists, the loudest voices
(see :mod:`responder.domain.brand_health` for the arithmetic). Handoff and crisis alerts are
``/v1/handoff`` and ``/v1/alerts``."""

from datetime import datetime, timedelta
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from rapport.bounds import Timestamp
from responder.api.deps import READ, HealthDep, PortsDep
from responder.domain import brand_health as health
from responder.domain.brand_health import Tally, Unit

router = APIRouter(prefix="/v1", tags=["dashboard"])
DEFAULT_RANGE = timedelta(days=7)
MAX_RANGE = timedelta(days=366)
TOP = 5


class Point(BaseModel):
    start: datetime | None
    mentions: int
    positive: int
    negative: int
    neutral: int
    net_sentiment: float | None
    advocacy: int
    advocacy_share: float | None

    @classmethod
    def of(cls, tally: Tally, start: datetime | None = None) -> "Point":
        return cls(
            start=start,
            mentions=tally.mentions,
            positive=tally.positive,
            negative=tally.negative,
            neutral=tally.neutral,
            net_sentiment=tally.net,
            advocacy=tally.advocacy,
            advocacy_share=tally.advocacy_share,
        )


class People(BaseModel):
    day: datetime
    fans: int | None
    evangelists: int | None
    """None before the first sample."""


class Voice(BaseModel):
    profile_id: UUID
    mentions: int
    last_at: datetime


class Dashboard(BaseModel):
    since: datetime
    until: datetime
    unit: Unit
    totals: Point
    previous_net_sentiment: float | None
    """Net sentiment of the equally long range just before."""
    mood_trend: float | None
    series: list[Point]
    people: list[People]
    top_evangelists: list[Voice]
    """The most advocacy mentions in the range."""
    top_detractors: list[Voice]
    """The most negative mentions in the range."""


@router.get("/dashboard", dependencies=READ)
async def dashboard(
    ports: PortsDep,
    store: HealthDep,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
) -> Dashboard:
    """Mood, advocacy and its people for mentions created in [since, until) (by default the
    last seven days): by the hour up to two days, else by the day."""
    until = until or ports.clock()
    since = since or until - DEFAULT_RANGE
    if since >= until:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "since must be before until")
    if until - since > MAX_RANGE:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "at most 366 days at once")
    unit = health.unit_of(since, until)
    starts = health.bucket_starts(since, until, unit)
    series = health.filled(await store.tallies(since, until, unit), starts)
    before = health.total((await store.tallies(since - (until - since), since, unit)).values())
    totals = health.total(series)
    days = health.bucket_starts(since, until, "day")
    people = health.carried(await store.stage_samples(until), days)
    evangelists = await store.top(since, until, {"advocacy": True}, TOP)
    detractors = await store.top(since, until, {"sentiment": "negative"}, TOP)
    return Dashboard(
        since=since,
        until=until,
        unit=unit,
        totals=Point.of(totals),
        previous_net_sentiment=before.net,
        mood_trend=health.trend(totals.net, before.net),
        series=[Point.of(tally, start) for tally, start in zip(series, starts, strict=True)],
        people=[
            People(day=day, fans=c[0] if c else None, evangelists=c[1] if c else None)
            for day, c in people.items()
        ],
        top_evangelists=[Voice.model_validate(vars(v)) for v in evangelists],
        top_detractors=[Voice.model_validate(vars(v)) for v in detractors],
    )
