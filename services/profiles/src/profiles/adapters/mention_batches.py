"""A batch of causes worked out in memory, in order, as one by one would have worked them out.

Each cause sees its profile as the causes before it in the batch left it (as the database would
give it back), and the batch's writes are gathered for a few bulk commands: the profiles in
their last state, the history entries, the outbox rows in order and the ``processed`` markers.
A cause applied before (or earlier in the same batch) is skipped.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from opentelemetry.context import Context

from profiles.adapters.mongo_store import marker, mention_count
from profiles.domain.model import Profile
from profiles.ports import Message, Planned
from rapport.mongo import Document


@dataclass
class Writes:
    profiles: dict[UUID, Profile] = field(default_factory=dict)
    history: list[Document] = field(default_factory=list)
    over_limit: list[UUID] = field(default_factory=list)
    """Profiles whose history must be trimmed after the batch's entries are stored."""
    messages: list[Message] = field(default_factory=list)
    traces: list[Context | None] = field(default_factory=list)
    """Each message's trace."""
    markers: list[Document] = field(default_factory=list)
    cases: dict[UUID, Document] = field(default_factory=dict)
    """Each case's latest change (its owner, sequence and whether it is an open complaint)."""


def plan(
    planned: Sequence[Planned],
    *,
    applied: Iterable[str],
    owners: Iterable[Profile],
    history_limit: int,
    as_stored: Callable[[Profile], Profile],
) -> Writes:
    """The writes of ``planned`` given the causes ``applied`` before and the stored ``owners``
    of its identities."""
    writes = Writes()
    profiles = {profile.id: profile for profile in owners}
    owner_of = {i.key: profile.id for profile in profiles.values() for i in profile.identities}
    unsaved: set[UUID] = set()
    seen = set(applied)
    for item in planned:
        if item.cause in seen:
            continue
        seen.add(item.cause)
        before = None
        owner = owner_of.get(item.identity)
        if owner is not None:
            if owner in unsaved:
                profiles[owner] = as_stored(profiles[owner])
                unsaved.discard(owner)
            before = profiles[owner]
        change = item.decide(before)
        if change is None:
            writes.markers.append(marker(item.cause, None, []))
            continue
        profile = change.profile
        profiles[profile.id] = writes.profiles[profile.id] = profile
        unsaved.add(profile.id)
        owner_of.update((identity.key, profile.id) for identity in profile.identities)
        writes.history.append({**item.history, "profile_id": profile.id})
        if mention_count(profile) > history_limit and profile.id not in writes.over_limit:
            writes.over_limit.append(profile.id)
        messages = change.messages()
        writes.messages.extend(messages)
        writes.traces.extend([item.trace] * len(messages))
        writes.markers.append(marker(item.cause, profile.id, change.events))
    return writes
