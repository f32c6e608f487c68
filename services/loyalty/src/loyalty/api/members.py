from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, status
from pydantic import BaseModel

from loyalty.api.deps import PartsDep
from loyalty.domain.catalogue import Name
from loyalty.domain.tiers import base_tier
from loyalty.errors import NotFound
from rapport.api import JsonBody, StrictModel, require_member_or
from rapport.auth import Scope
from rapport.events import Redemption
from rapport.mongo import Document

router = APIRouter(prefix="/v1/members", tags=["members"])


class LedgerEntry(BaseModel):
    entry_id: str
    kind: str
    rule: str
    points: int
    status: str
    reason: str | None = None
    cause_event_id: UUID
    balance: int
    at: datetime
    expires_at: datetime | None = None


class Member(BaseModel):
    profile_id: UUID
    balance: int
    lifetime_points: int
    tier: str
    ledger: list[LedgerEntry]


class RedemptionIn(StrictModel):
    reward_id: Name


IdempotencyKey = Annotated[
    str,
    Header(alias="Idempotency-Key", min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$"),
]


def _entry(doc: Document) -> LedgerEntry:
    return LedgerEntry(entry_id=doc["_id"], **{k: v for k, v in doc.items() if k != "_id"})


@router.get(
    "/{profile_id}",
    dependencies=[require_member_or(Scope.AGENT, Scope.SUPERVISOR, Scope.INTEGRATION)],
)
async def get_member(
    parts: PartsDep,
    profile_id: UUID,
    entries: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Member:
    """A member's balance, tier and newest ledger entries (expired points taken out first)."""
    await parts.sweeper.refresh(profile_id)
    doc = await parts.ledger.member(profile_id, entries=entries)
    if doc is None:
        raise NotFound("no such member")
    return Member(
        profile_id=doc["_id"],
        balance=doc["balance"],
        lifetime_points=doc["lifetime_points"],
        tier=doc.get("tier") or base_tier(parts.tiers.thresholds),
        ledger=[_entry(e) for e in doc["ledger"]],
    )


@router.post(
    "/{profile_id}/redemptions",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require_member_or(Scope.SUPERVISOR), JsonBody],
)
async def redeem(
    parts: PartsDep, profile_id: UUID, body: RedemptionIn, key: IdempotencyKey
) -> Redemption:
    """Spend points on a reward: the member's own token, or a supervisor's. A retry with the same
    Idempotency-Key returns the same result."""
    reward = await parts.rewards.get(body.reward_id)
    if reward is None or not reward.active:
        raise NotFound("no such reward")
    await parts.sweeper.expire(profile_id)
    return await parts.redemptions.redeem(
        profile_id, key, reward.reward_id, reward.points, parts.clock()
    )
