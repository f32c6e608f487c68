"""What loyalty does with each event it consumes. Every effect is keyed by its cause and stored
with its events (the outbox) in one transaction, so a redelivered event changes and announces
nothing."""

from datetime import timedelta

from loyalty.clock import Clock
from loyalty.domain.acts import STAGE_BONUSES
from loyalty.domain.recovery import earns_recovery
from loyalty.domain.rules import RuleKind
from loyalty.earning import Earner
from loyalty.mention_batches import MentionBatches
from loyalty.mentions import AtOnce, answer_mention, audience
from loyalty.outreach import Outreach
from loyalty.repository.members import MongoMembers
from loyalty.repository.people import MongoPeople
from loyalty.repository.questions import MongoQuestions
from loyalty.tiering import TierKeeper
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


async def on_profile_changed(
    event: ProfileChanged,
    *,
    earner: Earner,
    members: MongoMembers,
    tiers: TierKeeper,
    outreach: Outreach,
    clock: Clock,
    people: MongoPeople,
) -> None:
    """Surprise-and-delight for new fans and evangelists, merges, and what outreach needs."""
    change = event.payload
    await people.observe(change)
    profile = change.profile
    profile_id = profile.profile_id
    if change.change == "merged":
        for absorbed in change.related_profile_ids:
            if absorbed != profile_id:
                await members.merge(profile_id, absorbed)
        await tiers.review(profile_id, clock(), cause=str(event.event_id))
    bonus = STAGE_BONUSES.get(profile.stage)
    if change.change == "stage_changed" and bonus is not None:
        await earner.earn(
            bonus,
            profile_id=profile_id,
            cause=f"{profile_id}:{profile.stage.value}",
            cause_event_id=event.event_id,
            audience=audience(profile),
        )
    if await members.observe(profile_id, audience(profile)) and change.change != "created":
        await outreach.member_changed(profile_id)


async def on_case_changed(event: CaseChanged, *, earner: Earner) -> None:
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
