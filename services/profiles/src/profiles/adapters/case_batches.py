"""A batch of case changes worked out in memory, in order, as ``apply_case`` one by one would:
each case keeps its latest change (by sequence; an earlier one is only marked), and each owner's
open complaints are recounted from the stored cases plus the batch's changes so far. A cause
applied before (or earlier in the same batch) is skipped."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from profiles.adapters.mention_batches import Writes
from profiles.adapters.mongo_store import marker
from profiles.domain.complaints import is_open_complaint
from profiles.domain.model import Profile
from profiles.ports import PlannedCase
from rapport.events import CaseChange


@dataclass(frozen=True)
class CaseState:
    """What a batch starts from: the causes applied before, each case's stored sequence, each
    owner (the live profile a case's profile id is, or was merged into) and the open complaints
    of those owners (case id -> profile id)."""

    applied: set[str]
    sequences: dict[UUID, int]
    owners: dict[UUID, Profile]
    open_complaints: dict[UUID, UUID]


def plan_cases(
    planned: Sequence[PlannedCase], state: CaseState, *, as_stored: Callable[[Profile], Profile]
) -> Writes:
    writes = Writes()
    sequences, complaints = dict(state.sequences), dict(state.open_complaints)
    profiles = {profile.id: profile for profile in state.owners.values()}
    unsaved: set[UUID] = set()
    seen = set(state.applied)
    for item in planned:
        if item.cause in seen:
            continue
        seen.add(item.cause)
        case = item.case
        owner = state.owners.get(case.profile_id)
        if owner is None or sequences.get(case.case_id, 0) >= case.sequence:
            writes.markers.append(marker(item.cause, None, []))
            continue
        if owner.id in unsaved:
            profiles[owner.id] = as_stored(profiles[owner.id])
            unsaved.discard(owner.id)
        before = profiles[owner.id]
        sequences[case.case_id] = case.sequence
        writes.cases[case.case_id] = case_document(case)
        complaints.pop(case.case_id, None)
        if is_open_complaint(case):
            complaints[case.case_id] = case.profile_id
        change = item.decide(before, _count(complaints.values(), before.known_ids))
        profiles[before.id] = writes.profiles[before.id] = change.profile
        unsaved.add(before.id)
        messages = change.messages()
        writes.messages.extend(messages)
        writes.traces.extend([item.trace] * len(messages))
        writes.markers.append(marker(item.cause, change.profile.id, change.events))
    return writes


def case_document(case: CaseChange) -> dict[str, object]:
    return {
        "profile_id": case.profile_id,
        "sequence": case.sequence,
        "open_complaint": is_open_complaint(case),
    }


def _count(owners: Iterable[UUID], known_ids: Iterable[UUID]) -> int:
    known = set(known_ids)
    return sum(1 for owner in owners if owner in known)
