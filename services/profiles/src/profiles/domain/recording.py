"""What each thing that happens to a person does to their profile (pure: new objects out)."""

from datetime import datetime
from uuid import UUID

from profiles.domain.activity import record
from profiles.domain.model import Activity, Identity, Profile, copied
from profiles.domain.rules import Rules
from rapport.events import Consent, Mention, Purchase, Referral


def record_mention(
    profile: Profile | None, mention: Mention, *, new_id: UUID, now: datetime, rules: Rules
) -> Profile:
    """The mention on its author's profile; ``new_id`` names the profile if there is none yet."""
    if profile is None:
        profile = Profile(id=new_id, created_at=now)
    updated = copied(profile)
    author = mention.author
    found = updated.identity(mention.author_key)
    if found is None:
        found = Identity(
            key=mention.author_key,
            kind="social",
            value=author.id,
            platform=mention.platform.value,
            linked_at=now,
        )
        updated.identities.append(found)
    found.handle = author.handle or found.handle
    found.display_name = author.display_name or found.display_name
    found.activity = record(found.activity or Activity(), mention, rules)
    updated.brand = updated.brand or mention.from_brand
    return updated


def record_purchase(profile: Profile, purchase: Purchase, rules: Rules) -> Profile:
    updated = copied(profile)
    part = updated.commerce_of(purchase.profile_id)
    part.value = round(part.value + purchase.amount, 2)
    part.purchases += 1
    part.spend = part.spend.add(purchase.amount, purchase.purchased_at, rules.half_life("spend"))
    return updated


def record_referral(profile: Profile, referral: Referral, rules: Rules) -> Profile:
    updated = copied(profile)
    part = updated.commerce_of(referral.referrer_profile_id)
    part.referrals = part.referrals.add(1, referral.converted_at, rules.half_life("advocacy"))
    return updated


def set_consent(profile: Profile, marketing: bool, source: str, at: datetime) -> Profile:
    if profile.consent.marketing == marketing:
        return profile
    consent = Consent(marketing=marketing, changed_at=at, source=source)
    return profile.model_copy(update={"consent": consent})


def add_identity(profile: Profile, identity: Identity) -> Profile:
    if profile.identity(identity.key) is not None:
        return profile
    return profile.model_copy(update={"identities": [*profile.identities, identity]})
