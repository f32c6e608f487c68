"""Links the customer confirms, for identities the CRM cannot vouch for itself: a one-time code
goes to the identity (never back to whoever asked), and only the code posted back links it."""

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from profiles.domain.model import Identity
from profiles.errors import Unreachable
from profiles.ports import Applied, Ports
from profiles.use_cases.identity_links import link_identity
from profiles.use_cases.queries import live

CONFIRMATION_TTL = timedelta(hours=24)
Later = Callable[..., None]
"""Runs a call after the answer (``BackgroundTasks.add_task``): the code is sent then."""


async def request_link(
    ports: Ports, profile_id: UUID, new: Identity, *, later: Later
) -> tuple[UUID, datetime]:
    """(the live profile, until when the code works). Only a free identity is sent a code, so
    the answer tells nobody who owns it; Unreachable if no channel reaches its kind."""
    found, _ = await live(ports.profiles, profile_id)
    if not ports.codes.reaches(new.kind):
        raise Unreachable(new.kind)
    expires_at = ports.clock() + CONFIRMATION_TTL
    if await ports.queries.by_identity(new.key) is None:
        code = await ports.link_requests.open(found.id, new, expires_at=expires_at)
        later(ports.codes.send, new, code, expires_at)
    return found.id, expires_at


async def confirm_link(ports: Ports, code: str) -> tuple[Applied, UUID | None] | None:
    """Link the identity of the live request ``code`` opens (once: the code is used up); None
    if the code is unknown, used or expired."""
    now = ports.clock()
    taken = await ports.link_requests.take(code, now=now)
    if taken is None:
        return None
    profile_id, new = taken
    return await link_identity(ports, profile_id, new.model_copy(update={"linked_at": now}))
