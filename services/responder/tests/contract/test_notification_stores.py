"""The notification stores on the fake and on MongoDB: a notice is planned once with its
deliveries; a delivery is claimed by one sender at a time, and only that claim settles it."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from rapport.events.factories import BASE_TIME
from rapport.mongo import Database, ensure_indexes
from responder.migrations import INDEXES
from responder.notifications.adapters.delivery_store import MongoDeliveries
from responder.notifications.adapters.route_store import MongoRoutes
from responder.notifications.adapters.sealing import Sealer
from responder.notifications.domain.deliveries import planned
from responder.notifications.domain.notices import Notice
from responder.notifications.domain.routes import RouteIn, Target
from responder.notifications.fakes import FakeDeliveries, FakeRoutes
from responder.notifications.ports import DeliveryStore, RouteStore

pytestmark = pytest.mark.integration
LEASE = timedelta(seconds=60)
HOOK = Target("webhook", "https://hooks.example.com/services/secret")
MAIL = Target("email", "pr@example.com")


@dataclass(frozen=True)
class Stores:
    deliveries: DeliveryStore
    routes: RouteStore


@pytest.fixture(params=["fake", "mongo"])
async def stores(request: pytest.FixtureRequest, mongo_db: Database) -> AsyncIterator[Stores]:
    if request.param == "fake":
        yield Stores(FakeDeliveries(), FakeRoutes())
        return
    await ensure_indexes(mongo_db, INDEXES)
    sealer = Sealer(SecretStr(Fernet.generate_key().decode()))
    yield Stores(MongoDeliveries(mongo_db, sealer), MongoRoutes(mongo_db, sealer))


def a_notice(n: int) -> Notice:
    return Notice(
        id=UUID(int=n),
        kind="crisis",
        queue="pr",
        subject=f"topic-{n}",
        phase="active",
        opening=True,
        facts={"alert": "negative_spike"},
        at=BASE_TIME,
    )


async def plan(stores: Stores, n: int, *targets: Target) -> bool:
    notice = a_notice(n)
    at = BASE_TIME + timedelta(minutes=n)
    return await stores.deliveries.plan(notice, [(planned(notice, t, at), t) for t in targets])


class TestDeliveryStore:
    async def test_a_notice_is_planned_once(self, stores: Stores) -> None:
        assert await plan(stores, 1, HOOK, MAIL)
        assert not await plan(stores, 1, HOOK)
        assert await plan(stores, 2)  # nobody to tell: planned all the same
        assert await stores.deliveries.planned([UUID(int=1), UUID(int=2), UUID(int=3)]) == {
            UUID(int=1),
            UUID(int=2),
        }
        listed = await stores.deliveries.list(None, 0, 10)
        assert sorted(d.channel for d in listed) == ["email", "webhook"]
        assert {d.recipient for d in listed} == {"https://hooks.example.com/…", "pr@example.com"}

    async def test_a_due_delivery_is_claimed_by_one_sender_until_its_lease_ends(
        self, stores: Stores
    ) -> None:
        deliveries = stores.deliveries
        await plan(stores, 1, HOOK)
        now = BASE_TIME + timedelta(minutes=1)
        assert await deliveries.claim(now - timedelta(seconds=1), LEASE) is None  # not due
        first = await deliveries.claim(now, LEASE)
        assert first is not None
        assert first.address == HOOK.address
        assert await deliveries.claim(now, LEASE) is None
        second = await deliveries.claim(now + LEASE, LEASE)  # the first sender died
        assert second is not None
        assert second.delivery.id == first.delivery.id
        assert not await deliveries.sent(first, now)
        assert await deliveries.sent(second, now + LEASE)
        assert await deliveries.claim(now + 10 * LEASE, LEASE) is None
        [sent] = await deliveries.list("sent", 0, 10)
        assert sent.sent_at == now + LEASE

    async def test_a_failure_waits_or_parks_with_its_reason(self, stores: Stores) -> None:
        deliveries = stores.deliveries
        await plan(stores, 1, HOOK, MAIL)
        now = BASE_TIME + timedelta(minutes=1)
        one, two = await deliveries.claim(now, LEASE), await deliveries.claim(now, LEASE)
        assert one is not None
        assert two is not None
        later = now + timedelta(minutes=5)
        await deliveries.retry_later(one, "webhook answered 500", later)
        await deliveries.retry_later(two, "webhook answered 404 no_service", None)
        [failed] = await deliveries.list("failed", 0, 10)
        assert (failed.id, failed.attempts) == (two.delivery.id, 1)
        assert failed.last_error == "webhook answered 404 no_service"
        assert await deliveries.claim(later - timedelta(seconds=1), LEASE) is None
        again = await deliveries.claim(later, LEASE)
        assert again is not None
        assert (again.delivery.id, again.delivery.attempts) == (one.delivery.id, 1)


class TestRouteStore:
    async def test_a_route_is_kept_per_queue_and_shown_without_its_urls(
        self, stores: Stores
    ) -> None:
        routes = stores.routes
        route = RouteIn(sla=False, webhooks=[HOOK.address], emails=[MAIL.address])
        view = await routes.put("pr", route)
        assert view.webhooks == ["https://hooks.example.com/…"]
        assert await routes.get("pr") == view
        assert await routes.route("pr") == route
        assert await routes.route("support") is None
        assert await routes.delete("pr")
        assert not await routes.delete("pr")
        assert await routes.get("pr") is None
