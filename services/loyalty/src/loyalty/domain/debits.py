"""Points out of a balance: redemptions and expiries are ledger entries with negative points."""

from datetime import datetime
from typing import Any
from uuid import UUID

from loyalty.domain.guardrails import Verdict
from loyalty.errors import IdempotencyConflict
from rapport.events import Redemption, deterministic_id


def debit_entry(
    entry_id: str,
    kind: str,
    points: int,
    cause: UUID,
    *,
    profile_id: UUID,
    balance: int,
    now: datetime,
) -> dict[str, Any]:
    """A redemption or expiry: ``points`` out of the member's balance, ``balance`` after it."""
    return {
        "_id": entry_id,
        "profile_id": profile_id,
        "kind": kind,
        "rule": kind,
        "points": -points,
        "cause_event_id": cause,
        "status": Verdict.CREDIT.value,
        "balance": balance,
        "at": now,
    }


def redemption_id(record_id: str) -> UUID:
    return deterministic_id("redemption", record_id)


def repeated(first: Redemption, reward_id: str) -> Redemption:
    """A retried redemption gets the first answer; the same key for another reward is refused."""
    if first.reward_id != reward_id:
        raise IdempotencyConflict("this Idempotency-Key was used for another reward")
    return first
