"""The HTTP API of a running responder: what agents and supervisors do, and bad input."""

from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from rapport.mongo import Database
from rapport.testing import stored_documents
from rapport.workers import Workers
from responder.use_cases.case_intake import take_mention

from .conftest import Clock, Serve, enriched, token

pytestmark = pytest.mark.integration
ANN, BOB, BOSS = token("ann", "agent"), token("bob", "agent"), token("boss", "supervisor")
RULE = {"order": 1, "conditions": {"keywords": ["grinder"]}, "queue": "grinders"}


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def test_an_agent_works_a_case_through_the_api(serve: Serve, clock: Clock) -> None:
    async with serve(clock) as (app, http):
        case = await take_mention(app.state.ports, enriched(1, intents=["complaint"]).payload)
        assert case is not None
        for agent in ("ann", "bob"):
            body = {"name": agent, "skills": ["support"], "capacity": 3}
            await ok(await http.put(f"/v1/agents/{agent}", json=body, headers=BOSS))
        url = f"/v1/cases/{case.id}"
        listed = await http.get("/v1/cases", params={"queue": "support"}, headers=ANN)
        assert [c["case_id"] for c in await ok(listed)] == [str(case.id)]
        assert listed.headers["X-Total-Count"] == "1"
        claimed = await ok(await http.post(f"{url}/claim", headers=ANN))
        assert (claimed["assignee"], claimed["state"]) == ("ann", "assigned")
        suggestions = await ok(await http.get(f"{url}/suggestions", headers=ANN))
        assert suggestions[0]["intent"] == "complaint"
        reply = {"reply_id": str(uuid4()), "text": suggestions[0]["text"]}
        sent = await ok(await http.post(f"{url}/replies", json=reply, headers=ANN), 202)
        assert sent["state"] in ("pending", "sending", "failed")  # no connector is configured
        resolved = await ok(
            await http.post(f"{url}/state", json={"state": "resolved"}, headers=ANN)
        )
        assert resolved["state"] == "resolved"
        detail = await ok(await http.get(url, headers=BOB))
        assert [m["kind"] for m in detail["messages"]] == ["customer"]
        assert detail["replies"][0]["reply_id"] == reply["reply_id"]
        queues = await ok(await http.get("/v1/queues", headers=BOB))
        assert queues == []
        metrics = await ok(await http.get("/v1/handoff", headers=BOB))
        assert metrics["overall"]["cases"] == 1
        assert metrics["agents"]["ann"]["resolution"]["count"] == 1


async def test_supervisors_keep_rules_and_policies(serve: Serve, clock: Clock) -> None:
    async with serve(clock) as (_, http):
        rule_id = uuid4()
        await ok(await http.put(f"/v1/routing-rules/{rule_id}", json=RULE, headers=BOSS))
        rules = await ok(await http.get("/v1/routing-rules", headers=ANN))
        assert rules[0]["rule_id"] == str(rule_id)
        assert rules[0]["queue"] == "grinders"
        policy = {"first_response": 30, "next_response": 60, "resolution": 600}
        await ok(await http.put("/v1/sla-policies/low", json=policy, headers=BOSS))
        policies = await ok(await http.get("/v1/sla-policies", headers=ANN))
        assert policies["low"]["first_response"] == 30
        await ok(await http.delete(f"/v1/routing-rules/{rule_id}", headers=BOSS), 204)
        assert (await ok(await http.get("/v1/routing-rules", headers=ANN)))[0]["rule_id"] is None


