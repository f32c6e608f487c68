"""loyalty: rewards the people who speak up for the brand. The composition root: the only
module that builds concrete adapters and wires them into use cases, handlers, routes (through
``app.state.parts``) and workers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from uuid import uuid4

from fastapi import FastAPI

from loyalty.adapters.catalogue_store import Collection, MongoRules
from loyalty.adapters.earning_work import MongoBatchWork, MongoEarningWork
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
from loyalty.api import catalogue, events, held, members, offers
from loyalty.clock import Clock, system_clock
from loyalty.consumers import batch_handlers, event_handlers
from loyalty.domain.catalogue import Offer, Reward
from loyalty.migrations import MIGRATIONS
from loyalty.parts import Parts
from loyalty.privacy import LoyaltyData
from loyalty.settings import LoyaltySettings
from loyalty.sweeper import Sweeper
from loyalty.use_cases.earning import Earner
from loyalty.use_cases.mention_batches import MentionBatches
from loyalty.use_cases.offer_rollouts import RolloutRunner, start_rollout
from loyalty.use_cases.outreach import Outreach
from loyalty.use_cases.redemptions import Redemptions
from loyalty.use_cases.referring import Referring
from loyalty.use_cases.tiering import TierKeeper
from loyalty.workers import RolloutWorker
from rapport.clients import connected, consume
from rapport.exports.store import export_store
from rapport.mongo import Database, warn_missing_indexes
from rapport.outbox import OutboxRelay
from rapport.privacy import privacy_outbox_handler
from rapport.service import Runtime, service_app
from rapport.suppression import Suppressing, SuppressionList, guarded, guarded_batches

ROUTERS = [members.router, held.router, catalogue.router, offers.router, events.router]


def build_parts(
    db: Database, settings: LoyaltySettings, clock: Clock, outbox: Outbox | None = None
) -> Parts:
    """``outbox`` stores what they publish; by default it wakes no relay."""
    outbox = outbox or Outbox(db)
    earning, people = MongoEarningWork(db, outbox), MongoPeople(db)
    ledger, members, rules = (
        MongoLedger(db),
        MongoMembers(db),
        MongoRules(db, ttl_s=settings.rules_cache_s),
    )
    offers, expiry = Collection(db, "offers", Offer), timedelta(days=settings.expiry_days)
    window = timedelta(days=settings.tier_window_days)
    tiers = TierKeeper(uow=earning, thresholds=settings.tiers, window=window)
    earner = Earner(rules=rules, uow=earning, tiers=tiers, clock=clock, expiry=expiry)
    referrals = MongoReferrals(db, people)
    mention_batches = MentionBatches(
        uow=MongoBatchWork(db, outbox),
        rules=rules,
        tiers=tiers.terms,
        clock=clock,
        expiry=expiry,
        flag_for=timedelta(days=settings.flag_days),
        min_shares=settings.share_min_shares,
    )
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
    return Parts(
        ledger=ledger,
        members=members,
        questions=MongoQuestions(db),
        rules=rules,
        rewards=Collection(db, "rewards", Reward),
        offers=offers,
        redemptions=Redemptions(MongoRedemptionWork(db, outbox)),
        posted_events=MongoPostedEvents(db, outbox, earning.bind),
        people=people,
        referrals=referrals,
        earning=earning,
        tiers=tiers,
        earner=earner,
        referring=Referring(uow=earning, earner=earner, refusals=referrals, clock=clock),
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
            uow=earning,
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


def create_app(settings: LoyaltySettings | None = None, clock: Clock = system_clock) -> FastAPI:
    settings = settings or LoyaltySettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with connected(runtime) as clients:
            await warn_missing_indexes(clients.db, MIGRATIONS.indexes(settings))
            relay = OutboxRelay(clients.db, clients.producer, poll_s=0.5)
            parts = build_parts(clients.db, settings, clock, Outbox(clients.db, relay))
            app.state.parts = parts
            suppressions = parts.suppressions
            if settings.consume_events:
                consume(
                    runtime,
                    clients,
                    group="loyalty",
                    handlers=guarded(event_handlers(parts, settings), suppressions),
                    batch_handlers=guarded_batches(batch_handlers(parts), suppressions),
                )
            sweeper, rollouts = parts.sweeper, parts.rollout_worker
            runtime.workers.start("expiry-sweeper", sweeper.run(), stop=sweeper.stop)
            runtime.workers.start("offer-rollouts", rollouts.run(), stop=rollouts.stop)
            if settings.relay_outbox:
                runtime.workers.start("outbox-relay", relay.run(), stop=relay.stop)
            yield

    return service_app(settings, title="Rapport loyalty", routers=ROUTERS, run=run)
