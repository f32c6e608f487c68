"""What responder does with each event it consumes."""

from rapport.events import MentionEnriched, ProfileChanged
from responder import crisis
from responder.desk import Desk
from responder.intake import take_mention
from responder.merges import move_cases
from responder.stores.alerts import Alerts


async def on_mention_enriched(event: MentionEnriched, *, desk: Desk, alerts: Alerts) -> None:
    """Thread the mention into its case (or open one), then watch it for a crisis."""
    case = await take_mention(desk, event.payload)
    mention = event.payload.mention
    await crisis.watch(desk, alerts, event.payload.mention_event_id, mention, case)


async def on_profile_changed(event: ProfileChanged, *, desk: Desk) -> None:
    """Keep the latest stage and value; on a merge, move absorbed profiles' cases over."""
    change = event.payload
    await desk.profiles.remember(change.profile)
    if change.change == "merged":
        await move_cases(desk, change.related_profile_ids, change.profile.profile_id)
