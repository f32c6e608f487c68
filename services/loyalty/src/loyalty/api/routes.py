from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel

from loyalty.repository import Ledger
from rapport.api import require
from rapport.auth import Scope

router = APIRouter(prefix="/v1", tags=["members"])


class LedgerEntry(BaseModel):
    entry_id: str
    rule: str
    points: int
    cause_event_id: UUID
    balance: int
    at: datetime


class Member(BaseModel):
    profile_id: UUID
    balance: int
    lifetime_points: int
    ledger: list[LedgerEntry]


@router.get("/members/{profile_id}", dependencies=[require(Scope.AGENT, Scope.INTEGRATION)])
async def get_member(
    request: Request, profile_id: UUID, entries: Annotated[int, Query(ge=1, le=500)] = 50
) -> Member:
    """A member's balance and newest ledger entries."""
    ledger: Ledger = request.app.state.ledger
    doc = await ledger.member(profile_id, entries=entries)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such member")
    return Member(
        profile_id=doc["_id"],
        balance=doc["balance"],
        lifetime_points=doc["lifetime_points"],
        ledger=[
            LedgerEntry(
                entry_id=e["_id"],
                **{k: e[k] for k in ("rule", "points", "cause_event_id", "balance", "at")},
            )
            for e in doc["ledger"]
        ],
    )
