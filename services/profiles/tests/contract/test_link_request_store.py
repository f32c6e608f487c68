"""``LinkRequestStore``'s contract, on the fake and on MongoDB: a code opens its request once,
until it expires."""

from datetime import timedelta
from uuid import UUID

import pytest

from profiles.domain.identities import identity

from .conftest import Backend

pytestmark = pytest.mark.integration
PROFILE = UUID(int=1)


async def test_a_code_gives_its_request_once(backend: Backend) -> None:
    requests, now = backend.ports.link_requests, backend.clock()
    jo = identity("email", "Jo@Example.com", at=now, source="customer")
    code = await requests.open(PROFILE, jo, expires_at=now + timedelta(hours=1))

    assert await requests.take(code, now=now) == (PROFILE, jo)
    assert await requests.take(code, now=now) is None


async def test_an_expired_or_unknown_code_gives_nothing(backend: Backend) -> None:
    requests, now = backend.ports.link_requests, backend.clock()
    jo = identity("email", "jo@example.com", at=now, source="customer")
    expires_at = now + timedelta(hours=1)
    code = await requests.open(PROFILE, jo, expires_at=expires_at)

    assert await requests.take(code, now=expires_at) is None
    assert await requests.take("not-a-code-anyone-was-given", now=now) is None
