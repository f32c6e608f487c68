"""profiles served in-process against the real test Kafka and MongoDB, its handlers bound.

The consumer loop is off (``consume_events=False``): a test hands events to the handlers
itself, so it never competes with the e2e platform's ``profiles`` group for records. What it
publishes goes to fresh topics of the test's own (``Served.topics``), never to the platform's,
whose consumers would otherwise receive the tests' made-up events.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import httpx
import pytest

from profiles.api.deps import Services
from profiles.main import create_app
from profiles.settings import ProfilesSettings
from rapport.auth import issue_token
from rapport.events import Event, ProfileChanged
from rapport.events.codec import decode
from rapport.kafka.producer import Publish
from rapport.migrate import migrate
from rapport.mongo import Database
from rapport.settings import Environment
from rapport.testing import read_topic

SECRET = "profiles-test-secret-0123456789"


PUBLISHED = ("social.mentions.enriched", "crm.profiles", "privacy.requests")


@dataclass
class Served:
    http: httpx.AsyncClient
    services: Services
    kafka: str
    topics: dict[str, str]
    """The platform's topic -> the test's own topic that stands in for it."""

    def token(self, *scopes: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(SECRET, 'test', scopes)}"}

    async def handle(self, handler: Callable[..., Any], event: Event) -> None:
        s = self.services
        await handler(event, profiles=s.profiles, publish=s.publish, rules=s.rules, clock=s.clock)

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


def redirected(publish: Publish, topics: dict[str, str]) -> Publish:
    async def send(messages: Sequence[tuple[str, str, Event]]) -> None:
        await publish([(topics[topic], key, event) for topic, key, event in messages])

    return send


@pytest.fixture
async def served(
    mongo_db: Database,
    kafka_bootstrap: str,
    mongo_url: str,
    new_topic: Callable[[], Awaitable[str]],
) -> AsyncIterator[Served]:
    topics = {name: await new_topic() for name in PUBLISHED}
    settings = ProfilesSettings(
        environment=Environment.TEST,
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        mongo_db=mongo_db.name,
        auth_secret=SECRET,
        consume_events=False,
    )
    await migrate(settings)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://profiles") as http:
            services: Services = app.state.services
            app.state.services = replace(services, publish=redirected(services.publish, topics))
            yield Served(http, app.state.services, kafka_bootstrap, topics)
