"""What profiles does with each event it consumes."""

from profiles.repository import ProfileRepository
from rapport.events import Event, MentionEnriched, MentionIngested, ProfileChange, ProfileChanged
from rapport.kafka.producer import Publish

ENRICHED_TOPIC = "social.mentions.enriched"
PROFILES_TOPIC = "crm.profiles"


async def on_mention_ingested(
    event: MentionIngested, *, profiles: ProfileRepository, publish: Publish
) -> None:
    """Record the mention on its author's profile and pass it on with the profile's snapshot.

    A redelivered mention changes nothing but is published again (same event ids), in case
    the first attempt stopped between the write and the publish.
    """
    recorded = await profiles.record(event)
    messages: list[tuple[str, str, Event]] = [
        (ENRICHED_TOPIC, event.payload.author_key, MentionEnriched.of(event, recorded.profile))
    ]
    if recorded.created_by_this_mention:
        change = ProfileChange(change="created", profile=recorded.profile)
        created = ProfileChanged.of(change, cause=str(event.event_id))
        messages.append((PROFILES_TOPIC, str(recorded.profile.profile_id), created))
    await publish(messages)
