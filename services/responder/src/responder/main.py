"""responder: gets the right human to answer, fast."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta

import httpx
from fastapi import FastAPI

from rapport.clients import connected, consume
from rapport.clock import utcnow
from rapport.events import Event, PrivacyRequested
from rapport.exports.store import export_store
from rapport.mongo import Database, warn_missing_indexes
from rapport.outbox import OutboxRelay
from rapport.privacy import privacy_outbox_handler
from rapport.service import Runtime, service_app
from rapport.suppression import Suppressing, SuppressionList, guarded, guarded_batches
from responder import console, repository
from responder.api import cases, config, customers, dashboard, insight, presence
from responder.brand_gauges import brand_gauges
from responder.connector import Connector, ReplySender
from responder.desk import Desk
from responder.domain.clock import Clock
from responder.handlers import Handler, batch_handlers, event_handlers
from responder.migrations import INDEXES
from responder.personal import ResponderPersonalData
from responder.scanner import Scanner
from responder.settings import ResponderSettings
from responder.stores import (
    agents,
    alerts,
    brand_health,
    profiles,
    replies,
    rules,
    timeline,
    viewers,
)


def open_desk(
    db: Database, settings: ResponderSettings, clock: Clock, relay: OutboxRelay | None = None
) -> Desk:
    return Desk(
        cases=repository.MongoCases(db, relay),
        timeline=timeline.Timeline(db),
        profiles=profiles.ProfileCache(db),
        agents=agents.Agents(db),
        rules=rules.Rules(db),
        policies=rules.PolicyStore(db),
        clock=clock,
        weights=settings.priority_weights,
        reopen_window=timedelta(seconds=settings.reopen_window_s),
        spikes=settings.spikes,
    )


def create_app(settings: ResponderSettings | None = None, clock: Clock = utcnow) -> FastAPI:
    settings = settings or ResponderSettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with (
            connected(runtime) as clients,
            httpx.AsyncClient(timeout=settings.connector_timeout_s) as http,
            httpx.AsyncClient(timeout=settings.upstream_timeout_s) as upstream,
        ):
            db = clients.db
            await warn_missing_indexes(db, INDEXES)
            relay = OutboxRelay(db, clients.producer, poll_s=0.5)
            desk = open_desk(db, settings, clock, relay)
            crises = alerts.Alerts(db, relay)
            outgoing = replies.Replies(db)
            sender = ReplySender(
                desk,
                outgoing,
                Connector(settings.connector_endpoints, http),
                max_attempts=settings.reply_max_attempts,
                first_backoff_s=settings.reply_first_backoff_s,
                max_backoff_s=settings.reply_max_backoff_s,
                lease_s=settings.reply_lease_s,
                poll_s=settings.reply_poll_s,
            )
            desk = replace(desk, wake_sender=sender.wake)
            health = brand_health.BrandHealth(db)
            app.state.desk, app.state.alerts, app.state.replies = desk, crises, outgoing
            app.state.health, app.state.upstream = health, upstream
            app.state.viewers = viewers.Viewers(db, timedelta(seconds=settings.viewer_ttl_s))
            scanner = Scanner(
                desk,
                interval_s=settings.scan_interval_s,
                batch=settings.scan_batch,
                auto_assign=settings.auto_assign,
            )
            suppressions = SuppressionList(db, settings.suppression_pepper)
            personal_data = Suppressing(ResponderPersonalData(db), suppressions)
            handlers: dict[type[Event], Handler] = {
                **event_handlers(desk, crises, health),
                PrivacyRequested: privacy_outbox_handler(
                    settings.service_name,
                    personal_data,
                    db,
                    export_store(db, settings),
                    relay_now=relay.wake,
                ),
            }
            if settings.relay_outbox:
                runtime.workers.start("outbox-relay", relay.run(), stop=relay.stop)
            runtime.workers.start("reply-sender", sender.run(), stop=sender.stop)
            runtime.workers.start("sla-scanner", scanner.run(), stop=scanner.stop)
            gauges = brand_gauges(desk, health)
            runtime.workers.start("brand-gauges", gauges.run(), stop=gauges.stop)
            if settings.consume_events:
                batched = guarded_batches(batch_handlers(desk, crises, health), suppressions)
                guarded_handlers = guarded(handlers, suppressions)
                consume(
                    runtime,
                    clients,
                    group="responder",
                    handlers=guarded_handlers,
                    batch_handlers=batched,
                )
            yield

    routers = [
        cases.router,
        config.router,
        insight.router,
        dashboard.router,
        customers.router,
        presence.router,
    ]
    app = service_app(settings, title="Rapport responder", routers=routers, run=run)
    console.mount(app)
    return app
