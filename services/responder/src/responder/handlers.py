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
from responder.domain.brand_health import counted
from responder.domain.triage import FANS
from responder.ports import AlertStore, MentionFactStore, Ports
from responder.use_cases import crisis_alerts
from responder.use_cases.case_intake import take_mention
from responder.use_cases.case_intake_batches import take_mentions
from responder.use_cases.profile_merges import move_cases


async def on_mention_enriched(
    event: MentionEnriched, *, ports: Ports, alerts: AlertStore, health: MentionFactStore
) -> None:
    """Thread the mention into its case (or open one) and watch it for a crisis; meanwhile,
    count it for the dashboard."""
    mention = event.payload.mention

    async def take_and_watch() -> None:
        case = await take_mention(ports, event.payload)
        await crisis_alerts.watch(ports, alerts, event.payload.mention_event_id, mention, case)

    async def record() -> None:
        if counted(mention):
            await health.record_all([event.payload])

    await _together(take_and_watch(), record())


async def on_mentions_enriched(
    events: list[MentionEnriched], *, ports: Ports, alerts: AlertStore, health: MentionFactStore
) -> None:
    """``on_mention_enriched`` of each, in order, with the batch's reads and counts done once
    (see ``use_cases.case_intake_batches``); the dashboard facts in one write."""
    batch = [event.payload for event in events]

    async def take_and_watch() -> None:
        cases = await take_mentions(ports, batch, _traces(events))
        watched = [(e.mention_event_id, e.mention, c) for e, c in zip(batch, cases, strict=True)]
        await crisis_alerts.watch_all(ports, alerts, watched)

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


async def on_profile_changed(
    event: ProfileChanged, *, ports: Ports, health: MentionFactStore
) -> None:
    """Keep the latest stage and value; on a merge, move absorbed profiles' cases over and
    forget the absorbed profiles; then, when it changed, sample the number of fans and
    evangelists (a day without a sample shows the last one before it)."""
    change = event.payload
    moved = await ports.profiles.remember(change.profile)
    if change.change == "merged":
        await _merge(ports, change)
    if change.change == "merged" or moved & FANS:
        await _sample_stages(ports, health)


async def on_profiles_changed(
    events: list[ProfileChanged], *, ports: Ports, health: MentionFactStore
) -> None:
    """``on_profile_changed`` of each, in order: the snapshots up to each merge kept with one
    read and one write (``ProfileStore.remember_all``), and the fans sampled once."""
    moved: set[RelationshipStage] = set()
    merged = False
    waiting: list[ProfileSnapshot] = []
    for change in (event.payload for event in events):
        waiting.append(change.profile)
        if change.change == "merged":
            moved |= await ports.profiles.remember_all(waiting)
            waiting = []
            await _merge(ports, change)
            merged = True
    if waiting:
        moved |= await ports.profiles.remember_all(waiting)
    if merged or moved & FANS:
        await _sample_stages(ports, health)


async def _merge(ports: Ports, change: ProfileChange) -> None:
    await move_cases(ports, change.related_profile_ids, change.profile.profile_id)
    await ports.profiles.forget(change.related_profile_ids)


async def _sample_stages(ports: Ports, health: MentionFactStore) -> None:
    await health.sample_stages(ports.clock(), await ports.profiles.fans_and_evangelists())


Handler = Callable[[Any], Awaitable[None]]


def event_handlers(
    ports: Ports, alerts: AlertStore, health: MentionFactStore
) -> dict[type[Event], Handler]:
    """The handlers of the events above, bound to their collaborators."""
    return {
        MentionEnriched: partial(on_mention_enriched, ports=ports, alerts=alerts, health=health),
        ProfileChanged: partial(on_profile_changed, ports=ports, health=health),
    }


def batch_handlers(
    ports: Ports, alerts: AlertStore, health: MentionFactStore
) -> dict[type[Event], Handler]:
    """The batch handlers (``rapport.kafka.consumer``), bound like ``event_handlers``."""
    return {
        MentionEnriched: partial(on_mentions_enriched, ports=ports, alerts=alerts, health=health),
        ProfileChanged: partial(on_profiles_changed, ports=ports, health=health),
    }
