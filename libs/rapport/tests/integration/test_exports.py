"""A service's stored export parts against the real MongoDB, fetched through the shared router
of a real service app: ciphertext at rest, the privacy scope only, audited, expiring."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import httpx
import pytest

from libs.rapport.tests.integration.test_privacy_outbox import Held
from rapport import outbox
from rapport.clock import Clock, ManualClock
from rapport.events import PrivacyCompleted, PrivacyRequest, PrivacyRequested
from rapport.events.codec import decode
from rapport.exports import store as exports
from rapport.exports.store import ExportStore, export_keys, export_store
from rapport.mongo import Database, ensure_indexes
from rapport.privacy import privacy_outbox_handler
from rapport.service import service_app
from rapport.settings import Environment, RapportSettings
from rapport.testing import eventually, no_run, token_keys

pytestmark = pytest.mark.integration
SECRET = "jo.private@example.com"


@dataclass
class Served:
    http: httpx.AsyncClient
    db: Database
    settings: RapportSettings

    def store(self, clock: Clock | None = None) -> ExportStore:
        found = export_store(self.db, self.settings)
        if clock is not None:
            found = ExportStore(
                self.db, export_keys(self.settings), ttl=timedelta(days=30), clock=clock
            )
        return found


@pytest.fixture
async def served(mongo_url: str, mongo_db: Database, kafka_bootstrap: str) -> AsyncIterator[Served]:
    await ensure_indexes(mongo_db, {**exports.INDEXES, outbox.COLLECTION: outbox.INDEXES})
    settings = RapportSettings(
        service_name="responder",
        environment=Environment.TEST,
        kafka_bootstrap=kafka_bootstrap,
        mongo_url=mongo_url,
        mongo_db=mongo_db.name,
        auth_jwks=token_keys().auth_jwks,
    )
    app = service_app(settings, title="t", routers=[], run=no_run)
    async with app.router.lifespan_context(app):
        await eventually(lambda: app.state.export_store.swept_at, timeout_s=60)  # its first sweep
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://responder") as http:
            yield Served(http, mongo_db, settings)


def request(kind: str, person: UUID) -> PrivacyRequest:
    return PrivacyRequest.model_validate(
        {
            "request_id": uuid4(),
            "kind": kind,
            "profile_id": person,
            "requested_at": datetime.now(UTC),
        }
    )


async def exported(served: Served) -> tuple[PrivacyRequest, PrivacyCompleted]:
    """A person's two cases exported by the service's privacy handler; its answer."""
    person = uuid4()
    await served.db["cases"].insert_many(
        [{"_id": uuid4(), "profile_id": person, "email": SECRET} for _ in range(2)]
    )
    asked = request("export", person)
    handle = privacy_outbox_handler("responder", Held(served.db), served.db, served.store())
    await handle(PrivacyRequested.of(asked))
    row = await served.db[outbox.COLLECTION].find_one({"key": str(person)})
    assert row is not None
    answer = decode(bytes(row["value"]), (PrivacyCompleted,))
    assert isinstance(answer, PrivacyCompleted)
    return asked, answer


def officer(scope: str = "privacy", subject: str = "dpo-anna") -> dict[str, str]:
    return token_keys().bearer(scope, subject=subject, audience=["responder"])


async def test_the_answer_says_where_to_fetch_and_the_stored_part_is_ciphertext(
    served: Served,
) -> None:
    asked, answer = await exported(served)

    assert (answer.payload.documents, answer.payload.export_path) == (
        2,
        f"/v1/privacy/exports/{asked.request_id}",
    )
    assert SECRET not in answer.model_dump_json()
    raw = await served.db[exports.EXPORTS].find_one({"_id": asked.request_id})
    assert raw is not None
    assert raw["key_id"] == "test"
    assert len(raw["nonce"]) == 12
    assert SECRET.encode() not in raw["ciphertext"]
    assert SECRET not in repr(raw)
    assert raw["expires_at"] - raw["created_at"] == timedelta(days=30)


async def test_the_officer_fetches_the_part_decrypted_and_the_fetch_is_audited(
    served: Served,
) -> None:
    asked, _ = await exported(served)

    response = await served.http.get(f"/v1/privacy/exports/{asked.request_id}", headers=officer())

    assert response.status_code == 200, response.text
    part = response.json()
    assert (part["service"], part["documents"]) == ("responder", 2)
    assert [c["email"] for c in part["parts"]["cases"]] == [SECRET, SECRET]
    (audit,) = await served.store().fetches(asked.request_id)
    assert (audit["by"], audit["service"]) == ("dpo-anna", "responder")
    assert datetime.now(UTC) - audit["at"] < timedelta(minutes=5)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
        (officer("agent"), 403),
        (officer("operations"), 403),
        (officer("supervisor"), 403),
    ],
)
async def test_nobody_without_the_privacy_scope_gets_the_part(
    served: Served, headers: dict[str, str], status: int
) -> None:
    asked, _ = await exported(served)
    response = await served.http.get(f"/v1/privacy/exports/{asked.request_id}", headers=headers)
    assert response.status_code == status
    assert SECRET not in response.text
    assert await served.store().fetches(asked.request_id) == []


@pytest.mark.parametrize(
    ("request_id", "status", "reason"),
    [
        ("not-a-uuid", 422, "uuid"),
        ("1" * 300, 422, "uuid"),
        (str(uuid4()), 404, "no export"),
    ],
)
async def test_bad_or_unknown_request_ids_get_a_clear_4xx(
    served: Served, request_id: str, status: int, reason: str
) -> None:
    response = await served.http.get(f"/v1/privacy/exports/{request_id}", headers=officer())
    assert response.status_code == status
    assert reason in response.text.lower()


async def test_an_expired_export_is_refused_and_swept(served: Served) -> None:
    asked = request("export", uuid4())
    long_ago = datetime.now(UTC) - timedelta(days=31)
    await served.store(clock=ManualClock(long_ago)).put(
        asked, "responder", {"cases": [{"n": SECRET}]}
    )
    fresh, _ = await exported(served)

    response = await served.http.get(f"/v1/privacy/exports/{asked.request_id}", headers=officer())
    assert response.status_code == 410
    assert "expired" in response.json()["detail"]

    assert await served.store().sweep() == 1
    assert await served.db[exports.EXPORTS].distinct("_id") == [fresh.request_id]


async def test_a_redelivered_export_request_keeps_the_part_stored_first(served: Served) -> None:
    asked, _ = await exported(served)
    before = await served.db[exports.EXPORTS].find_one({"_id": asked.request_id})
    handle = privacy_outbox_handler("responder", Held(served.db), served.db, served.store())
    await handle(PrivacyRequested.of(asked))
    after = await served.db[exports.EXPORTS].find_one({"_id": asked.request_id})
    assert before == after


async def test_the_persons_erasure_deletes_their_stored_exports(served: Served) -> None:
    asked, _ = await exported(served)
    other, _ = await exported(served)
    erase = request("erase", asked.profile_id)
    handle = privacy_outbox_handler("responder", Held(served.db), served.db, served.store())
    await handle(PrivacyRequested.of(erase))
    assert await served.db[exports.EXPORTS].distinct("_id") == [other.request_id]
    response = await served.http.get(f"/v1/privacy/exports/{asked.request_id}", headers=officer())
    assert response.status_code == 404
