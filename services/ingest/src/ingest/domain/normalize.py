"""What an integration may send, and how it becomes the canonical mention."""

from typing import Annotated, Any

from pydantic import AwareDatetime, Discriminator, Field, Tag

from ingest.domain.sentiment import detect_language, score
from rapport.api import StrictModel
from rapport.events import Mention, Platform
from rapport.events.mentions import Identifier


class AuthorIn(StrictModel):
    id: Identifier
    handle: Annotated[str, Field(max_length=64)] | None = None
    display_name: Annotated[str, Field(max_length=128)] | None = None
    followers: Annotated[int, Field(ge=0)] | None = None
    verified: bool = False


class MentionIn(StrictModel):
    platform: Platform
    external_id: Identifier
    author: AuthorIn
    text: Annotated[str, Field(min_length=1, max_length=10_000)]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | None = None
    created_at: AwareDatetime
    conversation_id: Identifier | None = None
    in_reply_to: Identifier | None = None
    url: Annotated[str, Field(max_length=2048, pattern=r"^https?://")] | None = None


class MentionBatch(StrictModel):
    mentions: Annotated[list[MentionIn], Field(min_length=1, max_length=500)]


def _shape(body: Any) -> str:
    return "batch" if isinstance(body, dict) and "mentions" in body else "one"


MentionsBody = Annotated[
    Annotated[MentionIn, Tag("one")] | Annotated[MentionBatch, Tag("batch")],
    Discriminator(_shape),
]


def canonical(incoming: MentionIn) -> Mention:
    language = incoming.language or detect_language(incoming.text)
    return Mention.model_validate(
        {
            **incoming.model_dump(),
            "language": language,
            "sentiment": score(incoming.text, language),
        }
    )
