"""loyalty's parts wired together once, for the consumer, the routes and the expiry worker.
Everything they publish, the privacy answer included, goes through the outbox."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from uuid import uuid4

from loyalty.adapters.catalogue_store import Collection, MongoRules
from loyalty.adapters.ledger_store import MongoLedger
from loyalty.adapters.member_store import MongoMembers
from loyalty.adapters.outbox import Outbox
from loyalty.adapters.outreach_store import MongoMemberAudiences, MongoOutreachWork
from loyalty.adapters.people_store import MongoPeople
from loyalty.adapters.posted_event_store import MongoPostedEvents
from loyalty.adapters.question_store import MongoQuestions
from loyalty.adapters.redemption_store import MongoRedemptionWork
from loyalty.adapters.referral_store import MongoReferrals
from loyalty.adapters.rollout_store import MongoRollouts
from loyalty.clock import Clock
from loyalty.domain.catalogue import Offer, Reward
from loyalty.domain.rollouts import Rollout
from loyalty.privacy import LoyaltyData
from loyalty.settings import LoyaltySettings
from loyalty.sweeper import Sweeper
from loyalty.use_cases.earning import Earner
from loyalty.use_cases.mention_batches import MentionBatches
from loyalty.use_cases.offer_rollouts import RolloutRunner, start_rollout
from loyalty.use_cases.outreach import Outreach
from loyalty.use_cases.redemptions import Redemptions
from loyalty.use_cases.tiering import TierKeeper
from loyalty.workers import RolloutWorker
from rapport.events import PrivacyRequested
from rapport.exports.store import export_store
from rapport.mongo import Database
from rapport.privacy import privacy_outbox_handler
from rapport.suppression import Suppressing, SuppressionList


@dataclass(frozen=True)
class Services:
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
    tiers: TierKeeper
    earner: Earner
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

    @classmethod
    def build(
        cls,
        db: Database,
        settings: LoyaltySettings,
        clock: Clock,
        outbox: Outbox | None = None,
    ) -> "Services":
        """``outbox`` stores what they publish; by default it wakes no relay."""
        outbox = outbox or Outbox(db)
        ledger, members = MongoLedger(db, outbox), MongoMembers(db)
        rules = MongoRules(db, ttl_s=settings.rules_cache_s)
        offers = Collection(db, "offers", Offer)
        tiers = TierKeeper(
            ledger=ledger,
            members=members,
            outbox=outbox,
            thresholds=settings.tiers,
            window=timedelta(days=settings.tier_window_days),
        )
        earner = Earner(
            rules=rules,
            ledger=ledger,
            tiers=tiers,
            outbox=outbox,
            clock=clock,
            expiry=timedelta(days=settings.expiry_days),
        )
        mention_batches = MentionBatches(
            db=db,
            rules=rules,
            outbox=outbox,
            tiers=tiers.terms,
            clock=clock,
            expiry=timedelta(days=settings.expiry_days),
            flag_for=timedelta(days=settings.flag_days),
            min_shares=settings.share_min_shares,
        )
        people = MongoPeople(db)
        outreach = Outreach(
            offers=offers,
            uow=MongoOutreachWork(db, outbox),
            clock=clock,
            weekly_cap=settings.outreach_per_week,
        )
        audiences, rollouts = MongoMemberAudiences(db), MongoRollouts(db)
        rollout_runner = RolloutRunner(
            offers=offers,
            members=audiences,
            rollouts=rollouts,
            decide=outreach.decide,
            clock=clock,
            owner=uuid4().hex,
            claim_for=timedelta(seconds=settings.rollout_claim_s),
        )
        suppressions = SuppressionList(db, settings.suppression_pepper)
        return cls(
            ledger=ledger,
            members=members,
            questions=MongoQuestions(db),
            rules=rules,
            rewards=Collection(db, "rewards", Reward),
            offers=offers,
            redemptions=Redemptions(MongoRedemptionWork(db, outbox)),
            posted_events=MongoPostedEvents(db, outbox),
            people=people,
            referrals=MongoReferrals(db, people),
            tiers=tiers,
            earner=earner,
            mention_batches=mention_batches,
            outreach=outreach,
            audiences=audiences,
            rollouts=rollouts,
            start_rollout=partial(
                start_rollout, offers=offers, members=audiences, rollouts=rollouts, clock=clock
            ),
            rollout_worker=RolloutWorker(rollout_runner),
            sweeper=Sweeper(
                ledger=ledger,
                members=members,
                tiers=tiers,
                clock=clock,
                interval_s=settings.expiry_sweep_interval_s,
            ),
            personal_data=LoyaltyData(db),
            suppressions=suppressions,
            answer_privacy=privacy_outbox_handler(
                "loyalty",
                Suppressing(LoyaltyData(db), suppressions),
                db,
                export_store(db, settings),
                relay_now=outbox.wake,
            ),
            clock=clock,
        )
