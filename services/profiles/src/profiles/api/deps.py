"""What routes are given: the repositories, rules, clock and relay, and error mapping."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request, status

from profiles.announce import Announcer
from profiles.code_sender import CodeSender
from profiles.confirmations import LinkRequests
from profiles.domain.model import Clock, Profile
from profiles.domain.rules import Rules
from profiles.errors import UnknownProfile
from profiles.merges import MongoMerges
from profiles.ports import ProfileStore
from profiles.privacy_requests import PrivacyRequests
from profiles.queries import ProfileQueries


@dataclass(frozen=True)
class Services:
    profiles: ProfileStore
    queries: ProfileQueries
    merges: MongoMerges
    link_requests: LinkRequests
    codes: CodeSender
    privacy: PrivacyRequests
    relay_now: Callable[[], None]
    """Wake the outbox relay: a change just stored events to publish."""
    rules: Rules
    clock: Clock
    privacy_services: tuple[str, ...]
    link_import_max_rows: int

    def announcer(self, cause: str) -> Announcer:
        return Announcer(self.rules, self.clock(), cause)

    async def live(self, profile_id: UUID) -> tuple[Profile, UUID | None]:
        """The live profile ``profile_id`` names (resolving a merged id), or UnknownProfile."""
        found, resolved_from = await self.profiles.get(profile_id)
        if found is None:
            raise UnknownProfile(profile_id)
        return found, resolved_from


def get_services(request: Request) -> Services:
    found: Services | None = getattr(request.app.state, "services", None)
    if found is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "profiles is starting")
    return found


ServicesDep = Annotated[Services, Depends(get_services)]
