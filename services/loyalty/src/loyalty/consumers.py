"""Which handler each consumed event goes to, with its collaborators."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

from loyalty import handlers
from loyalty.services import Services
from loyalty.settings import LoyaltySettings
from loyalty.use_cases import referring
from rapport.events import (
    CaseChanged,
    Event,
    MentionEnriched,
    PrivacyRequested,
    ProfileChanged,
    PurchaseMade,
    ReferralConverted,
)

Handlers = dict[type[Event], Callable[[Any], Awaitable[None]]]
BatchHandlers = dict[type[Event], Callable[[list[Any]], Awaitable[None]]]


def event_handlers(services: Services, settings: LoyaltySettings) -> Handlers:
    earner = services.earner
    return {
        MentionEnriched: partial(
            handlers.on_mention_enriched,
            earner=earner,
            members=services.members,
            questions=services.questions,
            clock=services.clock,
            min_shares=settings.share_min_shares,
            flag_for=timedelta(days=settings.flag_days),
        ),
        ProfileChanged: partial(handlers.on_profile_changed, effects=_profile_effects(services)),
        CaseChanged: partial(handlers.on_case_changed, earner=earner),
        PurchaseMade: partial(referring.on_purchase_made, referrals=services.referrals),
        ReferralConverted: partial(
            referring.on_referral_converted,
            referrals=services.referrals,
            earner=earner,
            clock=services.clock,
        ),
        PrivacyRequested: services.answer_privacy,
    }


def batch_handlers(services: Services) -> BatchHandlers:
    """Events handled many at a time; a batch that fails goes one by one through
    ``event_handlers``."""
    return {
        MentionEnriched: partial(handlers.on_mentions_enriched, batches=services.mention_batches),
        ProfileChanged: partial(handlers.on_profiles_changed, effects=_profile_effects(services)),
    }


def _profile_effects(services: Services) -> handlers.ProfileEffects:
    return handlers.ProfileEffects(
        earner=services.earner,
        members=services.members,
        tiers=services.tiers,
        outreach=services.outreach,
        clock=services.clock,
        people=services.people,
    )
