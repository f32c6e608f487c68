"""Events as loyalty receives them, made to order."""

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from rapport.events import (
    CaseChange,
    CaseChanged,
    Consent,
    Event,
    MentionEnriched,
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    Purchase,
    PurchaseMade,
    Referral,
    ReferralConverted,
    RelationshipStage,
)
from rapport.events.factories import BASE_TIME, ingested

_numbers = iter(range(1, 1_000_000))


def snapshot(
    profile_id: UUID,
    stage: RelationshipStage = RelationshipStage.CASUAL_COMMENTER,
    *,
    consent: bool = False,
    **fields: Any,
) -> ProfileSnapshot:
    return ProfileSnapshot(
        profile_id=profile_id,
        stage=stage,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME,
        consent=Consent(marketing=consent),
        **fields,
    )


def mention_by(
    profile_id: UUID,
    score: float = 0.8,
    stage: RelationshipStage = RelationshipStage.CASUAL_COMMENTER,
    *,
    n: int | None = None,
    consent: bool = False,
    **fields: Any,
) -> MentionEnriched:
    event = ingested(n or next(_numbers), author=f"a{profile_id.int}", score=score, **fields)
    return MentionEnriched.of(event, snapshot(profile_id, stage, consent=consent))


def profile_changed(
    profile: ProfileSnapshot, change: str, cause: str = "c", **fields: Any
) -> ProfileChanged:
    payload = ProfileChange.model_validate({"change": change, "profile": profile, **fields})
    return ProfileChanged.of(payload, cause=cause)


def case_changed(
    profile_id: UUID,
    case_id: UUID,
    sequence: int,
    change: str,
    intents: list[str],
    *,
    answered: bool = False,
) -> CaseChanged:
    """The case's ``sequence``-th change; ``answered``: the brand replied a minute in."""
    state = "resolved" if change == "resolved" else "open"
    payload = CaseChange.model_validate(
        {
            "case_id": case_id,
            "sequence": sequence,
            "change": change,
            "state": state,
            "profile_id": profile_id,
            "queue": "support",
            "priority": "normal",
            "intents": intents,
            "opened_at": BASE_TIME,
            "first_response_at": BASE_TIME + timedelta(minutes=1) if answered else None,
            "changed_at": BASE_TIME + timedelta(minutes=sequence),
        }
    )
    return CaseChanged.of(payload)


def created(profile_id: UUID) -> ProfileChanged:
    return profile_changed(snapshot(profile_id), "created")


def merged(survivor: UUID, *absorbed: UUID) -> ProfileChanged:
    return profile_changed(snapshot(survivor), "merged", related_profile_ids=list(absorbed))


def purchase(buyer: UUID, purchase_id: str = "order-1") -> Purchase:
    return Purchase(
        purchase_id=purchase_id,
        profile_id=buyer,
        amount=42.5,
        currency="EUR",
        purchased_at=BASE_TIME,
    )


def purchase_made(buyer: UUID, purchase_id: str = "order-1") -> PurchaseMade:
    return PurchaseMade.of(purchase(buyer, purchase_id))


def referral(
    referrer: UUID, referred: UUID | None = None, purchase_id: str = "order-1"
) -> ReferralConverted:
    return ReferralConverted.of(
        Referral(
            referral_id=f"ref-{uuid4().hex[:8]}",
            referrer_profile_id=referrer,
            referred_profile_id=referred or uuid4(),
            purchase_id=purchase_id,
            converted_at=BASE_TIME,
        )
    )


def paid_referrals(referrer: UUID, count: int) -> list[Event]:
    """What makes ``count`` referrals by ``referrer`` pay: both people known, each referred
    customer's purchase, then the referral."""
    events: list[Event] = [created(referrer)]
    for _ in range(count):
        referred, order = uuid4(), f"order-{uuid4().hex[:8]}"
        events += [created(referred), purchase_made(referred, order)]
        events.append(referral(referrer, referred, order))
    return events
