"""People the CRM knows: their profiles made, and their consent changed."""

from uuid import UUID, uuid4

from profiles.domain.model import Identity, Profile
from profiles.domain.recording import set_consent
from profiles.ports import Applied, Change, Ports, profile_id_for
from profiles.use_cases.announcer import announcer
from profiles.use_cases.queries import live


async def create_profile(
    ports: Ports, identities: list[Identity], *, marketing_consent: bool
) -> tuple[Change, bool]:
    """(the profile of the person the first identity names, whether it is new): a silent
    observer until they post. IdentityTaken if another profile holds one of the identities."""
    now = ports.clock()
    new = Profile(id=profile_id_for(identities[0].key), identities=identities, created_at=now)
    if marketing_consent:
        new = set_consent(new, True, "crm", now)
    change = announcer(ports, "api").change(None, new)
    stored = await ports.profiles.create(change)
    if stored == change.profile:
        return change, True
    return announcer(ports, "api").change(None, stored), False


async def change_consent(
    ports: Ports, profile_id: UUID, *, marketing: bool, source: str
) -> tuple[Applied, UUID | None]:
    """Marketing outreach yes or no, with when and from where."""
    found, resolved_from = await live(ports.profiles, profile_id)
    request_id = str(uuid4())
    announcing = announcer(ports, request_id)

    def decide(before: Profile | None) -> Change | None:
        assert before is not None
        after = set_consent(before, marketing, source, announcing.now)
        return announcing.change(before, after)

    applied = await ports.profiles.apply(request_id, decide, profile_id=found.id)
    return applied, resolved_from
