"""What taking customers' mentions in starts from: per mention, the case that already took it,
and per profile, its current case and the snapshot kept from ``crm.profiles``."""

from dataclasses import dataclass, field
from uuid import UUID

from rapport.events import ProfileSnapshot
from responder.domain.case import Case


@dataclass(frozen=True)
class Taking:
    """What taking a customer's mention in starts from, read in one round trip."""

    taken_by: Case | None
    """The case that already took the mention (it is being delivered again)."""
    current: Case | None
    """The profile's active case, else its last resolved one."""
    kept: ProfileSnapshot | None
    """The profile's snapshot kept from ``crm.profiles``."""

    @property
    def active(self) -> Case | None:
        return self.current if self.current is not None and self.current.active else None

    def latest(self, snapshot: ProfileSnapshot) -> ProfileSnapshot:
        """The newer of ``snapshot`` and the one kept."""
        kept = self.kept
        return kept if kept is not None and kept.last_seen > snapshot.last_seen else snapshot


@dataclass
class Takings:
    """``Taking`` for the mentions of a batch: what was read once, kept up to date as the
    batch's cases are stored."""

    taken: dict[str, Case] = field(default_factory=dict)
    current: dict[UUID, Case] = field(default_factory=dict)
    kept: dict[UUID, ProfileSnapshot] = field(default_factory=dict)

    def of(self, cause: str, profile_id: UUID) -> Taking:
        current = self.current.get(profile_id)
        return Taking(self.taken.get(cause), current, self.kept.get(profile_id))

    def stored(self, case: Case) -> None:
        self.current[case.profile_id] = case
        self.taken.update((cause, case) for cause in case.causes)
