"""SLA clocks follow the conversation, through the real parts: a negative mention goes through
the consumer loop (its own topic and group) into a case on MongoDB; the agent claims it and
replies through responder's API; the reply sender delivers it to a stub platform over HTTP,
which stops first response; the customer's next message (through Kafka again) starts next
response; marking the case waiting on the customer pauses it. The clock is injected."""

from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from rapport.events import MentionEnriched
from rapport.events.factories import BASE_TIME
from rapport.kafka.producer import EventProducer
from rapport.mongo import Database
from rapport.testing import eventually
from rapport.topics import Topic
from responder.domain.agents import AgentIn
from responder.ports import Ports

from .conftest import ALICE, Clock, Serve, enriched, token
from .consuming import consuming
from .test_connector import Platform, platform  # noqa: F401 (the stub platform fixture)

pytestmark = pytest.mark.integration
ANN = token("ann", "agent")


async def case_of(http: httpx.AsyncClient) -> dict[str, Any] | None:
    found = await http.get("/v1/cases", params={"profile_id": str(ALICE)}, headers=ANN)
    assert found.status_code == 200, found.text
    cases: list[dict[str, Any]] = found.json()
    return cases[0] if cases else None


def at(minutes: float) -> str:
    return (BASE_TIME + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def iso(value: str | None) -> str | None:
    return value.replace("+00:00", "Z") if value else value


@pytest.mark.parametrize("platform", [[200]], indirect=True)
async def test_reply_stops_first_response_a_new_message_starts_next_and_waiting_pauses(
    ports: Ports,
    mongo_db: Database,
    kafka_bootstrap: str,
    new_topic: Any,
    producer: EventProducer,
    clock: Clock,
    serve: Serve,
    platform: Platform,  # noqa: F811 (the fixture imported above)
) -> None:
    name = await new_topic(1)
    topic = Topic(name, "test", "author", 1, 3_600_000, (MentionEnriched,), ("test",), ())
    await ports.agents.put("ann", AgentIn(name="Ann", skills=["support"], capacity=5))
    policies = await ports.policies.all()
    clock.now = BASE_TIME + timedelta(minutes=5)
    complaint = enriched(1, intents=["complaint"], conversation_id="c1")
    settings = {"connector_endpoints": {"x": platform.url}, "reply_poll_s": 0.1}
    async with (
        consuming(ports, mongo_db, kafka_bootstrap, producer, topic, MentionEnriched),
        serve(clock, auto_assign=False, **settings) as (_, http),
    ):
        await producer.publish_all([(name, "u1", complaint)])
        case = await eventually(lambda: case_of(http), timeout_s=60)
        first = case["clocks"]["first_response"]
        assert (first["started_at"], first["met_at"]) == (at(1), None)
        assert iso(first["due"]) == at(1 + policies[case["priority"]].first_response)
        case_id = case["case_id"]

        claimed = await http.post(f"/v1/cases/{case_id}/claim", headers=ANN)
        assert claimed.status_code == 200, claimed.text
        clock.now = BASE_TIME + timedelta(minutes=10)
        body = {"reply_id": str(UUID(int=77)), "text": "Sorry! We are on it."}
        sent = await http.post(f"/v1/cases/{case_id}/replies", json=body, headers=ANN)
        assert sent.status_code == 202, sent.text

        async def answered() -> dict[str, Any] | None:
            found = await case_of(http)
            met = found and found["clocks"]["first_response"]["met_at"]
            return found if met else None

        case = await eventually(answered, timeout_s=60)
        assert iso(case["clocks"]["first_response"]["met_at"]) == at(10)
        assert len(platform.requests) == 1
        assert (case["state"], iso(case["paused_since"])) == ("waiting_on_customer", at(10))
        assert "next_response" not in case["clocks"]

        clock.now = BASE_TIME + timedelta(minutes=30)
        again = enriched(2, intents=["complaint"], conversation_id="c1", created_at=clock())
        await producer.publish_all([(name, "u1", again)])

        async def writing_again() -> dict[str, Any] | None:
            found = await case_of(http)
            return found if found and "next_response" in found["clocks"] else None

        case = await eventually(writing_again, timeout_s=60)
        following = case["clocks"]["next_response"]
        minutes = policies[case["priority"]].next_response
        assert (following["started_at"], following["met_at"]) == (at(30), None)
        assert iso(following["due"]) == at(30 + minutes)
        assert (case["paused_since"], case["paused_s"]) == (None, 20 * 60.0)
        assert iso(case["next_due"]) == at(30 + minutes)

        clock.now = BASE_TIME + timedelta(minutes=40)
        waiting = {"state": "waiting_on_customer"}
        paused = await http.post(f"/v1/cases/{case_id}/state", json=waiting, headers=ANN)
        assert paused.status_code == 200, paused.text
        case = paused.json()
        assert iso(case["paused_since"]) == at(40)
        assert case["clocks"]["next_response"]["due"] is None
        assert case["clocks"]["resolution"]["due"] is None
        assert case["next_due"] is None
        detail = await http.get(f"/v1/cases/{case_id}", headers=ANN)
        assert detail.json()["clocks"] == case["clocks"]
