"""The console's inbox and crisis alerts through the API, on the real MongoDB: cursor paging that
neither repeats nor skips a case while new ones arrive, search, previews and links, refusals
that change nothing, and an alert read, acknowledged and cleared by the right scopes."""

from typing import Any
from uuid import UUID

import httpx
import pytest

from rapport.events import AlertChanged
from rapport.mongo import Database
from rapport.testing import stored_documents
from responder.domain.spikes import SpikeRule
from responder.handlers import on_mention_enriched

from .conftest import Clock, Serve, enriched, token

pytestmark = pytest.mark.integration
ANN, BOB, BOSS = token("ann", "agent"), token("bob", "agent"), token("boss", "supervisor")
LIVE = {"active": "true", "historical": "false"}


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def deliver(app: Any, n: int, **mention: Any) -> None:
    """Mention ``n`` of its own customer (profile ``n``), delivered twice (at-least-once)."""
    event = enriched(n, profile_id=UUID(int=n), author=f"a{n}", **mention)
    for _ in range(2):
        await on_mention_enriched(
            event, ports=app.state.ports, alerts=app.state.alerts, health=app.state.health
        )


async def pages(http: httpx.AsyncClient, params: dict[str, Any], between: Any = None) -> list[str]:
    """Every case id of the inbox, page by page, calling ``between`` after each page."""
    seen: list[str] = []
    following: dict[str, str] = {}
    while True:
        page = await http.get("/v1/cases", params={**params, **following}, headers=ANN)
        seen += [c["case_id"] for c in await ok(page)]
        if "X-Next-Cursor" not in page.headers:
            return seen
        following = {"cursor": page.headers["X-Next-Cursor"]}
        assert page.headers["Link"].endswith('rel="next"')
        if between is not None:
            await between()


async def test_pages_neither_repeat_nor_skip_a_case_while_new_cases_arrive(
    serve: Serve, clock: Clock
) -> None:
    async with serve(clock) as (app, http):
        for n in range(1, 13):
            await deliver(app, n, score=-0.2 - n * 0.05, followers=100 * n)
        before = [
            c["case_id"]
            for c in await ok(
                await http.get("/v1/cases", params={**LIVE, "limit": 200}, headers=ANN)
            )
        ]
        assert len(before) == 12
        arriving = iter(range(100, 200))

        async def two_more() -> None:
            for _ in range(2):
                n = next(arriving)
                await deliver(app, n, score=-0.9 if n % 2 else -0.3, followers=10_000 * (n % 3))

        seen = await pages(http, {**LIVE, "limit": 4}, between=two_more)
        assert len(seen) == len(set(seen))
        assert set(before) <= set(seen)
        assert len(seen) > len(before)  # some of the newcomers sorted after the cursor


async def test_search_finds_cases_by_their_customers_words(serve: Serve, clock: Clock) -> None:
    async with serve(clock) as (app, http):
        await deliver(app, 1, text="My refund never arrived", url="https://x.com/a1/status/ext-1")
        await deliver(app, 2, text="배송이 너무 늦어요 환불 부탁드립니다", language="ko")
        await deliver(app, 3, text="love it", score=-0.5, url="javascript:alert(1)")
        await deliver(app, 4, text="Where is my REFUND? " + "x" * 300)

        async def found(q: str, **params: Any) -> list[dict[str, Any]]:
            response = await http.get("/v1/cases", params={"q": q, **params}, headers=ANN)
            found: list[dict[str, Any]] = await ok(response)
            return found

        refunds = await found("refund")
        assert sorted(c["handle"] for c in refunds) == ["h_a1", "h_a4"]
        assert [c["handle"] for c in await found("refund never")] == ["h_a1"]
        assert [c["handle"] for c in await found("@h_a3")] == ["h_a3"]
        assert [c["handle"] for c in await found("환불")] == ["h_a2"]
        assert await found('{"$where": "sleep(1000)"}') == []
        assert [c["handle"] for c in await found("refund", limit=1)] == [refunds[0]["handle"]]
        counted = await http.get("/v1/cases", params={"q": "refund"}, headers=ANN)
        assert counted.headers["X-Total-Count"] == "2"

        shown = {c["handle"]: c for c in await found("refund love 환불", limit=1) + refunds}
        first = shown["h_a1"]
        assert (first["preview"], first["link"]) == (
            "My refund never arrived",
            "https://x.com/a1/status/ext-1",
        )
        long = shown["h_a4"]
        assert long["preview"].startswith("Where is my REFUND?")
        assert len(long["preview"]) <= 140
        assert long["link"] == "https://x.com/h_a4/status/ext-4"  # built from the ids
        unsafe = (await found("love"))[0]
        assert unsafe["link"] == "https://x.com/h_a3/status/ext-3"  # javascript: never linked
        detail = await ok(await http.get(f"/v1/cases/{first['case_id']}", headers=ANN))
        assert (detail["preview"], detail["link"]) == (first["preview"], first["link"])
        assert detail["messages"][0]["link"] == first["link"]


