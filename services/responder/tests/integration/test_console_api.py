"""What the console reads from responder: the dashboard, viewer heartbeats, the customer views
forwarded to profiles and loyalty (a real local HTTP stub), and the static console itself."""

import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import httpx
import pytest

from rapport.events import (
    PrivacyRequest,
    ProfileChange,
    ProfileChanged,
    ProfileSnapshot,
    RelationshipStage,
)
from rapport.events.factories import BASE_TIME
from rapport.mongo import Database
from responder.adapters.personal_data import ResponderPersonalData
from responder.console import STATIC
from responder.handlers import on_mention_enriched, on_profile_changed
from responder.use_cases.case_intake import take_mention

from .conftest import Clock, Serve, enriched, token

pytestmark = pytest.mark.integration
ANN, BOB = token("ann", "agent"), token("bob", "agent")
ALICE, BOB_C, CAROL, DAVE = (UUID(int=n) for n in (11, 12, 13, 14))
DAY = {"since": BASE_TIME.isoformat(), "until": (BASE_TIME + timedelta(days=1)).isoformat()}


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def deliver(app: Any, n: int, profile_id: UUID, **mention: Any) -> None:
    """Mention ``n`` of the profile's author, delivered twice (at-least-once)."""
    event = enriched(n, profile_id=profile_id, author=f"a{profile_id.int}", **mention)
    state = app.state
    for _ in range(2):
        await on_mention_enriched(
            event, ports=state.ports, alerts=state.alerts, health=state.health
        )


async def stage(app: Any, profile_id: UUID, stage: RelationshipStage) -> None:
    snapshot = ProfileSnapshot(
        profile_id=profile_id,
        stage=stage,
        mention_count=1,
        first_seen=BASE_TIME,
        last_seen=BASE_TIME,
    )
    change = ProfileChanged.of(ProfileChange(change="stage_changed", profile=snapshot), cause="s")
    await on_profile_changed(change, ports=app.state.ports, health=app.state.health)


async def test_the_dashboard_counts_each_mention_once_and_keeps_counts_after_erasure(
    serve: Serve, clock: Clock, mongo_db: Database
) -> None:
    async with serve(clock) as (app, http):
        await deliver(app, 1, ALICE, score=0.8, intents=["praise"])
        await deliver(app, 2, ALICE, score=0.7, text="I recommend it to every coffee lover")
        for n, who in ((3, BOB_C), (4, CAROL), (5, BOB_C)):
            await deliver(app, n, who, score=-0.7, intents=["complaint"])
        await deliver(app, 6, DAVE, score=0.0)
        await deliver(app, 7, DAVE, score=0.5, from_brand=True)  # the brand: not counted
        await deliver(app, 8, DAVE, score=-0.9, intents=["spam"])  # spam: not counted
        await deliver(app, 9, DAVE, score=0.5, created_at=BASE_TIME - timedelta(hours=12))
        await stage(app, ALICE, RelationshipStage.EVANGELIST)
        await stage(app, DAVE, RelationshipStage.FAN)

        board = await ok(await http.get("/v1/dashboard", params=DAY, headers=ANN))
        assert board["unit"] == "hour"
        assert len(board["series"]) == 24
        assert board["totals"] == {
            "start": None,
            "mentions": 6,
            "positive": 2,
            "negative": 3,
            "neutral": 1,
            "net_sentiment": -0.2,
            "advocacy": 2,
            "advocacy_share": 0.3333,
        }
        assert (board["previous_net_sentiment"], board["mood_trend"]) == (1.0, -1.2)
        assert board["series"][0]["mentions"] == 6
        assert sum(p["mentions"] for p in board["series"][1:]) == 0
        assert board["people"] == [
            {"day": "2026-11-20T00:00:00Z", "fans": 1, "evangelists": 1},
            {"day": "2026-11-21T00:00:00Z", "fans": 1, "evangelists": 1},
        ]
        tops = [(v["profile_id"], v["mentions"]) for v in board["top_evangelists"]]
        assert tops == [(str(ALICE), 2)]
        tops = [(v["profile_id"], v["mentions"]) for v in board["top_detractors"]]
        assert tops == [(str(BOB_C), 2), (str(CAROL), 1)]

        erase = PrivacyRequest(
            request_id=UUID(int=7), kind="erase", profile_id=BOB_C, requested_at=BASE_TIME
        )
        await ResponderPersonalData(mongo_db).erase(erase)
        after = await ok(await http.get("/v1/dashboard", params=DAY, headers=ANN))
        assert after["totals"] == board["totals"]
        assert [v["profile_id"] for v in after["top_detractors"]] == [str(CAROL)]


