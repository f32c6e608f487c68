"""What can go wrong with a request, mapped to an HTTP status at the edge (``api.deps``).

ProfileError
 ├── UnknownProfile      404  no profile has that id
 ├── UnknownRequest      404  no privacy request has that id
 ├── InvalidIdentity     422  the identity is malformed (``domain.identities``)
 ├── Unreachable         422  no channel can send a one-time code to this kind of identity
 ├── IdentityTaken       409  the identity belongs to another profile (never said which)
 └── MergeRefused        409  the profiles cannot be merged or unmerged as asked
"""

from uuid import UUID

from profiles.domain.identities import InvalidIdentity


class ProfileError(Exception):
    status = 400


class UnknownProfile(ProfileError):
    status = 404

    def __init__(self, profile_id: UUID) -> None:
        super().__init__(f"no profile {profile_id}")


class UnknownRequest(ProfileError):
    status = 404

    def __init__(self, request_id: UUID) -> None:
        super().__init__(f"no privacy request {request_id}")


class IdentityTaken(ProfileError):
    status = 409

    def __init__(self, kind: str, owner: UUID) -> None:
        super().__init__(
            f"this {kind} identity belongs to another profile; a supervisor can merge the two"
        )
        self.owner = owner


class Unreachable(ProfileError):
    status = 422

    def __init__(self, kind: str) -> None:
        super().__init__(f"no channel can send a code to a {kind} identity yet (email can)")


class MergeRefused(ProfileError):
    status = 409


STATUS_OF: dict[type[Exception], int] = {InvalidIdentity: 422}


def status_of(error: Exception) -> int:
    return error.status if isinstance(error, ProfileError) else STATUS_OF[type(error)]
