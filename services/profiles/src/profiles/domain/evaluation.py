"""A profile's stage, segment and snapshot at "now", and the changes worth announcing."""

from datetime import datetime

from profiles.domain.model import Profile
from profiles.domain.rules import Rules
from profiles.domain.scores import scores, signals
from profiles.domain.stages import segment, stage
from rapport.events import ProfileChange, ProfileSnapshot, RelationshipStage


def evaluate(profile: Profile, now: datetime, rules: Rules) -> Profile:
    """``profile`` with its stage and segment brought up to date (a new object)."""
    found = signals(profile, now, rules)
    new_stage = RelationshipStage.CASUAL_COMMENTER if profile.brand else stage(found, rules)
    return profile.model_copy(update={"stage": new_stage, "segment": segment(found, now, rules)})


def snapshot(profile: Profile, now: datetime, rules: Rules) -> ProfileSnapshot:
    found = signals(profile, now, rules)
    seen = [t for a in profile.activities() for t in (a.first_seen, a.last_seen) if t]
    return ProfileSnapshot(
        profile_id=profile.id,
        stage=profile.stage,
        mention_count=found.mentions,
        first_seen=min(seen, default=profile.created_at),
        last_seen=max(seen, default=profile.created_at),
        segment=profile.segment,
        scores=scores(found),
        consent=profile.consent,
        customer_value=round(found.customer_value, 2),
        followers=found.followers,
    )


def changes(
    before: Profile | None, after: Profile, now: datetime, rules: Rules
) -> list[ProfileChange]:
    """What ``crm.profiles`` hears about going from ``before`` (None: new) to ``after``."""
    profile = snapshot(after, now, rules)
    if before is None:
        return [ProfileChange(change="created", profile=profile)]
    found = []
    if before.stage != after.stage:
        found.append(
            ProfileChange(change="stage_changed", previous_stage=before.stage, profile=profile)
        )
    if before.segment != after.segment:
        found.append(
            ProfileChange(
                change="segment_changed", previous_segment=before.segment, profile=profile
            )
        )
    if before.consent != after.consent:
        found.append(ProfileChange(change="consent_changed", profile=profile))
    return found