@pytest.mark.parametrize(
    ("params", "headers", "status"),
    [
        ({"since": DAY["until"], "until": DAY["since"]}, ANN, 422),
        ({"since": "2025-01-01T00:00:00Z", "until": "2026-11-20T00:00:00Z"}, ANN, 422),
        ({"since": "yesterday"}, ANN, 422),
        ({"since": "2026-11-20T09:00:00"}, ANN, 422),  # no time zone
        ({"since": {"$gt": ""}}, ANN, 422),
        (DAY, {}, 401),
        (DAY, token("etl", "integration"), 403),
    ],
)
async def test_the_dashboard_refuses_bad_ranges_and_callers(
    serve: Serve, clock: Clock, params: dict[str, Any], headers: dict[str, str], status: int
) -> None:
    async with serve(clock) as (_, http):
        response = await http.get("/v1/dashboard", params=params, headers=headers)
        assert response.status_code == status, response.text
        assert response.json()["detail"]


async def test_agents_see_who_else_views_or_holds_a_case(serve: Serve, clock: Clock) -> None:
    async with serve(clock) as (app, http):
        case = await take_mention(app.state.ports, enriched(1, intents=["complaint"]).payload)
        assert case is not None
        await app.state.ports.agents.put("ann", _agent("ann"))
        url = f"/v1/cases/{case.id}/viewers"
        seen = await ok(await http.post(url, headers=ANN))
        assert (seen["holder"], [v["agent"] for v in seen["viewers"]]) == (None, ["ann"])
        await ok(await http.post(f"/v1/cases/{case.id}/claim", headers=ANN))
        clock.advance(seconds=20)
        seen = await ok(await http.post(url, headers=BOB))
        assert (seen["holder"], [v["agent"] for v in seen["viewers"]]) == ("ann", ["ann", "bob"])
        clock.advance(seconds=15)  # ann's heartbeat is 35 s old, over the 30 s TTL
        seen = await ok(await http.post(url, headers=BOB))
        assert [v["agent"] for v in seen["viewers"]] == ["bob"]
        assert (await http.post("/v1/cases/not-a-uuid/viewers", headers=BOB)).status_code == 422
        missing = await http.post(f"/v1/cases/{UUID(int=404)}/viewers", headers=BOB)
        assert missing.status_code == 404
        assert (await http.post(url, headers=token("etl", "integration"))).status_code == 403
        me = await ok(await http.get("/v1/me", headers=token("sue", "supervisor", "agent")))
        assert me == {"subject": "sue", "scopes": ["agent", "supervisor"]}
        active = await http.get("/v1/cases", params={"active": "false"}, headers=ANN)
        assert await ok(active) == []
        assert (
            await http.get("/v1/cases", params={"active": "maybe"}, headers=ANN)
        ).status_code == 422


def _agent(name: str) -> Any:
    from responder.domain.agents import AgentIn

    return AgentIn(name=name, skills=["support"], capacity=5)


