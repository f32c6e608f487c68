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
from responder import console
from responder.adapters.account_store import MongoAccounts
from responder.adapters.agent_store import MongoAgents
from responder.adapters.alert_store import MongoAlerts
from responder.adapters.brand_health_store import MongoBrandHealth
from responder.adapters.case_store import MongoCases
from responder.adapters.config_store import MongoPolicies, MongoRoutingRules
from responder.adapters.connector_client import ConnectorClient
from responder.adapters.inbox_reads import MongoInbox
from responder.adapters.macro_store import MongoMacros
from responder.adapters.note_store import MongoNotes
from responder.adapters.personal_data import ResponderPersonalData
from responder.adapters.profile_store import MongoProfiles
from responder.adapters.reply_store import MongoReplies
from responder.adapters.timeline_store import MongoTimeline
from responder.adapters.unit_of_work import MongoUnitOfWork
from responder.adapters.viewer_store import MongoViewers
from responder.api import (
    accounts,
    alerts,
    cases,
    config,
    customers,
    dashboard,
    deliveries,
    insight,
    macros,
    notes,
    notifications,
    presence,
    tags,
)
from responder.connectors.meta import MetaConnector
from responder.connectors.platforms import PlatformConnectors
from responder.connectors.x import XConnector
from responder.domain.retries import Retries
from responder.handlers import Handler, batch_handlers, event_handlers
from responder.migrations import INDEXES
from responder.notifications.adapters.delivery_store import MongoDeliveries
from responder.notifications.adapters.notice_source import StoredNotices
from responder.notifications.adapters.route_store import MongoRoutes
from responder.notifications.adapters.sealing import Sealer
from responder.notifications.adapters.smtp_mail import SmtpMail
from responder.notifications.adapters.webhook import SlackWebhooks
from responder.notifications.domain.routes import RouteIn
from responder.ports import AccountStore, Clock, Connector, Ports
from responder.settings import ResponderSettings
from responder.use_cases.brand_gauges import brand_gauges
from responder.workers import Notifications, Notifier, ReplySender, Scanner


def mongo_ports(
    db: Database, settings: ResponderSettings, clock: Clock, relay: OutboxRelay | None = None
) -> Ports:
    """The use cases' ports on MongoDB; ``relay`` is woken when a case change commits."""
    return Ports(
        cases=MongoCases(db),
        timeline=MongoTimeline(db),
        profiles=MongoProfiles(db),
        agents=MongoAgents(db),
        routing_rules=MongoRoutingRules(db),
        policies=MongoPolicies(db),
        uow=MongoUnitOfWork(db, relay),
        clock=clock,
        weights=settings.priority_weights,
        reopen_window=timedelta(seconds=settings.reopen_window_s),
        spikes=settings.spikes,
        live_window=timedelta(hours=settings.live_window_h),
    )


def connectors(
    settings: ResponderSettings, accounts: AccountStore, http: httpx.AsyncClient, clock: Clock
) -> Connector:
    """X and Meta through their APIs from the brand's accounts; the rest through the webhook."""
    secret = settings.x_client_secret
    x = XConnector(
        http,
        settings.x_api_url,
        accounts,
        clock,
        client_id=settings.x_client_id,
        client_secret=None if secret is None else secret.get_secret_value(),
        refresh_margin=timedelta(seconds=settings.token_refresh_margin_s),
    )
    meta = MetaConnector(http, settings.graph_api_url, accounts, clock)
    webhook = ConnectorClient(settings.connector_endpoints, http)
    return PlatformConnectors(accounts, {"x": x, "facebook": meta, "instagram": meta}, webhook)


