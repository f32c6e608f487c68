"""The three brand measures as gauges for the brand dashboard: mood, advocacy and handoff of
the last 24 hours, by the same stores and arithmetic as ``GET /v1/dashboard`` and
``GET /v1/handoff``, measured every minute (NaN while there is nothing to measure)."""

import math
from datetime import timedelta

from prometheus_client import Gauge

from rapport.workers import Repeat
from responder.domain import brand_health
from responder.domain.handoff import Durations, handoff
from responder.ports import BrandHealthReads, Ports

WINDOW = timedelta(hours=24)
EVERY_S = 60.0
MAX_CASES = 200_000

MENTIONS = Gauge(
    "rapport_brand_mentions", "Customer mentions of the last 24 hours, by sentiment", ["sentiment"]
)
NET_SENTIMENT = Gauge(
    "rapport_brand_net_sentiment",
    "Mood: (positive - negative) / (positive + negative) mentions of the last 24 hours",
)
ADVOCACY_SHARE = Gauge(
    "rapport_brand_advocacy_share", "Advocacy: share of the last 24 hours' mentions that advocate"
)
PEOPLE = Gauge("rapport_brand_people", "Fans and evangelists, as last sampled", ["stage"])
WITHIN_SLA = Gauge(
    "rapport_handoff_within_sla_share",
    "Handoff: share of first responses within SLA, of cases opened in the last 24 hours",
)
FIRST_RESPONSE = Gauge(
    "rapport_handoff_first_response_seconds",
    "Handoff: time to first response of cases opened in the last 24 hours",
    ["stat"],
)
RESOLUTION = Gauge(
    "rapport_handoff_resolution_seconds",
    "Handoff: time to resolution of cases opened in the last 24 hours",
    ["stat"],
)
BACKLOG = Gauge("rapport_handoff_backlog", "Cases opened in the last 24 hours still active")


def _value(found: float | None) -> float:
    return math.nan if found is None else found


def _durations(gauge: Gauge, durations: Durations) -> None:
    gauge.labels("median").set(_value(durations.median_s))
    gauge.labels("p90").set(_value(durations.p90_s))


async def measure(ports: Ports, health: BrandHealthReads) -> None:
    until = ports.clock()
    since = until - WINDOW
    tally = brand_health.total((await health.tallies(since, until, "hour")).values())
    for sentiment in ("positive", "negative", "neutral"):
        MENTIONS.labels(sentiment).set(getattr(tally, sentiment))
    NET_SENTIMENT.set(_value(tally.net))
    ADVOCACY_SHARE.set(_value(tally.advocacy_share))
    samples = await health.stage_samples(until)
    fans, evangelists = samples[-1][1] if samples else (math.nan, math.nan)
    PEOPLE.labels("fan").set(fans)
    PEOPLE.labels("evangelist").set(evangelists)
    opened = {"opened_at": {"$gte": since, "$lt": until}}
    cases = await ports.cases.find(opened, [("opened_at", 1)], 0, MAX_CASES)
    measured = handoff(cases, until)
    WITHIN_SLA.set(_value(measured.within_sla))
    _durations(FIRST_RESPONSE, measured.first_response)
    _durations(RESOLUTION, measured.resolution)
    BACKLOG.set(measured.backlog)


def brand_gauges(ports: Ports, health: BrandHealthReads, every_s: float = EVERY_S) -> Repeat:
    return Repeat(every_s, lambda: measure(ports, health))
