"""Merging profiles of one person, and undoing it.

A merge moves every identity (with its activity) and every commerce part of the absorbed
profiles onto the survivor; the absorbed profiles stay as tombstones that resolve to it. The
most restrictive consent wins: if any profile said no to marketing, the merged one says no.
An unmerge moves back exactly the identities and commerce parts the absorbed profile brought,
with whatever they gained since; identities linked to the survivor after the merge stay.
"""

from profiles.domain.model import Profile
from rapport.events import Consent


def most_restrictive(consents: list[Consent]) -> Consent:
    refusals = [c for c in consents if not c.marketing]
    if not refusals:
        return consents[0]
    return max(refusals, key=lambda c: (c.changed_at is not None, c.changed_at))


def merge(survivor: Profile, absorbed: list[Profile]) -> tuple[Profile, list[Profile]]:
    """(the survivor with everything of ``absorbed``, the absorbed profiles' tombstones)."""
    merged = survivor.model_copy(deep=True)
    gone = {a.id for a in absorbed}
    for profile in absorbed:
        merged.identities += profile.identities
        merged.commerce += profile.commerce
        merged.absorbed += [*profile.known_ids]
        merged.rejected_suggestions += profile.rejected_suggestions
        merged.brand = merged.brand or profile.brand
        merged.created_at = min(merged.created_at, profile.created_at)
    merged.rejected_suggestions = sorted(set(merged.rejected_suggestions) - gone - {survivor.id})
    merged.consent = most_restrictive([survivor.consent, *(a.consent for a in absorbed)])
    return merged, [tombstone(profile, survivor) for profile in absorbed]


def tombstone(profile: Profile, survivor: Profile) -> Profile:
    return Profile(id=profile.id, created_at=profile.created_at, merged_into=survivor.id)


def unmerge(survivor: Profile, at_merge: Profile) -> tuple[Profile, Profile]:
    """(the survivor without what ``at_merge`` brought, the absorbed profile restored)."""
    keys = {i.key for i in at_merge.identities}
    origins = set(at_merge.known_ids)
    kept = survivor.model_copy(deep=True)
    kept.identities = [i for i in survivor.identities if i.key not in keys]
    kept.commerce = [c for c in survivor.commerce if c.origin not in origins]
    kept.absorbed = [p for p in survivor.absorbed if p not in origins]
    restored = at_merge.model_copy(deep=True)
    restored.identities = [i for i in survivor.identities if i.key in keys]
    restored.commerce = [c for c in survivor.commerce if c.origin in origins]
    restored.merged_into = None
    restored.consent = most_restrictive([at_merge.consent, survivor.consent])
    return kept, restored
