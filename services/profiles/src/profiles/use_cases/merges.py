"""Merging the profiles of one person, and undoing it, each with who did it and why."""

from uuid import UUID, uuid4

from profiles.ports import Action, Change, Ports
from profiles.use_cases.announcer import Announcer, announcer


def _audited(ports: Ports, actor: str, reason: str) -> tuple[Announcer, Action]:
    action_id = uuid4()
    announcing = announcer(ports, str(action_id))
    return announcing, Action(action_id, actor, reason, announcing.now)


async def merge(
    ports: Ports, survivor_id: UUID, absorbed_ids: list[UUID], *, actor: str, reason: str
) -> Change:
    """Absorb the profiles into the survivor (their ids then resolve to it)."""
    announcing, action = _audited(ports, actor, reason)
    absorbed = list(dict.fromkeys(absorbed_ids))
    return await ports.merges.merge(survivor_id, absorbed, announcing.merge, action)


async def unmerge(
    ports: Ports, survivor_id: UUID, absorbed_id: UUID, *, actor: str, reason: str
) -> tuple[Change, Change]:
    """Split an absorbed profile off again, with what it brought: (kept, restored)."""
    announcing, action = _audited(ports, actor, reason)
    return await ports.merges.unmerge(survivor_id, absorbed_id, announcing.unmerge, action)
