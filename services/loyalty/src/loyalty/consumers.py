"""Which handler each consumed event goes to, with its collaborators."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

from loyalty import handlers
from loyalty.parts import Parts
from loyalty.settings import LoyaltySettings
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


def event_handlers(parts: Parts, settings: LoyaltySettings) -> Handlers:
    earner = parts.earner
    return {
        MentionEnriched: partial(
            handlers.on_mention_enriched,
            earner=earner,
            members=parts.members,
            questions=parts.questions,
            clock=parts.clock,
            min_shares=settings.share_min_shares,
            flag_for=timedelta(days=settings.flag_days),
        ),
        ProfileChanged: partial(handlers.on_profile_changed, effects=_profile_effects(parts)),
        CaseChanged: partial(handlers.on_case_changed, earner=earner),
        PurchaseMade: parts.referring.on_purchase_made,
        ReferralConverted: parts.referring.on_referral_converted,
        PrivacyRequested: parts.answer_privacy,
    }


def batch_handlers(parts: Parts) -> BatchHandlers:
    """Events handled many at a time; a batch that fails goes one by one through
    ``event_handlers``."""
    return {
        MentionEnriched: partial(handlers.on_mentions_enriched, batches=parts.mention_batches),
        ProfileChanged: partial(handlers.on_profiles_changed, effects=_profile_effects(parts)),
    }


def _profile_effects(parts: Parts) -> handlers.ProfileEffects:
    return handlers.ProfileEffects(
        earner=parts.earner,
        members=parts.members,
        tiers=parts.tiers,
        outreach=parts.outreach,
        clock=parts.clock,
        people=parts.people,
    )
