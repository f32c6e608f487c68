"""profiles: who is speaking. The composition root: the only module that builds the MongoDB
adapters and wires them into the use cases, handlers, routes and workers."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI

from profiles import handlers
from profiles.adapters.code_sender import code_sender
from profiles.adapters.link_request_store import MongoLinkRequests
from profiles.adapters.merge_store import MongoMerges
from profiles.adapters.personal_data import MongoPrivacy, known_identities
from profiles.adapters.privacy_request_store import MongoPrivacyRequests
from profiles.adapters.profile_store import MongoProfiles
from profiles.adapters.query_store import MongoProfileQueries
from profiles.api import confirmations as link_requests
from profiles.api import identities, merges, privacy, profiles
from profiles.api.deps import Services
from profiles.domain.model import Clock
from profiles.migrations import MIGRATIONS
from profiles.settings import ProfilesSettings
from profiles.workers import PrivacyRetries
from rapport.clients import connected, consume
from rapport.clock import utcnow
from rapport.events import Event, PrivacyCompleted, PrivacyRequested
from rapport.exports.store import export_keys, export_store
from rapport.mongo import Database, warn_missing_indexes
from rapport.outbox import OutboxRelay
from rapport.privacy import privacy_outbox_handler
from rapport.service import Runtime, service_app
from rapport.suppression import Suppressing, SuppressionList, guarded, guarded_batches

ROUTERS = [
    profiles.router,
    identities.router,
    link_requests.router,
    merges.router,
    privacy.router,
]
Handler = Callable[[Any], Awaitable[None]]


def mongo_services(
    db: Database, settings: ProfilesSettings, clock: Clock, relay_now: Callable[[], None]
) -> Services:
    """The ports on MongoDB (and SMTP, when configured)."""
    return Services(
        profiles=MongoProfiles(db, history_limit=settings.history_limit),
        queries=MongoProfileQueries(db),
        merges=MongoMerges(db),
        link_requests=MongoLinkRequests(db),
        privacy=MongoPrivacyRequests(db, export_keys(settings), settings.schedule),
        codes=code_sender(settings),
        rules=settings.rules,
        clock=clock,
        relay_now=relay_now,
        privacy_services=tuple(settings.privacy_services),
        link_import_max_rows=settings.link_import_max_rows,
    )


def create_app(settings: ProfilesSettings | None = None, *, clock: Clock = utcnow) -> FastAPI:
    settings = settings or ProfilesSettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with connected(runtime) as clients:
            await warn_missing_indexes(clients.db, MIGRATIONS.indexes(settings))
            relay = OutboxRelay(clients.db, clients.producer, poll_s=0.5)
            services = app.state.services = mongo_services(clients.db, settings, clock, relay.wake)
            if settings.relay_outbox:
                runtime.workers.start("outbox-relay", relay.run(), stop=relay.stop)
            retries = PrivacyRetries(
                services.privacy,
                services.privacy_services,
                clock=clock,
                interval_s=settings.privacy_retry_poll_s,
                relay_now=relay.wake,
            )
            runtime.workers.start("privacy-retries", retries.run(), stop=retries.stop)

            def bind(use_case: handlers.EventUseCase) -> Handler:
                async def handle(event: Any) -> None:
                    await use_case(
                        event, profiles=services.profiles, rules=settings.rules, clock=clock
                    )
                    relay.wake()

                return handle

            if not settings.consume_events:
                yield
                return
            suppressions = SuppressionList(clients.db, settings.suppression_pepper)
            personal_data = Suppressing(
                MongoPrivacy(clients.db), suppressions, known_identities(clients.db)
            )
            by_event: dict[type[Event], Handler] = {
                **{kind: bind(use) for kind, use in handlers.EVENT_USE_CASES.items()},
                PrivacyRequested: privacy_outbox_handler(
                    settings.service_name,
                    personal_data,
                    clients.db,
                    export_store(clients.db, settings),
                    relay_now=relay.wake,
                ),
                PrivacyCompleted: partial(handlers.on_privacy_completed, requests=services.privacy),
            }
            batches = {kind: bind(use) for kind, use in handlers.BATCH_USE_CASES.items()}
            consume(
                runtime,
                clients,
                group="profiles",
                handlers=guarded(by_event, suppressions),
                batch_handlers=guarded_batches(batches, suppressions),
            )
            yield

    app = service_app(settings, title="Rapport profiles", routers=ROUTERS, run=run)
    return app
