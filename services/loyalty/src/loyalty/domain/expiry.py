"""Expiry, oldest first, without tracking lots.

Spending consumes the oldest points first, so once the earnings up to some moment have all
passed their expiry date, what is left of them is what they add up to less everything spent or
expired so far (lifetime points less balance), never below zero nor above the balance.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from loyalty.domain.debits import debit_entry
from rapport.events import ExpiredPoints, deterministic_id


def expiring_points(*, matured: int, lifetime: int, balance: int) -> int:
    """``matured``: all points ever earned whose expiry date has passed (this batch included)."""
    consumed = lifetime - balance
    return max(0, min(balance, matured - consumed))


@dataclass(frozen=True)
class Expiry:
    """Entries whose expiry date passed, settled together: ``matured`` points join the
    member's settled points and ``points`` leave the balance."""

    entry_ids: list[str]
    matured: int
    points: int


def expiry(due: Sequence[tuple[str, int]], member: Mapping[str, Any]) -> Expiry:
    """What settling ``due`` (entry id, points) takes out of ``member``'s balance."""
    matured = sum(points for _, points in due)
    points = expiring_points(
        matured=member.get("settled_points", 0) + matured,
        lifetime=member["lifetime_points"],
        balance=member["balance"],
    )
    return Expiry([entry_id for entry_id, _ in due], matured, points)


def expiry_record(
    e: Expiry, *, profile_id: UUID, balance: int, now: datetime
) -> tuple[dict[str, Any], ExpiredPoints]:
    """The ledger entry that records ``e`` and what ``PointsExpired`` says of it."""
    cause = deterministic_id("expiry", *e.entry_ids)
    entry = debit_entry(
        f"expiry:{cause}",
        "expiry",
        e.points,
        cause,
        profile_id=profile_id,
        balance=balance,
        now=now,
    )
    expired = ExpiredPoints(
        profile_id=profile_id, entry_ids=e.entry_ids, points=e.points, balance=balance, at=now
    )
    return entry | {"entry_ids": e.entry_ids}, expired
