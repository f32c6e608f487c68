"""What profiles does with each event it consumes.

Every handler applies its event once (keyed by the event id), storing the events it causes in
the outbox in the same transaction (``ProfileStore.apply``); the relay publishes them. A
redelivery changes nothing and stores nothing more.
"""

import logging
from dataclasses import replace
from functools import partial

from profiles.announce import Announcer
from profiles.domain.evaluation import snapshot
from profiles.domain.model import Clock, Profile
from profiles.domain.recording import record_mention, record_purchase, record_referral
from profiles.domain.rules import Rules
from profiles.ports import (
    ENRICHED_TOPIC,
    PROFILES_TOPIC,
    Change,
    Planned,
    PlannedCase,
    ProfileStore,
    history_entry,
    profile_id_for,
)
from profiles.privacy_requests import PrivacyRequests
from rapport.events import (
    CaseChanged,
    MentionEnriched,
    MentionIngested,
    PrivacyCompleted,
    PurchaseMade,
    ReferralConverted,
)
from rapport.kafka.consumer import record_context

__all__ = [
    "ENRICHED_TOPIC",
    "PROFILES_TOPIC",
    "on_case_changed",
    "on_cases_changed",
    "on_commerce_event",
    "on_mention_ingested",
    "on_mentions_ingested",
    "on_privacy_completed",
]
log = logging.getLogger(__name__)


async def on_mention_ingested(
    event: MentionIngested, *, profiles: ProfileStore, rules: Rules, clock: Clock
) -> None:
    """Record the mention on its author's profile; pass it on with the profile's snapshot."""
    planned = planned_mention(event, rules=rules, clock=clock)
    await profiles.apply(
        planned.cause, planned.decide, identity=planned.identity, history=planned.history
    )


async def on_mentions_ingested(
    events: list[MentionIngested], *, profiles: ProfileStore, rules: Rules, clock: Clock
) -> None:
    """``on_mention_ingested`` for a batch, in order, in one transaction."""
    await profiles.apply_many([planned_mention(e, rules=rules, clock=clock) for e in events])


def planned_mention(event: MentionIngested, *, rules: Rules, clock: Clock) -> Planned:
    mention, now = event.payload, clock()
    announcer = Announcer(rules, now, str(event.event_id))

    def decide(before: Profile | None) -> Change:
        new_id = profile_id_for(mention.author_key)
        after = record_mention(before, mention, new_id=new_id, now=now, rules=rules)
        change = announcer.change(before, after)
        enriched = MentionEnriched.of(event, snapshot(change.profile, now, rules))
        return replace(change, also=[(ENRICHED_TOPIC, mention.author_key, enriched)])

    history = history_entry(
        event.event_id, mention.author_key, mention.created_at, mention.model_dump(mode="json")
    )
    trace = record_context(event)
    return Planned(str(event.event_id), mention.author_key, decide, history, trace)


async def on_commerce_event(
    event: PurchaseMade | ReferralConverted,
    *,
    profiles: ProfileStore,
    rules: Rules,
    clock: Clock,
) -> None:
    """A purchase adds to the buyer's customer value; a converted referral is an act of
    advocacy by the referrer. An event about an unknown profile changes nothing."""
    if isinstance(event, PurchaseMade):
        profile_id = event.payload.profile_id
        record = partial(record_purchase, purchase=event.payload, rules=rules)
    else:
        profile_id = event.payload.referrer_profile_id
        record = partial(record_referral, referral=event.payload, rules=rules)
    announcer = Announcer(rules, clock(), str(event.event_id))

    def decide(before: Profile | None) -> Change | None:
        return None if before is None else announcer.change(before, record(before))

    applied = await profiles.apply(str(event.event_id), decide, profile_id=profile_id)
    if applied.profile is None:
        log.warning("no such profile, event ignored", extra={"event_id": str(event.event_id)})


async def on_case_changed(
    event: CaseChanged, *, profiles: ProfileStore, rules: Rules, clock: Clock
) -> None:
    """Keep each case's latest state; open complaints weigh on the customer's health."""
    planned = planned_case(event, rules=rules, clock=clock)
    await profiles.apply_case(planned.cause, planned.case, planned.decide)


async def on_cases_changed(
    events: list[CaseChanged], *, profiles: ProfileStore, rules: Rules, clock: Clock
) -> None:
    """``on_case_changed`` for a batch, in order, in one transaction."""
    await profiles.apply_cases([planned_case(e, rules=rules, clock=clock) for e in events])


def planned_case(event: CaseChanged, *, rules: Rules, clock: Clock) -> PlannedCase:
    announcer = Announcer(rules, clock(), str(event.event_id))

    def decide(before: Profile, open_complaints: int) -> Change:
        return announcer.change(
            before, before.model_copy(update={"open_complaints": open_complaints})
        )

    return PlannedCase(str(event.event_id), event.payload, decide, record_context(event))


async def on_privacy_completed(event: PrivacyCompleted, *, requests: PrivacyRequests) -> None:
    """Record a service's confirmation on the request profiles opened."""
    await requests.confirm(event.payload)
