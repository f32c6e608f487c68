"""What responder does with each event it consumes."""

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rapport.events import Event, MentionEnriched, ProfileChanged
from responder import crisis
from responder.desk import Desk
from responder.domain.brand_health import counted
from responder.intake import take_mention
from responder.merges import move_cases
from responder.stores.alerts import Alerts
from responder.stores.brand_health import BrandHealth


async def on_mention_enriched(
    event: MentionEnriched, *, desk: Desk, alerts: Alerts, health: BrandHealth
) -> None:
    """Thread the mention into its case (or open one), watch it for a crisis, and count it
    for the dashboard."""
    case = await take_mention(desk, event.payload)
    mention = event.payload.mention
    await crisis.watch(desk, alerts, event.payload.mention_event_id, mention, case)
    if counted(mention):
        await health.record(event.payload)


async def on_profile_changed(event: ProfileChanged, *, desk: Desk, health: BrandHealth) -> None:
    """Keep the latest stage and value; on a merge, move absorbed profiles' cases over and
    forget the absorbed profiles; then sample the number of fans and evangelists."""
    change = event.payload
    await desk.profiles.remember(change.profile)
    if change.change == "merged":
        await move_cases(desk, change.related_profile_ids, change.profile.profile_id)
        await desk.profiles.forget(change.related_profile_ids)
    await health.sample_stages(desk.clock(), await desk.profiles.fans_and_evangelists())


Handler = Callable[[Any], Awaitable[None]]


def event_handlers(desk: Desk, alerts: Alerts, health: BrandHealth) -> dict[type[Event], Handler]:
    """The handlers of the events above, bound to their collaborators."""
    return {
        MentionEnriched: partial(on_mention_enriched, desk=desk, alerts=alerts, health=health),
        ProfileChanged: partial(on_profile_changed, desk=desk, health=health),
    }
