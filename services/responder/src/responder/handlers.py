"""What responder does with each event it consumes."""

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from uuid import UUID

from opentelemetry.context import Context

from rapport.events import (
    Event,
    MentionEnriched,
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
)
from rapport.kafka.consumer import record_context
from responder import crisis
from responder.batch_intake import take_mentions
from responder.desk import Desk
from responder.domain.brand_health import counted
from responder.domain.triage import FANS
from responder.intake import take_mention
from responder.merges import move_cases
from responder.stores.alerts import Alerts
from responder.stores.brand_health import BrandHealth


async def on_mention_enriched(
    event: MentionEnriched, *, desk: Desk, alerts: Alerts, health: BrandHealth
) -> None:
    """Thread the mention into its case (or open one) and watch it for a crisis; meanwhile,
    count it for the dashboard."""
    mention = event.payload.mention

    async def take_and_watch() -> None:
        case = await take_mention(desk, event.payload)
        await crisis.watch(desk, alerts, event.payload.mention_event_id, mention, case)

    async def record() -> None:
        if counted(mention):
            await health.record(event.payload)

    await _together(take_and_watch(), record())


async def on_mentions_enriched(
    events: list[MentionEnriched], *, desk: Desk, alerts: Alerts, health: BrandHealth
) -> None:
    """``on_mention_enriched`` of each, in order, with the batch's reads and counts done once
    (see ``responder.batch_intake``); the dashboard facts in one write."""
    batch = [event.payload for event in events]

    async def take_and_watch() -> None:
        cases = await take_mentions(desk, batch, _traces(events))
        watched = [(e.mention_event_id, e.mention, c) for e, c in zip(batch, cases, strict=True)]
        await crisis.watch_all(desk, alerts, watched)

    async def record() -> None:
        await health.record_all([e for e in batch if counted(e.mention)])

    await _together(take_and_watch(), record())


def _traces(events: list[MentionEnriched]) -> dict[UUID, Context]:
    """Per mention id, its own "process" span (in the trace its record carried), so the case
    events it causes follow that trace."""
    return {
        event.payload.mention_event_id: found
        for event in events
        if (found := record_context(event)) is not None
    }


async def _together(*work: Awaitable[None]) -> None:
    """Run ``work`` concurrently; its first failure is raised once all is done (so no retry
    overlaps what is still running)."""
    for outcome in await asyncio.gather(*work, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome


async def on_profile_changed(event: ProfileChanged, *, desk: Desk, health: BrandHealth) -> None:
    """Keep the latest stage and value; on a merge, move absorbed profiles' cases over and
    forget the absorbed profiles; then, when it changed, sample the number of fans and
    evangelists (a day without a sample shows the last one before it)."""
    change = event.payload
    moved = await desk.profiles.remember(change.profile)
    if change.change == "merged":
        await _merge(desk, change)
    if change.change == "merged" or moved & FANS:
        await _sample_stages(desk, health)


async def on_profiles_changed(
    events: list[ProfileChanged], *, desk: Desk, health: BrandHealth
) -> None:
    """``on_profile_changed`` of each, in order: the snapshots up to each merge kept with one
    read and one write (``ProfileCache.remember_all``), and the fans sampled once."""
    moved: set[RelationshipStage] = set()
    merged = False
    waiting: list[ProfileSnapshot] = []
    for change in (event.payload for event in events):
        waiting.append(change.profile)
        if change.change == "merged":
            moved |= await desk.profiles.remember_all(waiting)
            waiting = []
            await _merge(desk, change)
            merged = True
    if waiting:
        moved |= await desk.profiles.remember_all(waiting)
    if merged or moved & FANS:
        await _sample_stages(desk, health)


async def _merge(desk: Desk, change: ProfileChange) -> None:
    await move_cases(desk, change.related_profile_ids, change.profile.profile_id)
    await desk.profiles.forget(change.related_profile_ids)


async def _sample_stages(desk: Desk, health: BrandHealth) -> None:
    await health.sample_stages(desk.clock(), await desk.profiles.fans_and_evangelists())


Handler = Callable[[Any], Awaitable[None]]


def event_handlers(desk: Desk, alerts: Alerts, health: BrandHealth) -> dict[type[Event], Handler]:
    """The handlers of the events above, bound to their collaborators."""
    return {
        MentionEnriched: partial(on_mention_enriched, desk=desk, alerts=alerts, health=health),
        ProfileChanged: partial(on_profile_changed, desk=desk, health=health),
    }


def batch_handlers(desk: Desk, alerts: Alerts, health: BrandHealth) -> dict[type[Event], Handler]:
    """The batch handlers (``rapport.kafka.consumer``), bound like ``event_handlers``."""
    return {
        MentionEnriched: partial(on_mentions_enriched, desk=desk, alerts=alerts, health=health),
        ProfileChanged: partial(on_profiles_changed, desk=desk, health=health),
    }
