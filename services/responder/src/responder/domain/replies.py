"""Agents' replies waiting to go out: a delivery state per reply id (pending, sending, sent,
failed)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

DeliveryState = Literal["pending", "sending", "sent", "failed"]


class Reply(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: UUID = Field(alias="_id")
    case_id: UUID
    agent: str
    platform: str
    in_reply_to: str | None
    text: str
    state: DeliveryState = "pending"
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime
    next_attempt_at: datetime
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    external_id: str | None = None
