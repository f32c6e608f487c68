"""GDPR across the platform, through profiles' API: an export is stored encrypted by each service
and fetched from each by the privacy officer, never carried on a topic; an erasure leaves no
document naming the person (author id, handle or profile id) in any service's database, their
stored exports included; a service away during a request shows as late and answers a retry
once back. Kept: the request records themselves (id, kind, profile id, who confirmed)."""

from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

import httpx
import pytest

from rapport.mongo import Database
from rapport.privacy import PRIVACY_TOPIC
from rapport.testing import eventually, read_topic, unique
from tests.support import (
    SERVICES,
    WAIT_S,
    Platform,
    mention,
    negative,
    positive,
    profile_id,
    start_at_the_end,
)

pytestmark = pytest.mark.e2e
KEPT = {("profiles", "privacy_requests")}
"""Collections allowed to name the person's profile id after an erasure; and each service's
answer to the erasure, in its outbox until published and expired (``privacy_answer``)."""
RETRYING = {
    "RAPPORT_PRIVACY_DEADLINE_S": "5",
    "RAPPORT_PRIVACY_RETRY_FIRST_S": "1",
    "RAPPORT_PRIVACY_RETRY_MAX_S": "2",
    "RAPPORT_PRIVACY_RETRY_POLL_S": "0.5",
}
"""profiles asking again within seconds, so a test sees a service turn late and be retried."""


def privacy_answer(name: str, doc: dict[str, Any]) -> bool:
    return name == "outbox" and doc.get("event_type") == "privacy.completed"


async def holding(
    dbs: dict[str, Database], *needles: str, skip: Any = lambda name, doc: False
) -> list[str]:
    """Every service.collection:_id whose document names one of ``needles``."""
    found = []
    for service in SERVICES:
        db = dbs[service]
        for name in await db.list_collection_names():
            async for doc in db[name].find():
                text = repr(doc)
                if any(needle in text for needle in needles) and not skip(name, doc):
                    found.append(f"{service}.{name}:{doc['_id']}")
    return found


async def someone(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> tuple[str, list[str]]:
    """A person every service knows (a complaint: a case; praise: points); what they wrote."""
    author = unique("gdpr")
    texts = [negative(), positive()]
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        json={"mentions": [mention(unique("m"), author, text) for text in texts]},
        headers=platform.token("integration"),
    )
    assert response.status_code == 202
    await eventually(partial(everywhere, dbs, profile_id(author)), timeout_s=WAIT_S)
    return author, texts


async def open_request(http: httpx.AsyncClient, platform: Platform, person: UUID, kind: str) -> str:
    response = await http.post(
        f"{platform.url('profiles')}/v1/privacy/requests",
        json={"profile_id": str(person), "kind": kind},
        headers=platform.token("privacy"),
    )
    assert response.status_code == 202, response.text
    return f"{platform.url('profiles')}/v1/privacy/requests/{response.json()['request_id']}"


async def everywhere(dbs: dict[str, Database], person: UUID) -> bool:
    """Whether every service knows the person: a profile, a case, a member."""
    return (
        await dbs["profiles"]["profiles"].count_documents({"_id": person}) == 1
        and await dbs["responder"]["cases"].count_documents({"profile_id": person}) >= 1
        and await dbs["loyalty"]["members"].count_documents({"_id": person}) == 1
    )


async def ask(
    http: httpx.AsyncClient, platform: Platform, person: UUID, kind: str
) -> dict[str, Any]:
    """Request ``kind`` for ``person``; the request's state once every service confirmed."""
    return await completed(http, platform, await open_request(http, platform, person, kind))


async def completed(http: httpx.AsyncClient, platform: Platform, url: str) -> dict[str, Any]:
    async def complete() -> dict[str, Any] | None:
        state: dict[str, Any] = (await http.get(url, headers=platform.token("privacy"))).json()
        return state if state["complete"] else None

    state: dict[str, Any] = await eventually(complete, timeout_s=WAIT_S)
    return state


async def parts(
    http: httpx.AsyncClient, platform: Platform, state: dict[str, Any]
) -> dict[str, Any]:
    """Each service's part, fetched where the request's state says, with the privacy scope."""
    found = {}
    for answer in state["services"]:
        url = f"{platform.url(answer['service'])}{answer['export_path']}"
        response = await http.get(url, headers=platform.token("privacy"))
        assert response.status_code == 200, response.text
        found[answer["service"]] = response.json()["parts"]
    return found


