"""A delivery: one notice to one recipient over one channel, under a key unique to the three,
so planning it again (a second replica, a restart) finds it instead of adding another."""

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from responder.notifications.domain.notices import Notice
from responder.notifications.domain.routes import ChannelName, Target

DeliveryStatus = Literal["pending", "sending", "sent", "failed"]


class Delivery(BaseModel):
    id: str
    notice: Notice
    channel: ChannelName
    recipient: str
    """The email address, or the webhook's hint (never its URL)."""
    status: DeliveryStatus
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None


def delivery_id(notice: Notice, target: Target) -> str:
    recipient = hashlib.sha256(target.address.encode()).hexdigest()[:24]
    return f"{notice.id}:{target.channel}:{recipient}"


def planned(notice: Notice, target: Target, now: datetime) -> Delivery:
    return Delivery(
        id=delivery_id(notice, target),
        notice=notice,
        channel=target.channel,
        recipient=target.hint,
        status="pending",
        next_attempt_at=now,
        created_at=now,
    )
