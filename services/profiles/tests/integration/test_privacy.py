"""GDPR export and erasure of profiles' part, through the real database and broker."""

import json
from typing import Any
from uuid import UUID

import pytest

from profiles.adapters.personal_data import MongoPrivacy
from profiles.handlers import on_mention_ingested, on_privacy_completed
from profiles.ports import profile_id_for
from rapport.events import Author, MentionIngested, PrivacyCompleted, PrivacyRequested
from rapport.events.codec import decode
from rapport.events.factories import a_mention
from rapport.exports.store import export_store
from rapport.mongo import Database
from rapport.privacy import PRIVACY_TOPIC, privacy_outbox_handler
from rapport.testing import read_topic, unique

pytestmark = pytest.mark.integration


async def person(served: Any) -> tuple[str, str, str]:
    """A person who posted twice and whose email the CRM linked: (profile id, author, handle)."""
    author, handle = unique("a"), unique("handle").replace("-", "_")
    for n in (1, 2):
        text = f"secret words {handle}"
        mention = a_mention(n, author=author, text=text, external_id=unique("m")).model_copy(
            update={"author": Author(id=author, handle=handle, display_name="Jo Doe")}
        )
        await served.handle(on_mention_ingested, MentionIngested.of(mention))
    profile_id = str(profile_id_for(f"x:{author}"))
    linked = await served.http.post(
        f"/v1/profiles/{profile_id}/identities",
        json={"kind": "email", "value": f"{handle}@example.com"},
        headers=served.token("integration"),
    )
    assert linked.status_code == 201
    return profile_id, author, handle


async def request(served: Any, profile_id: str, kind: str) -> str:
    response = await served.http.post(
        "/v1/privacy/requests",
        json={"profile_id": profile_id, "kind": kind},
        headers=served.token("privacy"),
    )
    assert response.status_code == 202, response.text
    return str(response.json()["request_id"])


async def on_topic(served: Any, request_id: str, event_type: type[Any]) -> Any:
    return (await published(served, request_id, event_type))[0]


async def published(served: Any, request_id: str, event_type: type[Any], least: int = 1) -> Any:
    """The request's events of ``event_type`` on the stand-in topic, once there are ``least``."""

    def found(records: list[Any]) -> list[Any]:
        events = [decode(r.value, (PrivacyRequested, PrivacyCompleted)) for r in records]
        return [
            e
            for e in events
            if isinstance(e, event_type) and str(e.payload.request_id) == request_id
        ]

    topic = served.topics[PRIVACY_TOPIC]
    records = await read_topic(
        served.kafka, topic, until=lambda rs: len(found(rs)) >= least, timeout_s=60
    )
    return found(records)


async def answer_own_request(served: Any, request_id: str) -> Any:
    """What the consumer does: profiles answers its own request, then records the answer."""
    requested = await on_topic(served, request_id, PrivacyRequested)
    s = served.services
    exports = export_store(served.db, served.settings)
    await privacy_outbox_handler("profiles", MongoPrivacy(served.db), served.db, exports)(requested)
    completed = await on_topic(served, request_id, PrivacyCompleted)
    await on_privacy_completed(completed, requests=s.privacy)
    state = await served.http.get(
        f"/v1/privacy/requests/{request_id}", headers=served.token("privacy")
    )
    assert state.status_code == 200
    return requested, state.json()


async def everything(mongo_db: Database) -> str:
    docs = []
    for name in await mongo_db.list_collection_names():
        docs += await mongo_db[name].find().to_list()
    return repr(docs)


async def test_an_export_announces_every_id_and_identity_and_serves_profiles_part(
    served: Any,
) -> None:
    profile_id, author, handle = await person(served)
    request_id = await request(served, profile_id, "export")
    requested, state = await answer_own_request(served, request_id)
    assert requested.payload.profile_ids == [UUID(profile_id)]
    assert [(i.platform, i.author_id) for i in requested.payload.identities] == [("x", author)]
    assert [c["service"] for c in state["confirmed"]] == ["profiles"]
    assert state["pending"] == ["ingest", "responder", "loyalty"]
    assert not state["complete"]
    (answer,) = [a for a in state["services"] if a["service"] == "profiles"]
    assert answer["export_path"] == f"/v1/privacy/exports/{request_id}"
    fetched = await served.http.get(answer["export_path"], headers=served.token("privacy"))
    assert fetched.status_code == 200, fetched.text
    part = fetched.json()["parts"]
    assert len(part["history"]) == 2
    assert handle in json.dumps(part["profiles"])
    assert handle not in state_text(state)


def state_text(state: dict[str, Any]) -> str:
    return json.dumps(state)


async def test_an_erasure_leaves_no_identifier_of_the_person(
    served: Any, mongo_db: Database
) -> None:
    profile_id, author, handle = await person(served)
    survivor, _, _ = await person(served)
    merged = await served.http.post(
        f"/v1/profiles/{survivor}/merge",
        json={"profile_ids": [profile_id], "reason": "same"},
        headers=served.token("supervisor"),
    )
    assert merged.status_code == 200
    pending = await served.http.post(
        f"/v1/profiles/{survivor}/link-requests",
        json={"kind": "email", "value": "pending.jo@example.com"},
        headers=served.token("agent"),
    )
    assert pending.status_code == 202  # a link the customer has not confirmed yet goes too
    assert author in await everything(mongo_db)
    request_id = await request(served, profile_id, "erase")
    requested, state = await answer_own_request(served, request_id)
    assert set(requested.payload.profile_ids) == {UUID(profile_id), UUID(survivor)}
    stored = await everything(mongo_db)
    for identifier in (author, handle, "Jo Doe", "secret words", "@example.com"):
        assert identifier not in stored
    assert [c["service"] for c in state["confirmed"]] == ["profiles"]
    assert state["confirmed"][0]["documents"] > 0
    gone = await served.http.get(f"/v1/profiles/{profile_id}", headers=served.token("agent"))
    assert gone.status_code == 404


async def test_a_redelivered_confirmation_is_recorded_once(served: Any) -> None:
    profile_id, _, _ = await person(served)
    request_id = await request(served, profile_id, "erase")
    _, _ = await answer_own_request(served, request_id)
    completed = await on_topic(served, request_id, PrivacyCompleted)
    await on_privacy_completed(completed, requests=served.services.privacy)
    state = await served.http.get(
        f"/v1/privacy/requests/{request_id}", headers=served.token("privacy")
    )
    assert len(state.json()["confirmed"]) == 1


NOBODY = str(profile_id_for("x:nobody"))


@pytest.mark.parametrize(
    ("body", "scope", "status"),
    [
        ({"profile_id": NOBODY, "kind": "erase"}, "privacy", 404),
        ({"profile_id": NOBODY, "kind": "forget"}, "privacy", 422),
        ({"profile_id": "not-a-uuid", "kind": "erase"}, "privacy", 422),
        ({"profile_id": NOBODY, "kind": "erase", "why": "x"}, "privacy", 422),
        ({"profile_id": NOBODY, "kind": "erase"}, "agent", 403),
    ],
)
async def test_bad_privacy_requests_get_4xx_and_record_nothing(
    served: Any, mongo_db: Database, body: dict[str, Any], scope: str, status: int
) -> None:
    response = await served.http.post(
        "/v1/privacy/requests", json=body, headers=served.token(scope)
    )
    assert response.status_code == status
    assert await mongo_db["privacy_requests"].count_documents({}) == 0


async def test_an_unknown_request_is_404(served: Any) -> None:
    missing = await served.http.get(
        f"/v1/privacy/requests/{NOBODY}", headers=served.token("privacy")
    )
    assert missing.status_code == 404