async def overdue(http: httpx.AsyncClient, platform: Platform, service: str, value: float) -> bool:
    """Whether profiles' gauge of overdue requests shows ``value`` for ``service``."""
    metrics = (await http.get(f"{platform.url('profiles')}/metrics")).text
    return f'rapport_privacy_requests_overdue{{service="{service}"}} {value}' in metrics


async def test_an_export_is_fetched_from_every_service_and_never_travels_on_the_topic(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    author, texts = await someone(http, platform, dbs)

    state = await ask(http, platform, profile_id(author), "export")

    assert {c["service"] for c in state["confirmed"]} == set(SERVICES)
    assert all(c["documents"] > 0 for c in state["confirmed"])
    export = await parts(http, platform, state)
    assert len(export["ingest"]["mentions"]) == 2
    assert all(author in repr(m) for m in export["ingest"]["mentions"])
    assert export["profiles"]["profiles"][0]["_id"] == str(profile_id(author))
    assert texts[0] in repr(export["ingest"])
    for service in SERVICES:
        assert texts[0] not in repr(await dbs[service]["privacy_exports"].find().to_list())
    path = state["services"][0]["export_path"]
    for refused, status in ((platform.token("agent"), 403), ({}, 401)):
        response = await http.get(f"{platform.url('ingest')}{path}", headers=refused)
        assert response.status_code == status
    request_id = str(state["request_id"])

    def announced_and_answered(records: list[Any]) -> bool:
        return sum(request_id.encode() in r.value for r in records) >= 1 + len(SERVICES)

    records = await read_topic(
        platform.kafka, PRIVACY_TOPIC, until=announced_and_answered, timeout_s=WAIT_S
    )
    on_topic = repr([r.value for r in records])
    for personal in (*texts, f"h_{author}"):
        assert personal not in on_topic  # ... but nothing the services hold about the person


async def test_an_erasure_leaves_no_document_naming_the_person_in_any_service(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    (author, _), (bystander, _) = (
        await someone(http, platform, dbs),
        await someone(http, platform, dbs),
    )
    person = profile_id(author)
    await ask(http, platform, person, "export")  # an earlier export must go too
    assert await holding(dbs, author, f"h_{author}")
    assert await holding(dbs, str(person), skip=privacy_answer)

    state = await ask(http, platform, person, "erase")

    assert {c["service"] for c in state["confirmed"]} == set(SERVICES)
    assert await holding(dbs, author, f"h_{author}") == []
    left = await holding(dbs, str(person), skip=privacy_answer)
    assert [where for where in left if tuple(where.split(":")[0].split(".")) not in KEPT] == []
    assert len(await holding(dbs, bystander)) >= 4  # everyone else's data stays


async def test_a_service_away_during_a_request_is_late_and_answers_the_retry_when_back(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    author, _ = await someone(http, platform, dbs)
    platform.stop("profiles")
    platform.start("profiles", **RETRYING)
    platform.stop("loyalty")
    try:
        url = await open_request(http, platform, profile_id(author), "export")

        async def loyalty_late() -> dict[str, Any] | None:
            found: dict[str, Any] = (await http.get(url, headers=platform.token("privacy"))).json()
            return found if found["late"] == found["pending"] == ["loyalty"] else None

        late = await eventually(loyalty_late, timeout_s=WAIT_S)
        states = {a["service"]: a["state"] for a in late["services"]}
        assert states == {
            "ingest": "confirmed",
            "profiles": "confirmed",
            "responder": "confirmed",
            "loyalty": "late",
        }
        assert not late["complete"]
        await eventually(lambda: overdue(http, platform, "loyalty", 1.0), timeout_s=WAIT_S)
        # loyalty lost the announcement (as after an offset reset): only a retry can reach it
        await start_at_the_end(platform.kafka, groups=["loyalty"], only=PRIVACY_TOPIC)
        back_at = datetime.now().astimezone()
        platform.start("loyalty")

        done = await completed(http, platform, url)

        (loyalty,) = [a for a in done["services"] if a["service"] == "loyalty"]
        assert loyalty["state"] == "confirmed"
        assert datetime.fromisoformat(loyalty["completed_at"]) > back_at
        assert done["attempts"] > late["attempts"]
        assert (await parts(http, platform, done))["loyalty"]["members"]
        await eventually(lambda: overdue(http, platform, "loyalty", 0.0), timeout_s=WAIT_S)
    finally:
        if "loyalty" not in platform.procs:
            platform.start("loyalty")
        platform.stop("profiles")
        platform.start("profiles")
