"""One example of each event version, committed under ``proto/examples`` and validated in tests."""

from datetime import UTC, datetime
from uuid import UUID

from rapport.events.base import Event
from rapport.events.cases import CaseOpened, OpenedCase, Priority
from rapport.events.loyalty import AwardedPoints, PointsAwarded
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
from rapport.events.profiles import (
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
)

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
PROFILE_ID = UUID("0b7f5a7e-3f0c-5d3e-9a59-6c1f2f9a4b11")


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
    )
    enriched = MentionEnriched.of(ingested, snapshot).model_copy(update={"occurred_at": AT})
    changed = ProfileChanged.of(
        ProfileChange(change="created", profile=snapshot), cause=str(ingested.event_id)
    ).model_copy(update={"occurred_at": AT})
    opened = CaseOpened.of(
        OpenedCase(
            case_id=UUID("5d0c6b1e-8f7a-5b2c-b3f1-0e2d4c6a8b90"),
            profile_id=PROFILE_ID,
            opened_by_mention=ingested.event_id,
            queue="support",
            priority=Priority.HIGH,
            opened_at=AT,
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
    return [ingested, enriched, changed, opened, awarded]
