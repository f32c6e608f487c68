"""Verified identity links: one the CRM or the customer vouches for, or a row of the CRM's file.

An identity joins a profile only if no other profile holds it (IdentityTaken otherwise); a row
of a file is checked whole first, so a bad row changes nothing.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Literal
from uuid import UUID, uuid4

from profiles.domain.identities import identity
from profiles.domain.model import Identity, Profile
from profiles.domain.recording import add_identity
from profiles.errors import IdentityTaken
from profiles.ports import Applied, Change, Ports, profile_id_for
from profiles.use_cases.announcer import announcer
from profiles.use_cases.queries import live

Outcome = Literal["linked", "created", "unchanged"]
Row = Mapping[str, str | None]


async def link_identity(
    ports: Ports, profile_id: UUID, new: Identity
) -> tuple[Applied, UUID | None]:
    """Add ``new`` to the live profile ``profile_id`` names (``first_time`` False if it held
    it already), and the merged id it was resolved from."""
    _, resolved_from = await live(ports.profiles, profile_id)
    announcing = announcer(ports, str(uuid4()))

    def decide(before: Profile | None) -> Change | None:
        assert before is not None
        return announcing.change(before, add_identity(before, new))

    applied = await ports.profiles.link(profile_id, new.key, new.kind, decide)
    ports.relay_now()
    return applied, resolved_from


def row_identities(row: Row, now: datetime) -> list[Identity]:
    """The row's CRM identity first, then its email, phone and social identities;
    InvalidIdentity if one is malformed."""
    value = {k: (v or "").strip() for k, v in row.items() if k}
    wanted = [identity("crm", value["crm_customer_id"], at=now, source="import")]
    if value.get("email"):
        wanted.append(identity("email", value["email"], at=now, source="import"))
    if value.get("phone"):
        wanted.append(identity("phone", value["phone"], at=now, source="import"))
    if value.get("platform") or value.get("author_id"):
        wanted.append(
            identity(
                "social",
                value.get("author_id", ""),
                at=now,
                source="import",
                platform=value.get("platform"),
                handle=value.get("handle") or None,
            )
        )
    return wanted


async def import_link_row(ports: Ports, row: Row) -> Outcome:
    """Link the row's identities to the profile of its CRM customer (made when new); checked
    whole first: InvalidIdentity or IdentityTaken and nothing changes."""
    wanted = row_identities(row, ports.clock())
    crm = wanted[0]
    for new in wanted:
        owner = await ports.queries.by_identity(new.key)
        if owner is not None and owner.identity(crm.key) is None:
            raise IdentityTaken(new.kind, owner.id)
    outcome: Outcome = "unchanged"
    if await ports.queries.by_identity(crm.key) is None:
        new_profile = Profile(
            id=profile_id_for(crm.key), identities=[crm], created_at=crm.linked_at
        )
        await ports.profiles.create(announcer(ports, "api").change(None, new_profile))
        ports.relay_now()
        outcome = "created"
    owner = await ports.queries.by_identity(crm.key)
    assert owner is not None
    for new in wanted[1:]:
        applied, _ = await link_identity(ports, owner.id, new)
        if applied.first_time and outcome == "unchanged":
            outcome = "linked"
    return outcome
