"""Agents: skills, capacity, availability and load (open cases held), kept by supervisors."""

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from rapport.errors import Conflict
from rapport.models import StrictModel
from responder.domain.routing import Name

AGENT_ID = r"^[A-Za-z0-9_.@-]{1,128}$"
AgentId = Annotated[str, Field(pattern=AGENT_ID)]


class AgentIn(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=128)]
    skills: list[Name] = Field(default_factory=list, max_length=32)
    capacity: int = Field(ge=0, le=1000)
    available: bool = True


class Agent(AgentIn):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(alias="_id")
    load: int = 0
    last_assigned_at: datetime | None = None


class AgentUnavailable(Conflict):
    """Unknown, unavailable, at capacity, or without the skills the case needs."""

    reason = "the agent is unknown, unavailable, at capacity or lacks the case's skills"
