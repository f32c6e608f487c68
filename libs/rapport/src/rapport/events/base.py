"""The envelope every event shares, and deterministic ids for events that have a cause."""

import uuid
from datetime import datetime
from typing import Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict

from rapport.clock import utcnow

EVENT_NAMESPACE = uuid.UUID("6f1d3a52-4b8e-4f0a-9a57-2c4a9d6b1e30")


def deterministic_id(*cause: str) -> uuid.UUID:
    """The same cause always yields the same id, so a replayed effect is recognised downstream."""
    return uuid.uuid5(EVENT_NAMESPACE, "\x1f".join(cause))


class Contract(BaseModel):
    """A strict, immutable part of an event: unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Event(Contract):
    """Envelope: ``type`` names the event, ``schema_version`` its payload's version."""

    type: str
    event_id: uuid.UUID
    schema_version: int
    occurred_at: AwareDatetime
    payload: Any

    @classmethod
    def caused_by(cls, *cause: str, payload: Any, occurred_at: datetime | None = None) -> Self:
        return cls.model_validate(
            {
                "event_id": deterministic_id(cls.type_name(), *cause),
                "occurred_at": occurred_at or utcnow(),
                "payload": payload,
            }
        )

    @classmethod
    def type_name(cls) -> str:
        return str(cls.model_fields["type"].default)

    @classmethod
    def version(cls) -> int:
        return int(cls.model_fields["schema_version"].default)
