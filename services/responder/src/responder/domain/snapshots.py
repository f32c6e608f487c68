"""Which profile snapshots the cache keeps: a snapshot replaces the kept one unless that one is
later (by ``last_seen``, to the millisecond as MongoDB keeps it; of two equal, the one applied
last stays), and which stages' numbers of profiles that changes."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from uuid import UUID

from rapport.events import ProfileSnapshot, RelationshipStage

Kept = tuple[RelationshipStage, datetime]
"""A kept snapshot's stage and ``last_seen``."""


def to_ms(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def moved(kept: Kept | None, snapshot: ProfileSnapshot) -> set[RelationshipStage]:
    """The stages whose number of profiles changes when ``snapshot`` arrives on ``kept``."""
    if kept is None:
        return {snapshot.stage}
    stage, last_seen = kept
    if last_seen > to_ms(snapshot.last_seen) or stage is snapshot.stage:
        return set()
    return {stage, snapshot.stage}


def keep_all(
    kept: Mapping[UUID, Kept], snapshots: Iterable[ProfileSnapshot]
) -> tuple[dict[UUID, ProfileSnapshot], set[RelationshipStage]]:
    """``snapshots`` applied in order on ``kept``: the last one kept of each profile (to write,
    guarded by ``last_seen``, as each would have been), and the stages they moved."""
    now = dict(kept)
    winners: dict[UUID, ProfileSnapshot] = {}
    stages: set[RelationshipStage] = set()
    for snapshot in snapshots:
        before = now.get(snapshot.profile_id)
        if before is not None and before[1] > to_ms(snapshot.last_seen):
            continue
        stages |= moved(before, snapshot)
        now[snapshot.profile_id] = snapshot.stage, to_ms(snapshot.last_seen)
        winners[snapshot.profile_id] = snapshot
    return winners, stages
