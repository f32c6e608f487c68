"""loyalty's parts wired together once, for the consumer, the routes and the expiry worker."""

from dataclasses import dataclass
from datetime import timedelta

from loyalty.clock import Clock
from loyalty.domain.catalogue import Offer, Reward
from loyalty.earning import Earner
from loyalty.outreach import Outreach
from loyalty.privacy import LoyaltyData
from loyalty.repository.catalogue import Collection, MongoRules
from loyalty.repository.intake import MongoIntake
from loyalty.repository.ledger import MongoLedger
from loyalty.repository.members import MongoMembers
from loyalty.repository.outreach import MongoOutreach
from loyalty.repository.questions import MongoQuestions
from loyalty.repository.redemptions import MongoRedemptions
from loyalty.settings import LoyaltySettings
from loyalty.sweeper import Sweeper
from loyalty.tiering import TierKeeper
from rapport.kafka.producer import Publish
from rapport.mongo import Database


@dataclass(frozen=True)
class Services:
    ledger: MongoLedger
    members: MongoMembers
    questions: MongoQuestions
    rules: MongoRules
    rewards: Collection[Reward]
    offers: Collection[Offer]
    redemptions: MongoRedemptions
    intake: MongoIntake
    tiers: TierKeeper
    earner: Earner
    outreach: Outreach
    sweeper: Sweeper
    personal_data: LoyaltyData
    publish: Publish
    clock: Clock

    @classmethod
    def build(
        cls, db: Database, publish: Publish, settings: LoyaltySettings, clock: Clock
    ) -> "Services":
        ledger, members, rules = MongoLedger(db), MongoMembers(db), MongoRules(db)
        offers = Collection(db, "offers", Offer)
        tiers = TierKeeper(
            ledger=ledger,
            members=members,
            publish=publish,
            thresholds=settings.tiers,
            window=timedelta(days=settings.tier_window_days),
        )
        earner = Earner(
            rules=rules,
            ledger=ledger,
            tiers=tiers,
            publish=publish,
            clock=clock,
            expiry=timedelta(days=settings.expiry_days),
        )
        decisions = MongoOutreach(db, weekly_cap=settings.outreach_per_week)
        return cls(
            ledger=ledger,
            members=members,
            questions=MongoQuestions(db),
            rules=rules,
            rewards=Collection(db, "rewards", Reward),
            offers=offers,
            redemptions=MongoRedemptions(db),
            intake=MongoIntake(db),
            tiers=tiers,
            earner=earner,
            outreach=Outreach(
                offers=offers, decisions=decisions, members=members, publish=publish, clock=clock
            ),
            sweeper=Sweeper(
                ledger=ledger,
                members=members,
                tiers=tiers,
                publish=publish,
                clock=clock,
                interval_s=settings.expiry_sweep_interval_s,
            ),
            personal_data=LoyaltyData(db),
            publish=publish,
            clock=clock,
        )
