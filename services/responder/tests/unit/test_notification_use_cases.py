"""Planning and delivering notifications on the fakes: each notice once, to its queue's route
or the default route; transient failures retried, permanent ones parked."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from rapport.testing import MovableClock
from responder.domain.retries import Retries
from responder.notifications.domain.notices import Notice
from responder.notifications.domain.routes import RouteIn
from responder.notifications.fakes import FakeChannel, FakeDeliveries, FakeNotices, FakeRoutes
from responder.notifications.ports import DeliveryFailed
from responder.notifications.use_cases.delivery import deliver_next
from responder.notifications.use_cases.planning import plan_new

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
RETRIES = Retries(max_attempts=2, first_backoff_s=1, max_backoff_s=1, lease=timedelta(minutes=1))
DEFAULT = RouteIn(webhooks=["https://default.example/hook"])


def a_notice(n: int, queue: str = "pr", at: datetime = NOW) -> Notice:
    return Notice(
        id=UUID(int=n),
        kind="crisis",
        queue=queue,
        subject=f"topic-{n}",
        phase="active",
        opening=True,
        facts={
            "alert": "negative_spike",
            "observed": 30,
            "baseline": 2,
            "threshold": 9,
            "cases": 0,
            "since": "2026-12-01T08:50+00:00",
        },
        at=at,
    )


class World:
    def __init__(self, *notices: Notice) -> None:
        self.clock = MovableClock(NOW)
        self.source, self.routes = FakeNotices(list(notices)), FakeRoutes()
        self.deliveries, self.webhook = FakeDeliveries(), FakeChannel()

    async def plan(self, page: int = 100) -> int:
        planned = await plan_new(
            self.source,
            self.routes,
            self.deliveries,
            default=DEFAULT,
            since=NOW - timedelta(hours=1),
            now=self.clock(),
            page=page,
        )
        return planned.count

    async def deliver(self) -> bool:
        channels = {"webhook": self.webhook, "email": FakeChannel()}
        return await deliver_next(self.deliveries, channels, RETRIES, self.clock)


class TestPlanning:
    async def test_each_notice_is_planned_once_to_its_queues_route(self) -> None:
        world = World(a_notice(1), a_notice(2, queue="support"))
        await world.routes.put("pr", RouteIn(webhooks=["https://pr.example/a"]))
        assert await world.plan() == 2
        assert await world.plan() == 0
        while await world.deliver():
            pass
        assert sorted(address for address, _ in world.webhook.sent) == [
            "https://default.example/hook",  # support has no route
            "https://pr.example/a",
        ]

    async def test_a_notice_older_than_the_lookback_is_not_planned(self) -> None:
        world = World(a_notice(1, at=NOW - timedelta(hours=2)))
        assert await world.plan() == 0

    async def test_every_page_is_read_when_there_are_more_notices_than_a_page(self) -> None:
        minutes = [timedelta(minutes=n) for n in range(7)]
        world = World(*(a_notice(n, at=NOW - m) for n, m in enumerate(minutes)))
        assert await world.plan(page=2) == 7
        assert await world.plan(page=2) == 0


class TestDelivery:
    async def test_a_transient_failure_is_retried_after_the_backoff(self) -> None:
        world = World(a_notice(1))
        world.webhook.failures.append(DeliveryFailed("webhook answered 500"))
        await world.plan()
        assert await world.deliver()
        assert not await world.deliver()  # waiting out the backoff
        world.clock.advance(seconds=1)
        assert await world.deliver()
        assert len(world.webhook.sent) == 1
        [sent] = await world.deliveries.list("sent", 0, 10)
        assert sent.attempts == 1

    async def test_a_permanent_failure_is_parked_with_its_reason(self) -> None:
        world = World(a_notice(1))
        world.webhook.failures.append(DeliveryFailed("404 no_service", permanent=True))
        await world.plan()
        assert await world.deliver()
        world.clock.advance(hours=1)
        assert not await world.deliver()
        [failed] = await world.deliveries.list("failed", 0, 10)
        assert failed.last_error == "404 no_service"

    async def test_out_of_attempts_is_parked(self) -> None:
        world = World(a_notice(1))
        world.webhook.failures.extend([DeliveryFailed("500"), DeliveryFailed("500")])
        await world.plan()
        assert await world.deliver()
        world.clock.advance(seconds=1)
        assert await world.deliver()
        world.clock.advance(hours=1)
        assert not await world.deliver()
        assert [d.status for d in await world.deliveries.list(None, 0, 10)] == ["failed"]
        assert world.webhook.sent == []
