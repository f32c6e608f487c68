"""What the API answers with: a profile's public view."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from profiles.domain.evaluation import snapshot
from profiles.domain.model import Profile
from profiles.domain.rules import Rules
from rapport.events import Consent, ParticipationSegment, ProfileScores, RelationshipStage


class IdentityView(BaseModel):
    key: str
    kind: str
    value: str
    platform: str | None
    handle: str | None
    display_name: str | None
    verified: bool
    source: str
    linked_at: datetime


class ProfileView(BaseModel):
    profile_id: UUID
    resolved_from: UUID | None = None
    """Set when the id asked for was merged into this profile."""
    stage: RelationshipStage
    segment: ParticipationSegment
    scores: ProfileScores
    consent: Consent
    customer_value: float
    followers: int
    mention_count: int
    first_seen: datetime
    last_seen: datetime
    channels: list[str]
    open_complaints: int
    brand: bool
    merged_from: list[UUID]
    identities: list[IdentityView]


def view(
    profile: Profile, *, now: datetime, rules: Rules, resolved_from: UUID | None = None
) -> ProfileView:
    found = snapshot(profile, now, rules)
    return ProfileView(
        **found.model_dump(exclude={"profile_id"}),
        profile_id=profile.id,
        resolved_from=resolved_from,
        channels=sorted({i.platform for i in profile.identities if i.activity and i.platform}),
        open_complaints=profile.open_complaints,
        brand=profile.brand,
        merged_from=profile.absorbed,
        identities=[IdentityView.model_validate(i.model_dump()) for i in profile.identities],
    )