async def test_the_tests_app_neither_consumes_nor_relays(
    serve: Serve, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Else it would take records of the platform's topics from the e2e platform's responder
    and publish the tests' made-up events to them. (The revocation list is read without a
    consumer group, so it takes nothing from anyone.)"""
    started: list[str] = []
    start = Workers.start

    def recorded(workers: Workers, name: str, *args: Any, **kwargs: Any) -> None:
        started.append(name)
        start(workers, name, *args, **kwargs)

    monkeypatch.setattr(Workers, "start", recorded)
    async with serve(clock):
        assert sorted(started) == [
            "brand-gauges",
            "notifier",
            "reply-sender",
            "revocations",
            "sla-scanner",
        ]


async def documents(db: Database) -> dict[str, list[Any]]:
    snapshot = await stored_documents(db, besides=("outbox", "leases"))
    snapshot["outbox"] = [d["_id"] for d in await db["outbox"].find().sort("_id").to_list()]
    return snapshot


async def test_bad_input_gets_a_clear_4xx_and_changes_nothing(
    serve: Serve, clock: Clock, mongo_db: Database
) -> None:
    async with serve(clock) as (app, http):
        case = await take_mention(app.state.ports, enriched(1, intents=["complaint"]).payload)
        assert case is not None
        await ok(
            await http.put(
                "/v1/agents/ann",
                json={"name": "Ann", "capacity": 3, "skills": ["support"]},
                headers=BOSS,
            )
        )
        await ok(await http.post(f"/v1/cases/{case.id}/claim", headers=ANN))
        url, unknown = f"/v1/cases/{case.id}", f"/v1/cases/{uuid4()}"
        reply = {"reply_id": str(UUID(int=5)), "text": "hi"}
        bad: list[tuple[str, str, dict[str, str], Any, int]] = [
            ("GET", unknown, ANN, None, 404),
            ("POST", f"{unknown}/claim", ANN, None, 404),
            ("POST", f"{unknown}/state", ANN, {"state": "resolved"}, 404),
            ("GET", "/v1/cases/not-a-uuid", ANN, None, 422),
            ("POST", f"{url}/claim", BOB, None, 409),  # held by ann
            ("POST", f"{url}/state", BOB, {"state": "resolved"}, 409),
            ("POST", f"{url}/replies", BOB, reply, 409),
            ("POST", f"{url}/release", BOB, None, 409),
            ("POST", f"{url}/state", ANN, {"state": "open"}, 422),
            ("POST", f"{url}/state", ANN, {"state": "resolved", "why": "x"}, 422),
            ("POST", f"{url}/replies", ANN, {"reply_id": "x", "text": "hi"}, 422),
            ("POST", f"{url}/replies", ANN, {"reply_id": str(uuid4()), "text": ""}, 422),
            ("POST", f"{url}/assign", BOSS, {"agent_id": "nobody"}, 409),
            ("POST", f"{url}/assign", ANN, {"agent_id": "ann"}, 403),
            ("POST", "/v1/queues/support/claim", ANN, None, 404),
            ("PUT", f"/v1/routing-rules/{uuid4()}", BOSS, {**RULE, "conditions": {}}, 422),
            ("PUT", f"/v1/routing-rules/{uuid4()}", BOSS, {**RULE, "queue": {"$ne": 1}}, 422),
            ("PUT", f"/v1/routing-rules/{uuid4()}", BOSS, {**RULE, "extra": 1}, 422),
            ("PUT", f"/v1/routing-rules/{uuid4()}", ANN, RULE, 403),
            ("DELETE", f"/v1/routing-rules/{uuid4()}", BOSS, None, 404),
            ("PUT", "/v1/sla-policies/low", BOSS, {"first_response": 0}, 422),
            ("PUT", "/v1/sla-policies/soon", BOSS, {"first_response": 1}, 422),
            ("PUT", "/v1/agents/a%20b", BOSS, {"name": "x", "capacity": 1}, 422),
            ("PUT", "/v1/agents/cy", BOSS, {"name": "x", "capacity": -1}, 422),
            ("GET", "/v1/cases?state=lost", ANN, None, 422),
            ("GET", "/v1/cases?queue[$ne]=x", ANN, None, 200),  # not an operator: no filter
            ("GET", "/v1/cases?intent=rage", ANN, None, 422),
            (
                "GET",
                "/v1/handoff?since=2026-11-20T10:00:00Z&until=2026-11-20T09:00:00Z",
                ANN,
                None,
                422,
            ),
            ("GET", "/v1/handoff?since=yesterday", ANN, None, 422),
            ("POST", f"/v1/alerts/{uuid4()}/clear", BOSS, None, 404),
            ("GET", "/v1/cases", {}, None, 401),
            ("GET", "/v1/cases", token("x", "privacy"), None, 403),
        ]
        before = await documents(mongo_db)
        for method, path, headers, body, status in bad:
            response = await http.request(method, path, json=body, headers=headers)
            assert response.status_code == status, (method, path, response.text)
            if status != 200:
                assert response.json()["detail"], (method, path)
        assert await documents(mongo_db) == before
