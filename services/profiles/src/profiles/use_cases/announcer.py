"""New profile states and the ``crm.profiles`` events announcing them, with ids from the cause."""

from dataclasses import dataclass
from datetime import datetime

from profiles.domain.evaluation import changes, evaluate, snapshot
from profiles.domain.merging import merge, unmerge
from profiles.domain.model import Profile
from profiles.domain.rules import Rules
from profiles.ports import Change, Complaints, Ports
from rapport.events import ProfileChange, ProfileChanged


@dataclass(frozen=True)
class Announcer:
    rules: Rules
    now: datetime
    cause: str

    def change(self, before: Profile | None, after: Profile) -> Change:
        evaluated = evaluate(after, self.now, self.rules)
        found = changes(before, evaluated, self.now, self.rules)
        return Change(evaluated, [ProfileChanged.of(c, cause=self.cause) for c in found])

    def merge(
        self, survivor: Profile, absorbed: list[Profile], complaints: Complaints
    ) -> tuple[Change, list[Profile]]:
        merged, tombstones = merge(survivor, absorbed)
        merged.open_complaints = sum(complaints.get(i, 0) for i in merged.known_ids)
        after = self.change(survivor, merged)
        related = [i for a in absorbed for i in a.known_ids]
        profile = snapshot(after.profile, self.now, self.rules)
        event = ProfileChange(change="merged", related_profile_ids=related, profile=profile)
        return Change(after.profile, [self._event(event), *after.events]), tombstones

    def unmerge(
        self, survivor: Profile, at_merge: Profile, complaints: Complaints
    ) -> tuple[Change, Change]:
        kept, restored = unmerge(survivor, at_merge)
        for part in (kept, restored):
            part.open_complaints = sum(complaints.get(i, 0) for i in part.known_ids)
        after = self.change(survivor, kept)
        evaluated = evaluate(restored, self.now, self.rules)
        event = ProfileChange(
            change="unmerged",
            related_profile_ids=[survivor.id],
            profile=snapshot(evaluated, self.now, self.rules),
        )
        return after, Change(evaluated, [self._event(event)])

    def _event(self, change: ProfileChange) -> ProfileChanged:
        return ProfileChanged.of(change, cause=self.cause)


def announcer(ports: Ports, cause: str) -> Announcer:
    """The announcer of a change made now, caused by ``cause``."""
    return Announcer(ports.rules, ports.clock(), cause)
