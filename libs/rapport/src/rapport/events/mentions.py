"""Mentions: published by ingest on ``social.mentions``, by profiles on ``...enriched``."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event
from rapport.events.profiles import ProfileSnapshot

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")]


class Platform(StrEnum):
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    REVIEWS = "reviews"
    FORUM = "forum"
    GENERIC = "generic"


class SentimentLabel(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Intent(StrEnum):
    COMPLAINT = "complaint"
    QUESTION = "question"
    PURCHASE_INTENT = "purchase_intent"
    PRAISE = "praise"
    FEATURE_REQUEST = "feature_request"
    CHURN_RISK = "churn_risk"
    SPAM = "spam"
    OTHER = "other"


class Source(StrEnum):
    """How the mention reached Rapport."""

    API = "api"
    WEBHOOK = "webhook"
    IMPORT = "import"


class Engagement(Contract):
    likes: Annotated[int, Field(ge=0)] = 0
    shares: Annotated[int, Field(ge=0)] = 0
    replies: Annotated[int, Field(ge=0)] = 0
    quotes: Annotated[int, Field(ge=0)] = 0


class Author(Contract):
    id: Identifier
    handle: Annotated[str, Field(max_length=64)] | None = None
    display_name: Annotated[str, Field(max_length=128)] | None = None
    followers: Annotated[int, Field(ge=0)] | None = None
    verified: bool = False


class Sentiment(Contract):
    score: Annotated[float, Field(ge=-1.0, le=1.0)]
    label: SentimentLabel


class Mention(Contract):
    platform: Platform
    external_id: Identifier
    author: Author
    text: Annotated[str, Field(min_length=1, max_length=10_000)]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = None
    created_at: AwareDatetime
    conversation_id: Identifier | None = None
    in_reply_to: Identifier | None = None
    quote_of: Identifier | None = None
    url: Annotated[str, Field(max_length=2048)] | None = None
    engagement: Engagement = Engagement()
    sentiment: Sentiment
    intents: list[Intent] = Field(default_factory=list)
    from_brand: bool = False
    """Posted by one of the brand's own accounts: a brand reply, never a case."""
    source: Source = Source.API

    @property
    def author_key(self) -> str:
        """The Kafka key of every mention topic: one author's mentions stay in order."""
        return f"{self.platform.value}:{self.author.id}"


class MentionIngested(Event):
    type: Literal["mention.ingested"] = "mention.ingested"
    schema_version: Literal[1] = 1
    payload: Mention

    @classmethod
    def of(cls, mention: Mention, *, occurred_at: datetime | None = None) -> "MentionIngested":
        return cls.caused_by(
            mention.platform.value, mention.external_id, payload=mention, occurred_at=occurred_at
        )


class EnrichedMention(Contract):
    mention_event_id: UUID
    mention: Mention
    profile: ProfileSnapshot


class MentionEnriched(Event):
    type: Literal["mention.enriched"] = "mention.enriched"
    schema_version: Literal[1] = 1
    payload: EnrichedMention

    @classmethod
    def of(cls, ingested: MentionIngested, profile: ProfileSnapshot) -> "MentionEnriched":
        payload = EnrichedMention(
            mention_event_id=ingested.event_id, mention=ingested.payload, profile=profile
        )
        return cls.caused_by(str(ingested.event_id), payload=payload)
