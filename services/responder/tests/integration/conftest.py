"""responder's stores on the real test MongoDB (and Kafka, for the app-level tests).

``serve`` runs the whole app in-process with its consumer loop and its outbox relay off
(``consume_events=False``, ``relay_outbox=False``): a test hands events to the handlers itself
and reads what would be published from the outbox, so it never joins the platform's
``responder`` group on the platform's topics nor publishes made-up events to them."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from pymongo import AsyncMongoClient

from rapport.events import MentionEnriched, ProfileSnapshot, RelationshipStage
from rapport.events.factories import BASE_TIME, ingested
from rapport.migrate import migrate
from rapport.mongo import Database, ensure_indexes
from rapport.settings import Environment
from rapport.testing import Mailbox, MongoCommands, MovableClock, receiving_mail, token_keys
from responder.domain.priority import Weights
from responder.domain.spikes import SpikeRule
from responder.main import create_app, mongo_ports
from responder.migrations import INDEXES
from responder.ports import Ports
from responder.settings import ResponderSettings

from .slack_stub import SlackStub
from .stub_platform import StubPlatform, serving

ALICE = UUID(int=1)
BRAND_X, PAGE = "1001", "2002"
X_TOKEN, X_REFRESH, PAGE_TOKEN = "x-access-1", "x-refresh-1", "page-token-1"


@pytest.fixture
def stub() -> StubPlatform:
    """The platforms' stub, knowing the brand's X token (and its refresh token) and page token."""
    return StubPlatform(
        tokens={X_TOKEN: BRAND_X, PAGE_TOKEN: PAGE},
        refresh_tokens={X_REFRESH: BRAND_X},
        usernames={PAGE: "acme"},
    )


@pytest.fixture
def stub_url(stub: StubPlatform) -> Iterator[str]:
    with serving(stub) as url:
        yield url


@pytest.fixture
def slack() -> SlackStub:
    return SlackStub()


@pytest.fixture
def slack_url(slack: SlackStub) -> Iterator[str]:
    with serving(slack) as url:
        yield url


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with receiving_mail() as box:
        yield box


Clock = MovableClock


@pytest.fixture
def clock() -> Clock:
    return Clock(BASE_TIME + timedelta(hours=1))


@pytest.fixture
async def ports(mongo_db: Database, clock: Clock) -> Ports:
    return await ports_on(mongo_db, clock)


async def ports_on(db: Database, clock: Clock) -> Ports:
    """responder's ports on ``db`` (its indexes made), as the tests configure it."""
    await ensure_indexes(db, INDEXES)
    return replace(
        mongo_ports(db, ResponderSettings(), clock),
        weights=Weights(),
        reopen_window=timedelta(hours=72),
        spikes=SpikeRule(min_volume=10),
    )


@pytest.fixture
async def counted(
    mongo_db: Database, mongo_url: str
) -> AsyncIterator[tuple[Database, MongoCommands]]:
    """The test's database through a client that counts commands per collection."""
    counter = MongoCommands(per_collection=True)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        mongo_url, tz_aware=True, uuidRepresentation="standard", event_listeners=[counter]
    )
    yield client[mongo_db.name], counter
    await client.close()


def enriched(
    n: int,
    *,
    profile_id: UUID = ALICE,
    stage: RelationshipStage = RelationshipStage.CASUAL_COMMENTER,
    **mention: Any,
) -> MentionEnriched:
    """Mention ``n`` (created BASE_TIME + n minutes) of a customer with the given profile."""
    snapshot = ProfileSnapshot(
        profile_id=profile_id,
        stage=stage,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME,
    )
    return MentionEnriched.of(ingested(n, **mention), snapshot)


async def events_of(db: Database, case_id: UUID) -> list[dict[str, Any]]:
    """The case.changed events of a case stored for publication, in sequence order."""
    from rapport.events import CaseChanged

    docs = await db["outbox"].find({"topic": "care.cases"}).to_list()
    changes = [CaseChanged.model_validate_json(bytes(d["value"])).payload for d in docs]
    mine = sorted((c for c in changes if c.case_id == case_id), key=lambda c: c.sequence)
    return [c.model_dump() for c in mine]


Serve = Callable[..., AbstractAsyncContextManager[tuple[Any, httpx.AsyncClient]]]


@pytest.fixture
def serve(mongo_db: Database, kafka_bootstrap: str, mongo_url: str) -> Serve:
    """``async with serve(clock, **settings) as (app, http)``: responder running in-process."""

    @asynccontextmanager
    async def serving(
        clock: Callable[[], datetime], **overrides: Any
    ) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
        settings = ResponderSettings(
            environment=Environment.TEST,
            kafka_bootstrap=kafka_bootstrap,
            mongo_url=mongo_url,
            mongo_db=mongo_db.name,
            auth_jwks=token_keys().auth_jwks,
            consume_events=False,
            relay_outbox=False,
            **overrides,
        )
        await migrate(settings)
        app = create_app(settings, clock=clock)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://responder") as h:
                yield app, h

    return serving


def token(subject: str, *scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_keys().token(*scopes, subject=subject)}"}
