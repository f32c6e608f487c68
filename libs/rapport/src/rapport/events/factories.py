"""Events made to order for tests: a mention with the text, sentiment and author you need."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from rapport.events.mentions import Mention, MentionEnriched, MentionIngested
from rapport.events.profiles import ProfileSnapshot, RelationshipStage

BASE_TIME = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def a_mention(
    n: int = 1, *, author: str = "u1", followers: int = 100, score: float = -0.8, **fields: Any
) -> Mention:
    label = "negative" if score <= -0.2 else "positive" if score >= 0.2 else "neutral"
    data: dict[str, Any] = {
        "platform": "x",
        "external_id": f"ext-{n}",
        "author": {"id": author, "handle": f"h_{author}", "followers": followers},
        "text": f"mention {n}",
        "language": "en",
        "created_at": BASE_TIME + timedelta(minutes=n),
        "sentiment": {"score": score, "label": label},
    }
    data.update(fields)
    return Mention.model_validate(data)


def ingested(n: int = 1, **kwargs: Any) -> MentionIngested:
    return MentionIngested.of(a_mention(n, **kwargs), occurred_at=BASE_TIME)


def enriched(n: int = 1, *, profile_id: UUID | None = None, **kwargs: Any) -> MentionEnriched:
    snapshot = ProfileSnapshot(
        profile_id=profile_id or UUID(int=1),
        stage=RelationshipStage.CASUAL_COMMENTER,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME,
    )
    return MentionEnriched.of(ingested(n, **kwargs), snapshot)
