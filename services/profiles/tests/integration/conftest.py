"""profiles served in-process against the real test Kafka and MongoDB, its handlers bound.

The consumer loop is off (``consume_events=False``): a test hands events to the handlers
itself, so it never competes with the e2e platform's ``profiles`` group for records. The
service's own relay is off too (``relay_outbox=False``): the test's relay publishes what
profiles stores in its outbox to fresh topics of the test's own (``Served.topics``), never to
the platform's, whose consumers would otherwise receive the tests' made-up events.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import httpx
import pytest

from profiles.api.deps import Services
from profiles.main import create_app
from profiles.settings import ProfilesSettings
from rapport.events import Event, ProfileChanged
from rapport.events.codec import decode
from rapport.kafka.producer import EventProducer, OutgoingRecord
from rapport.migrate import migrate
from rapport.mongo import Database
from rapport.outbox import OutboxRelay
from rapport.settings import Environment
from rapport.testing import Mailbox, read_topic, receiving_mail, token_keys

PUBLISHED = ("social.mentions.enriched", "crm.profiles", "privacy.requests")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with receiving_mail() as box:
        yield box


@dataclass
class Served:
    http: httpx.AsyncClient
    services: Services
    db: Database
    kafka: str
    topics: dict[str, str]
    """The platform's topic -> the test's own topic that stands in for it."""
    settings: ProfilesSettings

    def token(self, *scopes: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_keys().token(*scopes, subject='test')}"}

    async def handle(self, handler: Callable[..., Any], event: Event) -> None:
        s = self.services
        await handler(event, profiles=s.profiles, rules=s.rules, clock=s.clock)

    async def announced(
        self, profile_id: UUID, until: Callable[[list[ProfileChanged]], bool]
    ) -> list[ProfileChanged]:
        """The ``crm.profiles`` events keyed by ``profile_id``, read until ``until`` holds."""

        def mine(records: Sequence[Any]) -> list[ProfileChanged]:
            key = str(profile_id).encode()
            found = [decode(r.value, (ProfileChanged,)) for r in records if r.key == key]
            return [e for e in found if isinstance(e, ProfileChanged)]

        records = await read_topic(
            self.kafka, self.topics["crm.profiles"], until=lambda rs: until(mine(rs))
        )
        return mine(records)


class Redirected(EventProducer):
    """Publishes to the test's stand-in for each platform topic."""

    def __init__(self, bootstrap: str, topics: dict[str, str]) -> None:
        super().__init__(bootstrap)
        self._topics = topics

    async def publish_records(self, records: Sequence[OutgoingRecord]) -> None:
        await super().publish_records([replace(r, topic=self._topics[r.topic]) for r in records])


@pytest.fixture
def profiles_settings() -> dict[str, Any]:
    """Settings a test module overrides (override this fixture)."""
    return {}


@pytest.fixture
async def served(
    mongo_db: Database,
    kafka_bootstrap: str,
    mongo_url: str,
    new_topic: Callable[[], Awaitable[str]],
    mailbox: Mailbox,
    profiles_settings: dict[str, Any],
) -> AsyncIterator[Served]:
    topics = {name: await new_topic() for name in PUBLISHED}
    settings = ProfilesSettings(
        environment=Environment.TEST,
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        mongo_db=mongo_db.name,
        auth_jwks=token_keys().auth_jwks,
        consume_events=False,
        relay_outbox=False,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        **profiles_settings,
    )
    await migrate(settings)
    app = create_app(settings)
    producer = Redirected(kafka_bootstrap, topics)
    await producer.start()
    relay = OutboxRelay(mongo_db, producer, poll_s=0.05)
    relaying = asyncio.create_task(relay.run())
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://profiles") as http:
                yield Served(http, app.state.services, mongo_db, kafka_bootstrap, topics, settings)
    finally:
        relay.stop()
        await relaying
        await producer.stop()
