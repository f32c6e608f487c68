"""An offer's roll-out: its audience decided page by page in the background, with its progress
recorded after every page so another replica can resume it after a crash."""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

MAX_ERRORS = 100
"""The errors a roll-out keeps (``failed`` counts them all)."""


class RolloutState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True, kw_only=True)
class Rollout:
    rollout_id: str
    offer_id: str
    state: RolloutState
    targeted: int
    """Members in the offer's audience when the roll-out started."""
    done: int = 0
    """Members decided so far."""
    sent: int = 0
    """Members the offer goes (or already went) to."""
    failed: int = 0
    errors: tuple[str, ...] = ()
    after: UUID | None = None
    """The last member decided: the next page starts after it."""
    created_at: datetime
    updated_at: datetime


def paged(
    rollout: Rollout,
    decided: list[UUID],
    *,
    sent: int,
    errors: list[str],
    page_size: int,
    now: datetime,
) -> Rollout:
    """``rollout`` once a page of ``decided`` members is done; a short page is the last."""
    last = len(decided) < page_size
    return replace(
        rollout,
        state=RolloutState.DONE if last else RolloutState.RUNNING,
        done=rollout.done + len(decided),
        sent=rollout.sent + sent,
        failed=rollout.failed + len(errors),
        errors=(rollout.errors + tuple(errors))[:MAX_ERRORS],
        after=decided[-1] if decided else rollout.after,
        updated_at=now,
    )


def abandoned(rollout: Rollout, reason: str, now: datetime) -> Rollout:
    """``rollout`` ended early, e.g. because its offer is gone."""
    errors = (*rollout.errors, reason)[:MAX_ERRORS]
    return replace(
        rollout, state=RolloutState.DONE, failed=rollout.failed + 1, errors=errors, updated_at=now
    )
