"""What a source may send: the canonical mention less what ingest works out itself
(language when absent, sentiment, intents, whether the author is the brand).

Values are bounded (``rapport.bounds``): every source, API, webhook or import, maps onto
these models, so nothing a consumer or MongoDB cannot handle gets past them."""

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from rapport.bounds import Clean, Count, Identifier, Timestamp
from rapport.events import Platform
from rapport.models import StrictModel


class AuthorIn(StrictModel):
    id: Identifier
    handle: Annotated[str, Field(max_length=64), Clean] | None = None
    display_name: Annotated[str, Field(max_length=128), Clean] | None = None
    followers: Count | None = None
    verified: bool = False


class EngagementIn(StrictModel):
    likes: Count = 0
    shares: Count = 0
    replies: Count = 0
    quotes: Count = 0


class MentionIn(StrictModel):
    platform: Platform
    external_id: Identifier
    author: AuthorIn
    text: Annotated[str, Field(min_length=1, max_length=10_000), Clean]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = None
    created_at: Timestamp
    conversation_id: Identifier | None = None
    in_reply_to: Identifier | None = None
    quote_of: Identifier | None = None
    url: Annotated[str, Field(max_length=2048, pattern=r"^https?://"), Clean] | None = None
    engagement: EngagementIn = EngagementIn()


MAX_BATCH = 500


class MentionBatch(StrictModel):
    mentions: Annotated[list[MentionIn], Field(min_length=1, max_length=MAX_BATCH)]


def _shape(body: Any) -> str:
    return "batch" if isinstance(body, dict) and "mentions" in body else "one"


MentionsBody = Annotated[
    Annotated[MentionIn, Tag("one")] | Annotated[MentionBatch, Tag("batch")],
    Discriminator(_shape),
]