def notification_parts(
    db: Database,
    settings: ResponderSettings,
    http: httpx.AsyncClient,
    clock: Clock,
) -> Notifications:
    """Alerts and breaches to the routes' webhooks and mailboxes, URLs sealed at rest."""
    s, sealer = settings, Sealer(settings.account_token_key)
    default = RouteIn(
        webhooks=[url.get_secret_value() for url in s.notify_webhooks], emails=s.notify_emails
    )
    return Notifications(
        source=StoredNotices(db),
        routes=MongoRoutes(db, sealer),
        deliveries=MongoDeliveries(db, sealer),
        channels={"webhook": SlackWebhooks(http, clock), "email": SmtpMail(s)},
        default=default,
        retries=Retries(
            max_attempts=s.notify_max_attempts,
            first_backoff_s=s.notify_first_backoff_s,
            max_backoff_s=s.notify_max_backoff_s,
            lease=timedelta(seconds=s.notify_lease_s),
        ),
        lookback=timedelta(seconds=s.notify_lookback_s),
        batch=s.notify_batch,
    )


def create_app(settings: ResponderSettings | None = None, clock: Clock = utcnow) -> FastAPI:
    settings = settings or ResponderSettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with (
            connected(runtime) as clients,
            httpx.AsyncClient(timeout=settings.connector_timeout_s) as http,
            httpx.AsyncClient(timeout=settings.upstream_timeout_s) as upstream,
            httpx.AsyncClient(timeout=settings.notify_timeout_s) as webhooks,
        ):
            db = clients.db
            await warn_missing_indexes(db, INDEXES)
            relay = OutboxRelay(db, clients.producer, poll_s=0.5)
            ports = mongo_ports(db, settings, clock, relay)
            crises = MongoAlerts(db, relay)
            outgoing = MongoReplies(db)
            retries = Retries(
                max_attempts=settings.reply_max_attempts,
                first_backoff_s=settings.reply_first_backoff_s,
                max_backoff_s=settings.reply_max_backoff_s,
                lease=timedelta(seconds=settings.reply_lease_s),
            )
            brand_accounts = MongoAccounts(
                db, settings.account_token_key, settings.connector_tokens
            )
            sender = ReplySender(
                ports,
                outgoing,
                connectors(settings, brand_accounts, http, clock),
                retries,
                poll_s=settings.reply_poll_s,
            )
            ports = replace(ports, wake_sender=sender.wake)
            health = MongoBrandHealth(db)
            app.state.ports, app.state.alerts, app.state.replies = ports, crises, outgoing
            app.state.health, app.state.upstream = health, upstream
            app.state.accounts = brand_accounts
            app.state.notes, app.state.macros = MongoNotes(db), MongoMacros(db)
            app.state.inbox = MongoInbox(db)
            app.state.viewers = MongoViewers(db, timedelta(seconds=settings.viewer_ttl_s))
            scanner = Scanner(
                ports,
                interval_s=settings.scan_interval_s,
                batch=settings.scan_batch,
                auto_assign=settings.auto_assign,
            )
            suppressions = SuppressionList(db, settings.suppression_pepper)
            personal_data = Suppressing(ResponderPersonalData(db), suppressions)
            handlers: dict[type[Event], Handler] = {
                **event_handlers(ports, crises, health),
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
            notified = notification_parts(db, settings, webhooks, clock)
            app.state.notification_routes = notified.routes
            app.state.notifications = notified.deliveries
            app.state.webhook_rules = settings.webhook_rules
            notifier = Notifier(notified, clock, poll_s=settings.notify_poll_s)
            app.state.notifier = notifier
            runtime.workers.start("notifier", notifier.run(), stop=notifier.stop)
            gauges = brand_gauges(ports, health)
            runtime.workers.start("brand-gauges", gauges.run(), stop=gauges.stop)
            if settings.consume_events:
                batched = guarded_batches(batch_handlers(ports, crises, health), suppressions)
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
        accounts.router,
        config.router,
        insight.router,
        alerts.router,
        dashboard.router,
        customers.router,
        presence.router,
        notes.router,
        tags.router,
        macros.router,
        deliveries.router,
        notifications.router,
    ]
    app = service_app(settings, title="Rapport responder", routers=routers, run=run)
    console.mount(app)
    return app
