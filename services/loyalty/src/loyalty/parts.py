"""loyalty's parts, as ``main.build_parts`` wires them for the consumer, the routes (from
``app.state.parts``) and the workers. Everything they publish, the privacy answer included,
goes through the outbox."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from loyalty.adapters.catalogue_store import Collection, MongoRules
from loyalty.adapters.earning_work import MongoEarningWork
from loyalty.adapters.ledger_store import MongoLedger
from loyalty.adapters.member_store import MongoMembers
from loyalty.adapters.outreach_store import MongoMemberAudiences
from loyalty.adapters.people_store import MongoPeople
from loyalty.adapters.posted_event_store import MongoPostedEvents
from loyalty.adapters.question_store import MongoQuestions
from loyalty.adapters.referral_store import MongoReferrals
from loyalty.adapters.rollout_store import MongoRollouts
from loyalty.clock import Clock
from loyalty.domain.catalogue import Offer, Reward
from loyalty.domain.rollouts import Rollout
from loyalty.privacy import LoyaltyData
from loyalty.sweeper import Sweeper
from loyalty.use_cases.earning import Earner
from loyalty.use_cases.mention_batches import MentionBatches
from loyalty.use_cases.outreach import Outreach
from loyalty.use_cases.redemptions import Redemptions
from loyalty.use_cases.referring import Referring
from loyalty.use_cases.tiering import TierKeeper
from loyalty.workers import RolloutWorker
from rapport.events import PrivacyRequested
from rapport.suppression import SuppressionList


@dataclass(frozen=True)
class Parts:
    ledger: MongoLedger
    members: MongoMembers
    questions: MongoQuestions
    rules: MongoRules
    rewards: Collection[Reward]
    offers: Collection[Offer]
    redemptions: Redemptions
    posted_events: MongoPostedEvents
    people: MongoPeople
    referrals: MongoReferrals
    earning: MongoEarningWork
    tiers: TierKeeper
    earner: Earner
    referring: Referring
    mention_batches: MentionBatches
    outreach: Outreach
    audiences: MongoMemberAudiences
    rollouts: MongoRollouts
    start_rollout: Callable[[Offer], Awaitable[Rollout]]
    rollout_worker: RolloutWorker
    sweeper: Sweeper
    personal_data: LoyaltyData
    suppressions: SuppressionList
    answer_privacy: Callable[[PrivacyRequested], Awaitable[None]]
    clock: Clock
