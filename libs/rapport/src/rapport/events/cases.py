"""Cases: complaints and questions that need a human, published on ``care.cases``."""

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from rapport.events.base import Contract, Event


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class OpenedCase(Contract):
    case_id: UUID
    profile_id: UUID
    opened_by_mention: UUID
    queue: str = Field(min_length=1, max_length=64)
    priority: Priority
    opened_at: AwareDatetime


class CaseOpened(Event):
    type: Literal["case.opened"] = "case.opened"
    schema_version: Literal[1] = 1
    payload: OpenedCase

    @classmethod
    def of(cls, case: OpenedCase) -> "CaseOpened":
        return cls.caused_by(str(case.case_id), payload=case, occurred_at=case.opened_at)
