"""loyalty: rewards the people who speak up for the brand."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from loyalty import handlers
from loyalty.api import catalogue, events, held, members
from loyalty.clock import Clock, system_clock
from loyalty.errors import LoyaltyError
from loyalty.privacy import LoyaltyData
from loyalty.repository.indexes import INDEXES, question_ttl
from loyalty.services import Services
from loyalty.settings import LoyaltySettings
from rapport.clients import connected, consume
from rapport.events import (
    CaseChanged,
    Event,
    MentionEnriched,
    PrivacyRequested,
    ProfileChanged,
    ReferralConverted,
)
from rapport.mongo import ensure_indexes
from rapport.privacy import privacy_handler
from rapport.service import Runtime, service_app

ROUTERS = [members.router, held.router, catalogue.router, events.router]


def create_app(settings: LoyaltySettings | None = None, clock: Clock = system_clock) -> FastAPI:
    settings = settings or LoyaltySettings()

    @asynccontextmanager
    async def run(app: FastAPI, runtime: Runtime) -> AsyncIterator[None]:
        async with connected(runtime) as clients:
            await ensure_indexes(clients.db, INDEXES | question_ttl(settings.question_memory_days))
            publish = clients.producer.publish_all
            services = Services.build(clients.db, publish, settings, clock)
            app.state.services = services
            on_mention = partial(
                handlers.on_mention_enriched,
                earner=services.earner,
                members=services.members,
                questions=services.questions,
                clock=clock,
                min_shares=settings.share_min_shares,
                flag_for=timedelta(days=settings.flag_days),
            )
            on_profile = partial(
                handlers.on_profile_changed,
                earner=services.earner,
                members=services.members,
                tiers=services.tiers,
                outreach=services.outreach,
                clock=clock,
            )
            consumed: dict[type[Event], Callable[[Any], Awaitable[None]]] = {
                MentionEnriched: on_mention,
                ProfileChanged: on_profile,
                CaseChanged: partial(handlers.on_case_changed, earner=services.earner),
                ReferralConverted: partial(handlers.on_referral_converted, earner=services.earner),
                PrivacyRequested: privacy_handler("loyalty", LoyaltyData(clients.db), publish),
            }
            consume(runtime, clients, group="loyalty", handlers=consumed)
            sweeper = services.sweeper
            runtime.workers.start("expiry-sweeper", sweeper.run(), stop=sweeper.stop)
            yield

    app = service_app(settings, title="Rapport loyalty", routers=ROUTERS, run=run)
    app.add_exception_handler(LoyaltyError, _loyalty_error)
    return app


async def _loyalty_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, LoyaltyError)
    return JSONResponse({"detail": str(error)}, status_code=error.status_code)
