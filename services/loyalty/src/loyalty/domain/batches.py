"""A batch of earnings as it is read once for all its members and applied in memory
(``loyalty.use_cases.mention_book``)."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from loyalty.domain.guardrails import Recent
from loyalty.domain.rules import Rule

Fields = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class BatchQuery:
    """What a batch reads: its members, the entries it may earn, the rules it applies, the
    questions its replies answer, as of ``now``."""

    profile_ids: Collection[UUID]
    entry_ids: Iterable[str]
    rules: Iterable[Rule]
    questions: Iterable[str]
    now: datetime
    tier_window: timedelta


@dataclass(frozen=True)
class BatchStanding:
    earned: set[str]
    """The batch's entry ids already in the ledger."""
    members: dict[UUID, Fields]
    """balance, flagged_until, tier of the members that exist."""
    windows: dict[UUID, tuple[int, datetime | None]]
    """Points credited within the tier window, and when the oldest of them was."""
    recent: dict[tuple[UUID, str], Recent]
    """(member, rule) -> their entries of the rule in its day, week and velocity windows."""
    askers: dict[str, UUID]
    """Question key -> who asked it."""


@dataclass
class Member:
    """A member as the batch leaves them, and what it changed."""

    exists: bool
    balance: int = 0
    tier: str | None = None
    flagged_until: datetime | None = None
    window_points: int = 0
    oldest_in_window: datetime | None = None
    points: int = 0
    """Credited by the batch."""
    fields: Fields = field(default_factory=dict)
    """Set by the batch."""
    enrolled: bool = False
    """Whether the batch writes an entry or a flag for them (which makes them a member), as
    opposed to only observing them."""
