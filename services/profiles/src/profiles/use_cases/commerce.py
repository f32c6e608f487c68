"""Purchases and converted referrals: customer value and acts of advocacy."""

import logging
from functools import partial

from profiles.domain.model import Clock, Profile
from profiles.domain.recording import record_purchase, record_referral
from profiles.domain.rules import Rules
from profiles.ports import Change, ProfileStore
from profiles.use_cases.announcer import Announcer
from rapport.events import PurchaseMade, ReferralConverted

log = logging.getLogger(__name__)


async def record_commerce(
    event: PurchaseMade | ReferralConverted,
    *,
    profiles: ProfileStore,
    rules: Rules,
    clock: Clock,
) -> None:
    """A purchase adds to the buyer's customer value; a converted referral is an act of
    advocacy by the referrer. An event about an unknown profile changes nothing."""
    if isinstance(event, PurchaseMade):
        profile_id = event.payload.profile_id
        record = partial(record_purchase, purchase=event.payload, rules=rules)
    else:
        profile_id = event.payload.referrer_profile_id
        record = partial(record_referral, referral=event.payload, rules=rules)
    announcer = Announcer(rules, clock(), str(event.event_id))

    def decide(before: Profile | None) -> Change | None:
        return None if before is None else announcer.change(before, record(before))

    applied = await profiles.apply(str(event.event_id), decide, profile_id=profile_id)
    if applied.profile is None:
        log.warning("no such profile, event ignored", extra={"event_id": str(event.event_id)})
