"""A privacy request's deadline and retries, through the real database and broker: a service
that does not answer shows as late, is asked again (only it) until it answers, and the request
completes when the retry reaches it; the overdue and pending gauges say so meanwhile."""

from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from profiles.handlers import on_privacy_completed
from rapport import outbox
from rapport.events import PrivacyCompleted, PrivacyRequest, PrivacyRequested
from rapport.events.codec import decode
from rapport.exports.store import export_store
from rapport.mongo import Database, Document
from rapport.privacy import privacy_outbox_handler
from rapport.testing import eventually
from services.profiles.tests.integration.test_privacy import person, published, request

pytestmark = pytest.mark.integration
WAIT_S = 60.0


@pytest.fixture
def profiles_settings() -> dict[str, Any]:
    return {
        "privacy_services": ["ghost"],
        "privacy_deadline_s": 1.0,
        "privacy_retry_first_s": 0.3,
        "privacy_retry_max_s": 0.6,
        "privacy_retry_poll_s": 0.1,
    }


class Ghost:
    """The service that was away: it holds one document about everyone."""

    async def export(self, request: PrivacyRequest) -> dict[str, list[Document]]:
        return {"notes": [{"profile_id": str(request.profile_id)}]}

    async def erase(self, request: PrivacyRequest) -> int:
        return 0


async def state(served: Any, request_id: str) -> dict[str, Any]:
    response = await served.http.get(
        f"/v1/privacy/requests/{request_id}", headers=served.token("privacy")
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def overdue(service: str) -> float:
    value = REGISTRY.get_sample_value("rapport_privacy_requests_overdue", {"service": service})
    return value or 0.0


def pending(service: str) -> float:
    value = REGISTRY.get_sample_value("rapport_privacy_requests_pending", {"service": service})
    return value or 0.0


async def test_a_service_away_shows_late_and_answers_the_retry_when_back(
    served: Any, mongo_db: Database
) -> None:
    profile_id, _, _ = await person(served)
    request_id = await request(served, profile_id, "export")

    async def late() -> dict[str, Any] | None:
        found = await state(served, request_id)
        return found if found["late"] == ["ghost"] and found["attempts"] >= 3 else None

    seen = await eventually(late, timeout_s=WAIT_S)
    assert (seen["complete"], seen["pending"]) == (False, ["ghost"])
    assert seen["services"] == [{**seen["services"][0], "service": "ghost", "state": "late"}]
    assert datetime.fromisoformat(seen["deadline_at"]) > datetime.fromisoformat(
        seen["requested_at"]
    )
    await eventually(lambda: overdue("ghost") >= 1, timeout_s=WAIT_S)
    assert pending("ghost") >= 1
    first, *again = await published(served, request_id, PrivacyRequested, least=3)
    assert first.payload.services == []
    assert {tuple(a.payload.services) for a in again} == {("ghost",)}
    assert len({first.event_id, *(a.event_id for a in again)}) == 1 + len(again)

    back_at = datetime.now(UTC)  # the ghost's consumer starts: it sees only what comes next
    retries = await published(served, request_id, PrivacyRequested, least=len(again) + 2)
    retry = next(a for a in retries if a.occurred_at > back_at)
    exports = export_store(mongo_db, served.settings)
    await privacy_outbox_handler("ghost", Ghost(), mongo_db, exports)(retry)
    row = await mongo_db[outbox.COLLECTION].find_one({"event_type": "privacy.completed"})
    assert row is not None
    answer = decode(bytes(row["value"]), (PrivacyCompleted,))
    assert isinstance(answer, PrivacyCompleted)
    await on_privacy_completed(answer, requests=served.services.privacy)

    done = await state(served, request_id)
    assert (done["complete"], done["late"], done["pending"]) == (True, [], [])
    (ghost,) = done["services"]
    assert (ghost["state"], ghost["documents"]) == ("confirmed", 1)
    assert ghost["export_path"] == f"/v1/privacy/exports/{request_id}"
    attempts = done["attempts"]
    await eventually(lambda: overdue("ghost") == 0, timeout_s=WAIT_S)
    await eventually(lambda: pending("ghost") == 0, timeout_s=WAIT_S)
    assert (await state(served, request_id))["attempts"] == attempts  # no more retries
    record = await mongo_db["privacy_requests"].find_one({"_id": answer.payload.request_id})
    assert record is not None
    assert "announcement" not in record  # the sealed identities go once all answered


async def test_the_sealed_announcement_names_nobody_in_clear(
    served: Any, mongo_db: Database
) -> None:
    profile_id, author, handle = await person(served)
    await request(served, profile_id, "erase")
    (record,) = await mongo_db["privacy_requests"].find().to_list()
    assert author not in repr(record)
    assert handle not in repr(record)
    assert set(record["announcement"]) == {"key_id", "nonce", "ciphertext"}
