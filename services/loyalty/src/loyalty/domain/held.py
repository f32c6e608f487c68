"""A human's decision on an entry a guardrail held: approving credits its points, rejecting
keeps them out; the same decision again changes nothing, a different one is refused."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from loyalty.domain.guardrails import Verdict
from loyalty.errors import Conflict

Decision = Literal["approved", "rejected"]


def already_decided(entry: Mapping[str, Any], decision: Decision) -> bool:
    """True when ``entry`` carries ``decision``; raises ``Conflict`` when it is not held."""
    if entry.get("decision") == decision:
        return True
    if entry["status"] != Verdict.HOLD.value:
        raise Conflict(f"the entry is {entry['status']}, not held")
    return False


def decided(
    decision: Decision, *, now: datetime, expires_at: datetime, balance: int | None
) -> dict[str, Any]:
    """What the decision sets on the entry; ``balance`` is the member's once approved."""
    fields: dict[str, Any] = {"decision": decision, "decided_at": now, "status": "rejected"}
    if decision == "approved":
        fields |= {
            "status": Verdict.CREDIT.value,
            "balance": balance,
            "credited_at": now,
            "expires_at": expires_at,
        }
    return fields
