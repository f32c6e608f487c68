"""What the API answers with: cases, their messages and replies."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from rapport.events import CaseState, Intent, Priority, ProfileSnapshot
from responder.domain.case import Breach, Case
from responder.domain.inbox import post_link, preview
from responder.domain.messages import Message
from responder.domain.notes import Note
from responder.domain.replies import Channel, DeliveryState, Reply
from responder.domain.sla_clocks import SlaClock


class CaseView(BaseModel):
    case_id: UUID
    profile_id: UUID
    state: CaseState
    queue: str
    skills: list[str]
    priority: Priority
    priority_score: float
    intents: list[Intent]
    language: str | None
    platform: str
    handle: str | None
    reach: int
    assignee: str | None
    mention_ids: list[UUID]
    opened_at: datetime
    first_response_at: datetime | None
    last_response_at: datetime | None
    awaiting_since: datetime | None
    resolved_at: datetime | None
    clocks: dict[str, SlaClock]
    """Per SLA target (first_response, next_response, resolution): started, due (none while
    paused), met, and seconds paused waiting on the customer."""
    paused_s: float
    """Seconds the case waited on the customer (pauses that ended)."""
    paused_since: datetime | None
    """Waiting on the customer since: the SLA clocks are paused."""
    due: dict[str, datetime]
    next_due: datetime | None
    """The earliest due time still to be met (none for imported history): the time left."""
    breaches: list[Breach]
    historical: bool
    sequence: int
    tags: list[str]
    preview: str | None = None
    """The start of the customer's latest message (about 140 characters, on one line)."""
    link: str | None = None
    """The customer's latest post on its platform (http or https only), when known."""

    @classmethod
    def of(cls, case: Case, latest: Message | None = None) -> "CaseView":
        shown = {"preview": preview(latest.text), "link": link_of(latest)} if latest else {}
        return cls.model_validate({**case.model_dump(), "case_id": case.id, **shown})


class MessageView(BaseModel):
    id: UUID
    kind: Literal["customer", "brand", "agent"]
    platform: str
    external_id: str | None
    conversation_id: str | None
    in_reply_to: str | None
    handle: str | None
    text: str
    created_at: datetime
    link: str | None = None
    """The post on its platform (http or https only), when known."""

    @classmethod
    def of(cls, message: Message) -> "MessageView":
        return cls.model_validate({**message.model_dump(), "link": link_of(message)})


class ReplyView(BaseModel):
    reply_id: UUID
    case_id: UUID
    agent: str
    text: str
    channel: Channel
    state: DeliveryState
    attempts: int
    last_error: str | None
    """Why the last try failed (a failed reply: why it will not be retried)."""
    created_at: datetime
    sent_at: datetime | None
    external_id: str | None
    """The platform's id of the post or message, once sent."""
    supersedes: UUID | None
    """The failed reply this one corrects (an edit)."""
    superseded_by: UUID | None
    """The reply correcting this failed one: it is not retried."""

    @classmethod
    def of(cls, reply: Reply) -> "ReplyView":
        return cls.model_validate({**reply.model_dump(), "reply_id": reply.id})


class NoteView(BaseModel):
    note_id: UUID
    case_id: UUID
    author: str
    text: str
    created_at: datetime

    @classmethod
    def of(cls, note: Note) -> "NoteView":
        return cls.model_validate({**note.model_dump(), "note_id": note.id})


class CaseDetail(CaseView):
    messages: list[MessageView]
    """Customer mentions, brand posts and agents' replies, in conversation (platform) order."""
    replies: list[ReplyView]
    notes: list[NoteView]
    """Agents' internal notes, oldest first: never sent to the customer."""
    profile: ProfileSnapshot | None


def link_of(message: Message) -> str | None:
    return post_link(message.platform, message.external_id, message.handle, message.url)
