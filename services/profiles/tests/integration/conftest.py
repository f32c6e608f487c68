"""profiles served in-process against the real test Kafka and MongoDB, its handlers bound.

The consumer loop is off (``consume_events=False``): a test hands events to the handlers
itself, so it never competes with the e2e platform's ``profiles`` group for records.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
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
from rapport.mongo import Database
from rapport.settings import Environment
from rapport.testing import read_topic

SECRET = "profiles-test-secret-0123456789"


@dataclass
class Served:
    http: httpx.AsyncClient
    services: Services
    kafka: str

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

        records = await read_topic(self.kafka, "crm.profiles", until=lambda rs: until(mine(rs)))
        return mine(records)


@pytest.fixture
async def served(mongo_db: Database, kafka_bootstrap: str, mongo_url: str) -> AsyncIterator[Served]:
    settings = ProfilesSettings(
        environment=Environment.TEST,
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        mongo_db=mongo_db.name,
        auth_secret=SECRET,
        consume_events=False,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://profiles") as http:
            yield Served(http, app.state.services, kafka_bootstrap)
