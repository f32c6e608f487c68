"""Entries a guardrail held, waiting for a human decision."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from loyalty.api.deps import PartsDep
from rapport.api import JsonBody, StrictModel, require
from rapport.auth import Scope
from rapport.mongo import Document

router = APIRouter(prefix="/v1/held", tags=["held"])
SUPERVISORS = require(Scope.SUPERVISOR)


class HeldEntry(BaseModel):
    entry_id: str
    profile_id: UUID
    rule: str
    points: int
    reason: str
    status: str
    decision: Literal["approved", "rejected"] | None = None
    at: datetime


class DecisionIn(StrictModel):
    decision: Literal["approved", "rejected"]


def _held(doc: Document) -> HeldEntry:
    return HeldEntry(entry_id=doc["_id"], **{k: v for k, v in doc.items() if k != "_id"})


@router.get("", dependencies=[SUPERVISORS])
async def list_held(
    parts: PartsDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[HeldEntry]:
    """Entries waiting for a decision, oldest first."""
    return [_held(doc) for doc in await parts.ledger.held(limit)]


@router.post("/{entry_id}/decision", dependencies=[SUPERVISORS, JsonBody])
async def decide(
    parts: PartsDep,
    entry_id: Annotated[str, Path(min_length=1, max_length=256)],
    body: DecisionIn,
) -> HeldEntry:
    """Approve (credit the points) or reject a held entry; deciding the same again is a no-op,
    deciding otherwise is 409."""
    return _held(await parts.earner.decide(entry_id, body.decision))
