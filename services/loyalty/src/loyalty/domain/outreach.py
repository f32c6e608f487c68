"""Whether an offer goes to a member: consent, relevance, its running time and the weekly cap
(``loyalty.domain.offers``), decided once per offer and member."""

from datetime import datetime, timedelta
from uuid import UUID

from loyalty.domain.catalogue import Offer
from loyalty.domain.offers import Audience, may_contact
from rapport.events import OutreachDecision

WEEK = timedelta(days=7)


def outreach_decision(
    offer: Offer,
    profile_id: UUID,
    audience: Audience,
    *,
    now: datetime,
    sent_this_week: int,
    weekly_cap: int,
) -> OutreachDecision | None:
    """The decision to send ``offer`` to the member, or None when it must not go."""
    reasons = may_contact(
        offer.targeting(), audience, now=now, sent_this_week=sent_this_week, weekly_cap=weekly_cap
    )
    if not reasons:
        return None
    return OutreachDecision(
        profile_id=profile_id,
        offer_id=offer.offer_id,
        relevant_to=reasons,
        expires_at=offer.expires_at,
        at=now,
    )
