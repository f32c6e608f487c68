"""Agents' replies waiting to go out: a delivery state per reply id (pending, sending, sent,
failed). ``leased`` counts the sends started: more than one means an earlier one may have
reached the platform, so a connector looks for that post before making another."""

from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from responder.domain.case import Case

DeliveryState = Literal["pending", "sending", "sent", "failed"]
MESSAGING_WINDOW = timedelta(hours=24)
"""Meta lets a page message a customer only this long after the customer's last message."""
Channel = Literal["public", "direct"]
"""A public reply under the customer's post, or a direct (private) message."""


class Reply(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: UUID = Field(alias="_id")
    case_id: UUID
    agent: str
    platform: str
    in_reply_to: str | None
    text: str
    channel: Channel = "public"
    recipient: str | None = None
    """The customer's id on the platform (a direct message goes there)."""
    account: str | None = None
    """The brand handle to answer from; None: the platform's default account."""
    customer_at: datetime | None = None
    """The customer's last message: Meta's messages are allowed only within 24 h of it."""
    state: DeliveryState = "pending"
    attempts: int = 0
    leased: int = 0
    last_error: str | None = None
    created_at: datetime
    next_attempt_at: datetime
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    external_id: str | None = None
    supersedes: UUID | None = None
    """The failed reply this one corrects (an agent's edit)."""
    superseded_by: UUID | None = None
    """The reply that corrects this failed one: it is never retried."""


def reply_to(
    case: Case, agent: str, reply_id: UUID, text: str, now: datetime, **fields: Any
) -> Reply:
    """A new reply of ``agent`` to the case's customer, due now, under the last customer post."""
    return Reply.model_validate(
        {
            "_id": reply_id,
            "case_id": case.id,
            "agent": agent,
            "platform": case.platform,
            "in_reply_to": case.external_ids[-1] if case.external_ids else None,
            "text": text,
            "recipient": case.author_id,
            "customer_at": case.customer_at[-1] if case.customer_at else None,
            "created_at": now,
            "next_attempt_at": now - timedelta(seconds=1),
            **fields,
        }
    )


def within_messaging_window(reply: Reply, now: datetime) -> bool:
    return reply.customer_at is not None and now - reply.customer_at <= MESSAGING_WINDOW
