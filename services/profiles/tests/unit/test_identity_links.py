"""Linking verified identities (``use_cases.identity_links``) and the customer's confirmed
links (``use_cases.link_requests``) against the fakes."""

from typing import Any

import pytest

from profiles.domain.identities import InvalidIdentity, identity
from profiles.errors import IdentityTaken, UnknownProfile, Unreachable
from profiles.ports import profile_id_for
from profiles.use_cases.identity_links import import_link_row, link_identity
from profiles.use_cases.link_requests import CONFIRMATION_TTL, confirm_link, request_link

from .conftest import World

ANN, BOB = profile_id_for("x:ann"), profile_id_for("x:bob")
C1 = profile_id_for("crm:C-1")
TAKEN_ROW = {"crm_customer_id": "C-1", "platform": "x", "author_id": "ann"}


def email(world: World, address: str = "ann@example.com") -> Any:
    return identity("email", address, at=world.clock(), source="api")


def keys(world: World, profile_id: Any) -> list[str]:
    return [i.key for i in world.profiles.profiles[profile_id].identities]


class TestLinkIdentity:
    async def test_links_a_free_identity_once_through_a_merged_id(self, world: World) -> None:
        ports = await world.ann_absorbed_bob()

        linked, resolved_from = await link_identity(ports, BOB, email(world))
        again, _ = await link_identity(ports, ANN, email(world))

        assert (linked.first_time, again.first_time, resolved_from) == (True, False, BOB)
        assert keys(world, ANN) == ["x:ann", "x:bob", "email:ann@example.com"]
        assert world.relayed == 2

    async def test_refuses_an_identity_another_profile_holds(self, world: World) -> None:
        ports = await world.authors("ann", "bob")
        await link_identity(ports, BOB, email(world))

        with pytest.raises(IdentityTaken):
            await link_identity(ports, ANN, email(world))
        with pytest.raises(UnknownProfile):
            await link_identity(ports, profile_id_for("x:nobody"), email(world))
        assert keys(world, ANN) == ["x:ann"]


class TestImportLinkRow:
    async def test_creates_then_links_then_leaves_unchanged(self, world: World) -> None:
        ports = world.ports()
        row = {"crm_customer_id": "C-1", "email": "jo@example.com", "phone": ""}

        created = await import_link_row(ports, row)
        again = await import_link_row(ports, row)
        more = await import_link_row(ports, {**row, "platform": "x", "author_id": "jo"})

        assert (created, again, more) == ("created", "unchanged", "linked")
        assert keys(world, C1) == ["crm:C-1", "email:jo@example.com", "x:jo"]

    async def test_a_bad_or_taken_row_changes_nothing(self, world: World) -> None:
        await world.mention(1, "ann")
        ports = world.ports()

        with pytest.raises(InvalidIdentity):
            await import_link_row(ports, {"crm_customer_id": "C-1", "email": "not-an-address"})
        with pytest.raises(IdentityTaken):
            await import_link_row(
                ports, {"crm_customer_id": "C-1", "platform": "x", "author_id": "ann"}
            )

        assert C1 not in world.profiles.profiles
        assert keys(world, ANN) == ["x:ann"]


class TestLinkRequests:
    async def test_a_free_identity_is_sent_a_code_that_links_it_once(self, world: World) -> None:
        await world.mention(1, "ann")
        ports, later = world.ports(), Later()

        profile_id, expires_at = await request_link(ports, ANN, email(world), later=later)
        await later.run()
        [(to, code, sent_expiry)] = world.codes.sent
        linked = await confirm_link(ports, code)

        assert (profile_id, expires_at, sent_expiry) == (
            ANN,
            world.clock() + CONFIRMATION_TTL,
            expires_at,
        )
        assert to.key == "email:ann@example.com"
        assert linked is not None
        assert linked[0].first_time
        assert "email:ann@example.com" in keys(world, ANN)
        assert await confirm_link(ports, code) is None

    async def test_an_owned_identity_gets_the_same_answer_and_no_code(self, world: World) -> None:
        ports, later = await world.authors("ann", "bob"), Later()
        await link_identity(ports, BOB, email(world))

        profile_id, _ = await request_link(ports, ANN, email(world), later=later)

        assert (profile_id, later.calls, world.link_requests.requests) == (ANN, [], {})

    async def test_a_kind_no_channel_reaches_is_refused_before_anything_is_kept(
        self, world: World
    ) -> None:
        await world.mention(1, "ann")
        phone = identity("phone", "+49 170 1234567", at=world.clock(), source="customer")

        with pytest.raises(Unreachable):
            await request_link(world.ports(), ANN, phone, later=Later())
        assert world.link_requests.requests == {}

    async def test_an_expired_code_links_nothing(self, world: World) -> None:
        await world.mention(1, "ann")
        ports, later = world.ports(), Later()
        await request_link(ports, ANN, email(world), later=later)
        await later.run()
        world.clock.advance(seconds=CONFIRMATION_TTL.total_seconds())

        assert await confirm_link(ports, world.codes.sent[0][1]) is None
        assert keys(world, ANN) == ["x:ann"]


class Later:
    """``BackgroundTasks.add_task``: keeps the calls, runs them when asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, tuple[Any, ...]]] = []

    def __call__(self, call: Any, *args: Any) -> None:
        self.calls.append((call, args))

    async def run(self) -> None:
        for call, args in self.calls:
            await call(*args)
