"""GDPR export and erasure requests: recorded, announced on ``privacy.requests`` for every
service, and answered."""

from typing import Literal
from uuid import UUID, uuid4

from profiles.domain.identities import social_identities
from profiles.ports import Ports
from profiles.use_cases.queries import live
from rapport.events import PrivacyRequest


async def request_privacy(
    ports: Ports, profile_id: UUID, kind: Literal["export", "erase"], services: list[str]
) -> UUID:
    """Ask ``services`` to export or erase everything about the person ``profile_id`` names
    (every id they were known by, and their social accounts); the request's id."""
    found, _ = await live(ports.profiles, profile_id)
    request = PrivacyRequest(
        request_id=uuid4(),
        kind=kind,
        profile_id=found.id,
        profile_ids=found.known_ids,
        identities=social_identities(found),
        requested_at=ports.clock(),
    )
    await ports.privacy.open(request, services)
    ports.relay_now()
    return request.request_id