class Upstream:
    """profiles and loyalty as a stub: answers by path, records each request's headers."""

    FAILING = UUID(int=500)

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream.seen.append((self.path, self.headers.get("Authorization")))
                status, body = upstream.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def answer(self, path: str) -> tuple[int, Any]:
        if str(self.FAILING) in path:
            return 500, {"detail": "boom"}
        if path.startswith("/v1/members/"):
            return 404, {"detail": "no such member"}
        if "/mentions" in path:
            return 200, [{"text": "hello", "path": path}]
        return 200, {"profile_id": path.rsplit("/", 1)[-1], "stage": "fan"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    stub = Upstream()
    thread = threading.Thread(target=stub.server.serve_forever, daemon=True)
    thread.start()
    yield stub
    stub.server.shutdown()


async def test_customer_views_forward_the_callers_token_to_profiles_and_loyalty(
    serve: Serve, clock: Clock, upstream: Upstream
) -> None:
    urls = {"profiles_url": upstream.url, "loyalty_url": upstream.url + "/"}
    async with serve(clock, **urls) as (_, http):
        profile = await ok(await http.get(f"/v1/customers/{ALICE}", headers=ANN))
        assert profile == {"profile_id": str(ALICE), "stage": "fan"}
        history = await ok(await http.get(f"/v1/customers/{ALICE}/mentions", headers=ANN))
        assert history[0]["path"] == f"/v1/profiles/{ALICE}/mentions?limit=10"
        member = await http.get(f"/v1/customers/{ALICE}/membership", headers=ANN)
        assert (member.status_code, member.json()) == (404, {"detail": "no such member"})
        assert [auth for _, auth in upstream.seen] == [ANN["Authorization"]] * 3
        assert upstream.seen[2][0] == f"/v1/members/{ALICE}?entries=5"
        failing = await http.get(f"/v1/customers/{Upstream.FAILING}", headers=ANN)
        assert (failing.status_code, failing.json()) == (
            502,
            {"detail": "profiles failed to answer"},
        )
        for bad in ("../../admin", "not-a-uuid"):
            assert (await http.get(f"/v1/customers/{bad}", headers=ANN)).status_code in (404, 422)
        too_many = await http.get(f"/v1/customers/{ALICE}/mentions?limit=51", headers=ANN)
        assert too_many.status_code == 422
        assert (await http.get(f"/v1/customers/{ALICE}")).status_code == 401
        assert len(upstream.seen) == 4


async def test_customer_views_say_which_setting_is_missing(serve: Serve, clock: Clock) -> None:
    async with serve(clock) as (_, http):
        response = await http.get(f"/v1/customers/{ALICE}/membership", headers=ANN)
        assert (response.status_code, response.json()) == (
            503,
            {"detail": "RAPPORT_LOYALTY_URL is not set"},
        )
    async with serve(clock, profiles_url="http://127.0.0.1:9") as (_, http):
        response = await http.get(f"/v1/customers/{ALICE}", headers=ANN)
        assert (response.status_code, response.json()) == (
            502,
            {"detail": "profiles did not answer"},
        )


async def test_the_console_is_served_with_a_policy_that_keeps_it_on_its_origin(
    serve: Serve, clock: Clock
) -> None:
    async with serve(clock) as (_, http):
        assert (await http.get("/console")).headers["location"].endswith("/console/")
        page = await http.get("/console/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "connect-src 'self'" in policy
        assert page.headers["x-content-type-options"] == "nosniff"
        files = {p.name for p in STATIC.iterdir()}
        linked = re.findall(r'(?:src|href)="([^"#:]+)"', page.text)
        imported = {
            name
            for path in STATIC.glob("*.js")
            for name in re.findall(r'from "\./([^"]+)"', path.read_text())
        }
        assert set(linked) | imported <= files
        for name in files:
            served = await http.get(f"/console/{name}")
            assert served.status_code == 200, name
            text = served.text.replace("http://www.w3.org/2000/svg", "")  # a name, not a request
            assert "://" not in text, name
        assert (await http.get("/console/../main.py")).status_code == 404
        assert (await http.get("/console/missing.js")).status_code == 404
