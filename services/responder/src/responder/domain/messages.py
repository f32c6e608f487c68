"""The messages of cases, in platform time: customers' mentions, brand posts (from ingest or
sent by agents), and which brand post answers which case."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from responder.domain.case import Case


class Message(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: UUID = Field(alias="_id")
    """The mention's event id, or the agent reply's id."""
    kind: Literal["customer", "brand", "agent"]
    case_id: UUID | None = None
    platform: str
    external_id: str | None = None
    conversation_id: str | None = None
    in_reply_to: str | None = None
    author_id: str
    handle: str | None = None
    name: str | None = None
    """The author's display name, as the platform showed it."""
    text: str
    url: str | None = None
    """The post's address, as the platform gave it (any scheme: see ``domain.inbox``)."""
    created_at: datetime


def answers(post: Message, case: Case) -> bool:
    """Whether an unattached brand post answers the case: it replies to one of the case's
    messages, or, replying to nothing, is in its conversation; not before the case opened."""
    if post.kind != "brand" or post.case_id is not None or post.created_at < case.opened_at:
        return False
    if post.in_reply_to is not None:
        return post.in_reply_to in case.external_ids
    return post.conversation_id in case.conversation_ids