@pytest.mark.parametrize(
    ("params", "status", "reason"),
    [
        ({"cursor": "not-a-cursor"}, 400, "cursor: the cursor is not one this inbox gave out"),
        ({"cursor": "e30"}, 400, "cursor: the cursor is not one this inbox gave out"),
        ({"cursor": "x" * 600}, 422, "cursor"),
        ({"q": "$$ -- !!"}, 400, "q: the search has no word in it"),
        ({"q": "x" * 101}, 422, "q"),
        ({"q": "a b c d e f g h i"}, 400, "q: at most 8 words"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 201}, 422, "limit"),
    ],
)
async def test_a_bad_cursor_search_or_limit_is_refused_with_its_reason_and_changes_nothing(
    serve: Serve, clock: Clock, mongo_db: Database, params: dict[str, Any], status: int, reason: str
) -> None:
    async with serve(clock) as (app, http):
        await deliver(app, 1)
        before = await stored_documents(mongo_db)
        response = await http.get("/v1/cases", params=params, headers=ANN)
        assert response.status_code == status, response.text
        assert reason in response.text
        assert await stored_documents(mongo_db) == before


async def test_a_cursor_serves_only_the_filters_it_was_made_for(serve: Serve, clock: Clock) -> None:
    async with serve(clock) as (app, http):
        for n in (1, 2, 3):
            await deliver(app, n)
        first = await http.get("/v1/cases", params={**LIVE, "limit": 1}, headers=ANN)
        cursor = first.headers["X-Next-Cursor"]
        other = await http.get("/v1/cases", params={"cursor": cursor, "queue": "pr"}, headers=ANN)
        assert other.status_code == 400
        assert "belongs to other filters" in other.text
        both = await http.get(
            "/v1/cases", params={**LIVE, "cursor": cursor, "offset": 1}, headers=ANN
        )
        assert both.status_code == 400
        assert "either a cursor or an offset" in both.text
        following = await http.get(
            "/v1/cases", params={**LIVE, "cursor": cursor, "limit": 1}, headers=ANN
        )
        assert [c["case_id"] for c in await ok(following)] != [c["case_id"] for c in first.json()]


async def test_an_agent_reads_acknowledges_and_a_supervisor_clears_an_alert(
    serve: Serve, clock: Clock, mongo_db: Database
) -> None:
    async with serve(clock, spikes=SpikeRule(min_volume=3)) as (app, http):
        await deliver(app, 1, text="the app lost my order", engagement={"shares": 500})
        for n in (2, 3, 4):
            await deliver(app, n, text=f"angry {n}")
        listed = await ok(await http.get("/v1/alerts", params={"status": "active"}, headers=ANN))
        viral = next(a for a in listed if a["kind"] == "viral_negative_post")
        assert viral["title"] == "Viral negative post by @h_a1"
        spike = next(a for a in listed if a["kind"] == "negative_spike" and a["subject"] == "all")
        assert spike["title"] == "All negative mentions"

        detail = await ok(await http.get(f"/v1/alerts/{spike['alert_id']}", headers=ANN))
        raised_by = ["angry 2", "angry 3", "the app lost my order"]  # the third author raised it
        assert sorted(m["text"] for m in detail["samples"]) == raised_by
        assert detail["trend_subject"] == "all"
        assert max(point["negative_authors"] for point in detail["trend"]) == 4
        assert detail["acknowledged_by"] is None
        post = (await ok(await http.get(f"/v1/alerts/{viral['alert_id']}", headers=ANN)))["samples"]
        assert [m["link"] for m in post] == ["https://x.com/h_a1/status/ext-1"]

        alert_url = f"/v1/alerts/{spike['alert_id']}"
        assert (await http.post(f"{alert_url}/acknowledge")).status_code == 401
        member = token(str(UUID(int=1)), "member")  # made now: a member token is short-lived
        assert (await http.post(f"{alert_url}/acknowledge", headers=member)).status_code == 403
        seen = await ok(await http.post(f"{alert_url}/acknowledge", headers=ANN))
        assert (seen["acknowledged_by"], seen["status"]) == ("ann", "active")
        again = await ok(await http.post(f"{alert_url}/acknowledge", headers=BOB))
        assert again["acknowledged_by"] == "ann"
        assert (await http.get(f"/v1/alerts/{UUID(int=5)}", headers=ANN)).status_code == 404
        unknown = await http.post(f"/v1/alerts/{UUID(int=5)}/acknowledge", headers=ANN)
        assert unknown.status_code == 404

        assert (await http.post(f"{alert_url}/clear", headers=ANN)).status_code == 403
        cleared = await ok(await http.post(f"{alert_url}/clear", headers=BOSS))
        assert (cleared["status"], cleared["acknowledged_by"]) == ("cleared", "ann")
        late = await http.post(f"{alert_url}/acknowledge", headers=BOB)
        assert (late.status_code, late.json()["detail"]) == (409, "the alert is cleared")

        rows = await mongo_db["outbox"].find({"topic": "care.alerts"}).sort("seq").to_list()
        changes = [AlertChanged.model_validate_json(bytes(row["value"])) for row in rows]
        mine = [c.payload for c in changes if str(c.payload.alert_id) == spike["alert_id"]]
        assert [(a.status, a.acknowledged_by) for a in mine] == [
            ("active", None),
            ("active", "ann"),
            ("cleared", "ann"),
        ]
        assert len({c.event_id for c in changes}) == len(changes)
