"""Reading profiles: the live profile an id names, its history and audit trail, look-alikes."""

from uuid import UUID

from profiles.domain.lookalikes import Likeness, lookalikes
from profiles.domain.model import Profile
from profiles.errors import MergeRefused, UnknownProfile
from profiles.ports import Document, Ports, ProfileStore


async def live(profiles: ProfileStore, profile_id: UUID) -> tuple[Profile, UUID | None]:
    """The live profile ``profile_id`` names and the merged id it was resolved from (if it was);
    UnknownProfile if none."""
    found, resolved_from = await profiles.get(profile_id)
    if found is None:
        raise UnknownProfile(profile_id)
    return found, resolved_from


async def history(ports: Ports, profile_id: UUID, limit: int) -> list[Document]:
    found, _ = await live(ports.profiles, profile_id)
    return await ports.queries.history(found, limit)


async def audit_trail(ports: Ports, profile_id: UUID) -> list[Document]:
    found, _ = await live(ports.profiles, profile_id)
    return await ports.queries.audit_trail(found)


async def suggestions(ports: Ports, profile_id: UUID) -> list[tuple[Profile, Likeness]]:
    """Profiles with similar handles or names, most alike first, for a human to merge or
    reject."""
    found, _ = await live(ports.profiles, profile_id)
    candidates = await ports.queries.lookalike_candidates(found)
    return lookalikes(found, candidates, ports.rules.suggestion_min_similarity)


async def reject_suggestion(ports: Ports, profile_id: UUID, other_id: UUID) -> None:
    """Never suggest the two live profiles to each other again."""
    found, _ = await live(ports.profiles, profile_id)
    other, _ = await live(ports.profiles, other_id)
    if other.id == found.id:
        raise MergeRefused("a profile is not a look-alike of itself")
    await ports.queries.reject(found.id, other.id)
