"""What loyalty does with each event it consumes. Every effect is keyed by its cause and stored
with its events (the outbox) in one transaction, so a redelivered event changes and announces
nothing."""

from dataclasses import dataclass
from datetime import timedelta

from loyalty.adapters.member_store import MongoMembers
from loyalty.adapters.people_store import MongoPeople
from loyalty.adapters.question_store import MongoQuestions
from loyalty.clock import Clock
from loyalty.domain.acts import STAGE_BONUSES
from loyalty.domain.recovery import earns_recovery
from loyalty.domain.rules import RuleKind
from loyalty.ports import Earning
from loyalty.use_cases.earning import Earner
from loyalty.use_cases.mention_batches import MentionBatches
from loyalty.use_cases.mentions import AtOnce, answer_mention, audience
from loyalty.use_cases.outreach import Outreach
from loyalty.use_cases.tiering import TierKeeper
from rapport.events import CaseChanged, MentionEnriched, ProfileChanged


async def on_mention_enriched(
    event: MentionEnriched,
    *,
    earner: Earner,
    members: MongoMembers,
    questions: MongoQuestions,
    clock: Clock,
    min_shares: int,
    flag_for: timedelta,
) -> None:
    """Reward a customer's positive posts, content, shares and answers; flag spammers."""
    effects = AtOnce(
        earner=earner, members=members, questions=questions, clock=clock, flag_for=flag_for
    )
    await answer_mention(event, effects, min_shares)


async def on_mentions_enriched(events: list[MentionEnriched], *, batches: MentionBatches) -> None:
    """The same for many mentions at once, in their order, in one transaction."""
    await batches.apply(events)


@dataclass(frozen=True, kw_only=True)
class ProfileEffects:
    """What a profile change touches."""

    earner: Earner
    members: MongoMembers
    tiers: TierKeeper
    outreach: Outreach
    clock: Clock
    people: MongoPeople


async def on_profile_changed(event: ProfileChanged, *, effects: ProfileEffects) -> None:
    """Surprise-and-delight for new fans and evangelists, merges, and what outreach needs."""
    change = event.payload
    profile_id = change.profile.profile_id
    await _merge_and_reward(event, effects)
    observed = await effects.members.observe(profile_id, audience(change.profile))
    if observed and change.change != "created":
        await effects.outreach.member_changed(profile_id)


async def on_profiles_changed(events: list[ProfileChanged], *, effects: ProfileEffects) -> None:
    """The same for many, in order: merges and stage bonuses one by one (each once per cause,
    so a batch redone one by one earns nothing twice), then each member's latest stage, segment
    and consent in one read and one write, and the running offers decided once per member that
    changed (with their latest audience)."""
    for event in events:
        await _merge_and_reward(event, effects)
    latest = {e.payload.profile.profile_id: audience(e.payload.profile) for e in events}
    kept = await effects.members.observe_all(latest)
    changed = [e.payload.profile.profile_id for e in events if e.payload.change != "created"]
    await effects.outreach.members_changed([p for p in dict.fromkeys(changed) if p in kept])


async def _merge_and_reward(event: ProfileChanged, effects: ProfileEffects) -> None:
    change = event.payload
    await effects.people.observe(change)
    profile = change.profile
    profile_id = profile.profile_id
    if change.change == "merged":
        for absorbed in change.related_profile_ids:
            if absorbed != profile_id:
                await effects.members.merge(profile_id, absorbed)
        await effects.tiers.review(profile_id, effects.clock(), cause=str(event.event_id))
    bonus = STAGE_BONUSES.get(profile.stage)
    if change.change == "stage_changed" and bonus is not None:
        await effects.earner.earn(
            bonus,
            profile_id=profile_id,
            cause=f"{profile_id}:{profile.stage.value}",
            cause_event_id=event.event_id,
            audience=audience(profile),
        )


async def on_case_changed(event: CaseChanged, *, earner: Earning) -> None:
    """A recovery gesture when an answered complaint is resolved: once per case, however often
    resolved."""
    case = event.payload
    if earns_recovery(case):
        await earner.earn(
            RuleKind.RECOVERY,
            profile_id=case.profile_id,
            cause=str(case.case_id),
            cause_event_id=event.event_id,
        )
