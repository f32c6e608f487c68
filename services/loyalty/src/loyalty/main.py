"""loyalty: rewards the people who speak up for the brand."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from loyalty.adapters.outbox import Outbox
from loyalty.api import catalogue, events, held, members, offers
from loyalty.clock import Clock, system_clock
from loyalty.consumers import batch_handlers, event_handlers
from loyalty.migrations import MIGRATIONS
from loyalty.services import Services
from loyalty.settings import LoyaltySettings
from rapport.clients import connected, consume
from rapport.mongo import warn_missing_indexes
from rapport.outbox import OutboxRelay
from rapport.service import Runtime, service_app
from rapport.suppression import guarded, guarded_batches

ROUTERS = [members.router, held.router, catalogue.router, offers.router, events.router]


def create_app(settings: LoyaltySettings | None = None, clock: Clock = system_clock) -> FastAPI:
    settings = settings or LoyaltySettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with connected(runtime) as clients:
            await warn_missing_indexes(clients.db, MIGRATIONS.indexes(settings))
            relay = OutboxRelay(clients.db, clients.producer, poll_s=0.5)
            outbox = Outbox(clients.db, relay)
            services = Services.build(clients.db, settings, clock, outbox)
            app.state.services = services
            suppressions = services.suppressions
            handlers = guarded(event_handlers(services, settings), suppressions)
            if settings.consume_events:
                consume(
                    runtime,
                    clients,
                    group="loyalty",
                    handlers=handlers,
                    batch_handlers=guarded_batches(batch_handlers(services), suppressions),
                )
            sweeper, rollouts = services.sweeper, services.rollout_worker
            runtime.workers.start("expiry-sweeper", sweeper.run(), stop=sweeper.stop)
            runtime.workers.start("offer-rollouts", rollouts.run(), stop=rollouts.stop)
            if settings.relay_outbox:
                runtime.workers.start("outbox-relay", relay.run(), stop=relay.stop)
            yield

    app = service_app(settings, title="Rapport loyalty", routers=ROUTERS, run=run)
    return app
