"""profiles: who is speaking."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI

from profiles import handlers
from profiles.api import confirmations as link_requests
from profiles.api import identities, merges, privacy, profiles
from profiles.api.deps import Services
from profiles.code_sender import code_sender
from profiles.confirmations import LinkRequests
from profiles.domain.model import Clock
from profiles.merges import MongoMerges
from profiles.migrations import MIGRATIONS
from profiles.privacy import MongoPrivacy
from profiles.privacy_requests import PrivacyRequests
from profiles.queries import ProfileQueries
from profiles.repository import MongoProfiles
from profiles.settings import ProfilesSettings
from profiles.suppressed import known_identities
from profiles.workers import PrivacyRetries
from rapport.clients import connected, consume
from rapport.clock import utcnow
from rapport.events import (
    CaseChanged,
    Event,
    MentionIngested,
    PrivacyCompleted,
    PrivacyRequested,
    PurchaseMade,
    ReferralConverted,
)
from rapport.exports.store import export_keys, export_store
from rapport.mongo import warn_missing_indexes
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


def create_app(settings: ProfilesSettings | None = None, *, clock: Clock = utcnow) -> FastAPI:
    settings = settings or ProfilesSettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with connected(runtime) as clients:
            await warn_missing_indexes(clients.db, MIGRATIONS.indexes(settings))
            relay = OutboxRelay(clients.db, clients.producer, poll_s=0.5)
            repo = MongoProfiles(clients.db, history_limit=settings.history_limit)
            requests = PrivacyRequests(clients.db, export_keys(settings), settings.schedule)
            app.state.services = Services(
                profiles=repo,
                queries=ProfileQueries(clients.db),
                merges=MongoMerges(clients.db),
                link_requests=LinkRequests(clients.db),
                codes=code_sender(settings),
                privacy=requests,
                relay_now=relay.wake,
                rules=settings.rules,
                clock=clock,
                privacy_services=tuple(settings.privacy_services),
                link_import_max_rows=settings.link_import_max_rows,
            )
            if settings.relay_outbox:
                runtime.workers.start("outbox-relay", relay.run(), stop=relay.stop)
            retries = PrivacyRetries(
                requests,
                tuple(settings.privacy_services),
                clock=clock,
                interval_s=settings.privacy_retry_poll_s,
                relay_now=relay.wake,
            )
            runtime.workers.start("privacy-retries", retries.run(), stop=retries.stop)

            def bind(handler: Callable[..., Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
                async def handle(event: Any) -> None:
                    await handler(event, profiles=repo, rules=settings.rules, clock=clock)
                    relay.wake()

                return handle

            if not settings.consume_events:
                yield
                return
            suppressions = SuppressionList(clients.db, settings.suppression_pepper)
            personal_data = Suppressing(
                MongoPrivacy(clients.db), suppressions, known_identities(clients.db)
            )
            by_event: dict[type[Event], Callable[[Any], Awaitable[None]]] = {
                MentionIngested: bind(handlers.on_mention_ingested),
                PurchaseMade: bind(handlers.on_commerce_event),
                ReferralConverted: bind(handlers.on_commerce_event),
                CaseChanged: bind(handlers.on_case_changed),
                PrivacyRequested: privacy_outbox_handler(
                    settings.service_name,
                    personal_data,
                    clients.db,
                    export_store(clients.db, settings),
                    relay_now=relay.wake,
                ),
                PrivacyCompleted: partial(handlers.on_privacy_completed, requests=requests),
            }
            consume(
                runtime,
                clients,
                group="profiles",
                handlers=guarded(by_event, suppressions),
                batch_handlers=guarded_batches(
                    {
                        MentionIngested: bind(handlers.on_mentions_ingested),
                        CaseChanged: bind(handlers.on_cases_changed),
                    },
                    suppressions,
                ),
            )
            yield

    app = service_app(settings, title="Rapport profiles", routers=ROUTERS, run=run)
    return app
