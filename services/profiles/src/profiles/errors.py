"""What can go wrong with a request; each answers one HTTP status (``rapport.errors``).

ProfileError
 ├── UnknownProfile      404  no profile has that id
 ├── UnknownRequest      404  no privacy request has that id
 ├── InvalidIdentity     422  the identity is malformed (``domain.identities``)
 ├── Unreachable         422  no channel can send a one-time code to this kind of identity
 ├── IdentityTaken       409  the identity belongs to another profile (never said which)
 └── MergeRefused        409  the profiles cannot be merged or unmerged as asked
"""

from uuid import UUID

from rapport.errors import RapportError


class ProfileError(RapportError):
    pass


class UnknownProfile(ProfileError):
    status_code = 404

    def __init__(self, profile_id: UUID) -> None:
        super().__init__(f"no profile {profile_id}")


class UnknownRequest(ProfileError):
    status_code = 404

    def __init__(self, request_id: UUID) -> None:
        super().__init__(f"no privacy request {request_id}")


class IdentityTaken(ProfileError):
    status_code = 409

    def __init__(self, kind: str, owner: UUID) -> None:
        super().__init__(
            f"this {kind} identity belongs to another profile; a supervisor can merge the two"
        )
        self.owner = owner


class Unreachable(ProfileError):
    status_code = 422

    def __init__(self, kind: str) -> None:
        super().__init__(f"no channel can send a code to a {kind} identity yet (email can)")


class MergeRefused(ProfileError):
    status_code = 409
