"""One example of each event version, committed under ``proto/examples`` and validated in tests."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from rapport.events.base import Event
from rapport.events.cases import (
    AlertChanged,
    CaseChange,
    CaseChanged,
    CaseOpened,
    CaseState,
    CrisisAlert,
    OpenedCase,
    Priority,
)
from rapport.events.commerce import Purchase, PurchaseMade, Referral, ReferralConverted
from rapport.events.loyalty import (
    AwardedPoints,
    ExpiredPoints,
    HeldPoints,
    OutreachDecided,
    OutreachDecision,
    PointsAwarded,
    PointsExpired,
    PointsHeld,
    Redemption,
    RewardRedeemed,
    TierChange,
    TierChanged,
)
from rapport.events.mentions import (
    Author,
    Engagement,
    Intent,
    Mention,
    MentionEnriched,
    MentionIngested,
    Platform,
    Sentiment,
    SentimentLabel,
)
from rapport.events.privacy import (
    PrivacyAnswer,
    PrivacyCompleted,
    PrivacyRequest,
    PrivacyRequested,
    SocialIdentity,
)
from rapport.events.profiles import (
    Consent,
    ParticipationSegment,
    ProfileChange,
    ProfileChanged,
    ProfileScores,
    ProfileSnapshot,
    RelationshipStage,
)
from rapport.events.tokens import Revocation, TokenRevoked

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
PROFILE_ID = UUID("0b7f5a7e-3f0c-5d3e-9a59-6c1f2f9a4b11")
FRIEND_ID = UUID("7c2e9d14-1a3b-5c4d-8e6f-0a1b2c3d4e5f")
CASE_ID = UUID("5d0c6b1e-8f7a-5b2c-b3f1-0e2d4c6a8b90")
REQUEST_ID = UUID("3e8a1f20-6b4c-4d5e-9f01-2a3b4c5d6e7f")


def examples() -> list[Event]:
    mention = Mention(
        platform=Platform.X,
        external_id="1861234567890",
        author=Author(id="20457", handle="coffee_jo", display_name="Jo", followers=812),
        text="@Brightloop my machine leaks again after the repair. Third time this month.",
        language="en",
        created_at=AT,
        conversation_id="1861234567890",
        engagement=Engagement(likes=3, shares=1, replies=2),
        sentiment=Sentiment(score=-0.72, label=SentimentLabel.NEGATIVE),
        intents=[Intent.COMPLAINT],
    )
    ingested = MentionIngested.of(mention, occurred_at=AT)
    snapshot = ProfileSnapshot(
        profile_id=PROFILE_ID,
        stage=RelationshipStage.CASUAL_COMMENTER,
        mention_count=3,
        first_seen=AT,
        last_seen=AT,
        segment=ParticipationSegment.OCCASIONAL_PARTICIPANT,
        scores=ProfileScores(influence=29.1, advocacy=12.0, sentiment_trend=-0.4, health=41.5),
        consent=Consent(marketing=True, changed_at=AT, source="crm"),
        customer_value=129.9,
        followers=812,
    )
    enriched = MentionEnriched.of(ingested, snapshot).model_copy(update={"occurred_at": AT})
    changed = ProfileChanged.of(
        ProfileChange(change="created", profile=snapshot), cause=str(ingested.event_id)
    ).model_copy(update={"occurred_at": AT})
    opened = CaseOpened.of(
        OpenedCase(
            case_id=CASE_ID,
            profile_id=PROFILE_ID,
            opened_by_mention=ingested.event_id,
            queue="support",
            priority=Priority.HIGH,
            opened_at=AT,
        )
    )
    case_changed = CaseChanged.of(
        CaseChange(
            case_id=CASE_ID,
            sequence=3,
            change="resolved",
            state=CaseState.RESOLVED,
            profile_id=PROFILE_ID,
            queue="support",
            priority=Priority.HIGH,
            priority_score=71.5,
            intents=[Intent.COMPLAINT],
            assignee="agent-amira",
            mention_ids=[ingested.event_id],
            opened_at=AT,
            first_response_at=AT + timedelta(minutes=12),
            resolved_at=AT + timedelta(hours=2),
            changed_at=AT + timedelta(hours=2),
        )
    )
    alert = AlertChanged.of(
        CrisisAlert(
            alert_id=UUID("9a8b7c6d-5e4f-5a1b-8c2d-3e4f5a6b7c8d"),
            kind="negative_spike",
            status="active",
            subject="leak",
            observed=42,
            baseline=3.5,
            threshold=12.1,
            mention_ids=[ingested.event_id],
            case_ids=[CASE_ID],
            window_start=AT - timedelta(hours=1),
            window_end=AT,
            changed_at=AT,
        )
    )
    awarded = PointsAwarded.of(
        AwardedPoints(
            profile_id=PROFILE_ID,
            entry_id=f"positive_mention:{ingested.event_id}",
            rule="positive_mention",
            points=10,
            cause_event_id=ingested.event_id,
            balance=40,
        )
    ).model_copy(update={"occurred_at": AT})
    held = PointsHeld.of(
        HeldPoints(
            profile_id=PROFILE_ID,
            entry_id="referral:ref-1182",
            rule="referral",
            points=100,
            reason="more than 10 referrals this week",
            at=AT,
        )
    )
    redeemed = RewardRedeemed.of(
        Redemption(
            profile_id=PROFILE_ID,
            redemption_id=UUID("1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"),
            reward_id="free-descaler",
            points=30,
            balance=10,
            at=AT,
        )
    )
    expired = PointsExpired.of(
        ExpiredPoints(
            profile_id=PROFILE_ID,
            entry_ids=["positive_mention:2025-10-01"],
            points=10,
            balance=30,
            at=AT,
        )
    )
    tier = TierChanged.of(
        TierChange(
            profile_id=PROFILE_ID, tier="silver", previous_tier="bronze", window_points=520, at=AT
        ),
        cause="points.awarded:positive_mention",
    ).model_copy(update={"occurred_at": AT})
    outreach = OutreachDecided.of(
        OutreachDecision(
            profile_id=PROFILE_ID,
            offer_id="winter-descaler",
            relevant_to=["stage:fan"],
            expires_at=AT + timedelta(days=14),
            at=AT,
        )
    )
    purchase = PurchaseMade.of(
        Purchase(
            purchase_id="order-88412",
            profile_id=FRIEND_ID,
            amount=129.9,
            currency="EUR",
            purchased_at=AT,
        )
    )
    referral = ReferralConverted.of(
        Referral(
            referral_id="ref-1182",
            referrer_profile_id=PROFILE_ID,
            referred_profile_id=FRIEND_ID,
            purchase_id="order-88412",
            converted_at=AT,
        )
    )
    requested = PrivacyRequested.of(
        PrivacyRequest(
            request_id=REQUEST_ID,
            kind="erase",
            profile_id=PROFILE_ID,
            profile_ids=[PROFILE_ID],
            identities=[SocialIdentity(platform="x", author_id="20457")],
            requested_at=AT,
        )
    )
    completed = PrivacyCompleted.of(
        PrivacyAnswer(
            request_id=REQUEST_ID,
            kind="erase",
            profile_id=PROFILE_ID,
            service="loyalty",
            completed_at=AT,
            documents=7,
        )
    )
    revoked = TokenRevoked.of(
        Revocation(
            token_id="5f0c2b7e9a1d4c3e8b6a0f1e2d3c4b5a",
            expires_at=AT + timedelta(hours=1),
            revoked_at=AT,
        )
    )
    return [
        ingested,
        enriched,
        changed,
        opened,
        case_changed,
        alert,
        awarded,
        held,
        redeemed,
        expired,
        tier,
        outreach,
        purchase,
        referral,
        requested,
        completed,
        revoked,
    ]
