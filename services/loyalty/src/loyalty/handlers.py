"""What loyalty does with each event it consumes. Every effect is keyed by its cause and stored
with its events (the outbox) in one transaction, so a redelivered event changes and announces
nothing."""

from datetime import timedelta

from loyalty.clock import Clock
from loyalty.domain.acts import STAGE_BONUSES, is_question, may_help, mention_acts
from loyalty.domain.offers import Audience
from loyalty.domain.rules import RuleKind
from loyalty.earning import Earner
from loyalty.outreach import Outreach
from loyalty.repository.members import MongoMembers
from loyalty.repository.questions import MongoQuestions
from loyalty.tiering import TierKeeper
from rapport.events import (
    CaseChanged,
    Intent,
    MentionEnriched,
    ProfileChanged,
    ProfileSnapshot,
    ReferralConverted,
)


def audience(profile: ProfileSnapshot) -> Audience:
    return Audience(profile.stage, profile.segment, profile.consent.marketing)


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
    mention, profile = event.payload.mention, event.payload.profile
    profile_id = profile.profile_id
    if mention.from_brand:
        return
    if Intent.SPAM in mention.intents:
        await members.flag(profile_id, clock() + flag_for)
        return
    if is_question(mention):
        await questions.remember(mention, profile_id, clock())
    acts = mention_acts(mention, min_shares=min_shares)
    if may_help(mention, profile.stage) and await questions.asker(mention) not in (
        None,
        profile_id,
    ):
        acts.append(RuleKind.HELPING)
    cause = event.payload.mention_event_id
    for kind in acts:
        await earner.earn(
            kind,
            profile_id=profile_id,
            cause=str(cause),
            cause_event_id=cause,
            audience=audience(profile),
        )
    if not acts:
        await members.observe(profile_id, audience(profile))


async def on_profile_changed(
    event: ProfileChanged,
    *,
    earner: Earner,
    members: MongoMembers,
    tiers: TierKeeper,
    outreach: Outreach,
    clock: Clock,
) -> None:
    """Surprise-and-delight for new fans and evangelists, merges, and what outreach needs."""
    change = event.payload
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
    """A recovery gesture when a complaint is resolved: once per case, however often resolved."""
    case = event.payload
    if case.change == "resolved" and Intent.COMPLAINT in case.intents:
        await earner.earn(
            RuleKind.RECOVERY,
            profile_id=case.profile_id,
            cause=str(case.case_id),
            cause_event_id=event.event_id,
        )


async def on_referral_converted(event: ReferralConverted, *, earner: Earner) -> None:
    """Referral points for the referrer; nobody earns for referring themselves."""
    referral = event.payload
    if referral.referrer_profile_id == referral.referred_profile_id:
        return
    await earner.earn(
        RuleKind.REFERRAL,
        profile_id=referral.referrer_profile_id,
        cause=referral.referral_id,
        cause_event_id=event.event_id,
    )
