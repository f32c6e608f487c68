"""``PrivacyRequestStore``'s contract, on the fake and on MongoDB: a request is recorded and
announced, each service's answer counts once, the last closes it, and a request due again is
announced again once, to the services that have not answered."""

from uuid import UUID, uuid4

import pytest

from rapport.events import PrivacyAnswer, PrivacyRequest, PrivacyRequested
from rapport.privacy import PRIVACY_TOPIC

from .conftest import Backend

pytestmark = pytest.mark.integration
PROFILE = UUID(int=1)
SERVICES = ["profiles", "loyalty"]


async def opened(backend: Backend) -> PrivacyRequest:
    request = PrivacyRequest(
        request_id=uuid4(),
        kind="erase",
        profile_id=PROFILE,
        profile_ids=[PROFILE],
        requested_at=backend.clock(),
    )
    await backend.ports.privacy.open(request, SERVICES)
    return request


def answer(request: PrivacyRequest, service: str, backend: Backend) -> PrivacyAnswer:
    return PrivacyAnswer(
        request_id=request.request_id,
        service=service,
        kind=request.kind,
        profile_id=request.profile_id,
        completed_at=backend.clock(),
        documents=3,
    )


async def announcements(backend: Backend) -> list[PrivacyRequested]:
    published = await backend.published()
    return [e for t, _, e in published if t == PRIVACY_TOPIC and isinstance(e, PrivacyRequested)]


async def test_a_request_is_recorded_and_announced(backend: Backend) -> None:
    request = await opened(backend)

    record = await backend.ports.privacy.request(request.request_id)
    assert record is not None
    assert (record["kind"], record["profile_id"], record["attempts"]) == ("erase", PROFILE, 1)
    assert (record["services"], record["confirmations"]) == (SERVICES, [])
    assert [a.payload.request_id for a in await announcements(backend)] == [request.request_id]
    assert await backend.ports.privacy.pending() == {"profiles": 1, "loyalty": 1}
    assert await backend.ports.privacy.request(uuid4()) is None


async def test_each_answer_counts_once_and_the_last_closes_the_request(backend: Backend) -> None:
    privacy = backend.ports.privacy
    request = await opened(backend)

    await privacy.confirm(answer(request, "profiles", backend))
    await privacy.confirm(answer(request, "profiles", backend))
    record = await privacy.request(request.request_id)
    assert record is not None
    assert [c["service"] for c in record["confirmations"]] == ["profiles"]
    assert await privacy.pending() == {"loyalty": 1}

    await privacy.confirm(answer(request, "loyalty", backend))
    assert await privacy.pending() == {}
    backend.clock.advance(days=2)
    assert await privacy.announce_due(backend.clock()) == 0
    assert await privacy.overdue(backend.clock()) == {}


async def test_a_request_due_again_is_announced_again_once_to_who_has_not_answered(
    backend: Backend,
) -> None:
    privacy = backend.ports.privacy
    request = await opened(backend)
    await privacy.confirm(answer(request, "profiles", backend))

    assert await privacy.announce_due(backend.clock()) == 0
    backend.clock.advance(hours=2)
    assert await privacy.announce_due(backend.clock()) == 1
    assert await privacy.announce_due(backend.clock()) == 0

    first, again = await announcements(backend)
    assert first.payload.services == []
    assert (again.payload.request_id, again.payload.services) == (request.request_id, ["loyalty"])
    record = await privacy.request(request.request_id)
    assert record is not None
    assert (record["attempts"], record["last_attempt_at"]) == (2, backend.clock())
    assert await privacy.overdue(backend.clock()) == {}
    backend.clock.advance(days=1)
    assert await privacy.overdue(backend.clock()) == {"loyalty": 1}
