"""Recording mentions: each on its author's profile (made on the first), passed on enriched with
the profile's snapshot, once per mention; a batch in one unit (``ProfileStore.apply_many``)."""

from dataclasses import replace

from profiles.domain.evaluation import snapshot
from profiles.domain.model import Clock, Profile
from profiles.domain.recording import record_mention as recorded
from profiles.domain.rules import Rules
from profiles.ports import (
    ENRICHED_TOPIC,
    Change,
    Planned,
    ProfileStore,
    history_entry,
    profile_id_for,
)
from profiles.use_cases.announcer import Announcer
from rapport.events import MentionEnriched, MentionIngested
from rapport.kafka.consumer import record_context


async def record_mention(
    event: MentionIngested, *, profiles: ProfileStore, rules: Rules, clock: Clock
) -> None:
    """Record the mention on its author's profile; pass it on with the profile's snapshot."""
    planned = planned_mention(event, rules=rules, clock=clock)
    await profiles.apply(
        planned.cause, planned.decide, identity=planned.identity, history=planned.history
    )


async def record_mentions(
    events: list[MentionIngested], *, profiles: ProfileStore, rules: Rules, clock: Clock
) -> None:
    """``record_mention`` for a batch, in order, in one unit."""
    await profiles.apply_many([planned_mention(e, rules=rules, clock=clock) for e in events])


def planned_mention(event: MentionIngested, *, rules: Rules, clock: Clock) -> Planned:
    mention, now = event.payload, clock()
    announcer = Announcer(rules, now, str(event.event_id))

    def decide(before: Profile | None) -> Change:
        new_id = profile_id_for(mention.author_key)
        after = recorded(before, mention, new_id=new_id, now=now, rules=rules)
        change = announcer.change(before, after)
        enriched = MentionEnriched.of(event, snapshot(change.profile, now, rules))
        return replace(change, also=[(ENRICHED_TOPIC, mention.author_key, enriched)])

    history = history_entry(
        event.event_id, mention.author_key, mention.created_at, mention.model_dump(mode="json")
    )
    trace = record_context(event)
    return Planned(str(event.event_id), mention.author_key, decide, history, trace)
