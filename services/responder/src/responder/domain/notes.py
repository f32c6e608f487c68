"""Internal notes on a case: what agents tell each other about it. A note is never sent to
the customer; it stays in responder, beside the conversation."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NOTE_MAX = 2_000
NoteText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX)
]


class Note(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: UUID = Field(alias="_id")
    case_id: UUID
    author: str
    """The subject of the agent's (or supervisor's) token."""
    text: NoteText
    created_at: datetime
