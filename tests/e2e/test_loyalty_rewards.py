"""A customer's advocacy through the real services: positive posts (ingest), a converted
referral (loyalty's POST /v1/events) and a resolved complaint (responder's case API) each earn
exactly what the rules say, once, however often they are repeated.
"""

import contextlib
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from rapport.events import PointsAwarded, ProfileChanged
from rapport.events.codec import DecodeError, decode
from rapport.testing import eventually, read_topic, unique
from tests.support import WAIT_S, Platform, caught_up, mention, negative, positive, profile_id

pytestmark = pytest.mark.e2e


async def complain_and_get_resolved(
    http: httpx.AsyncClient, platform: Platform, author: str, customer: UUID
) -> None:
    """The customer complains and a supervisor resolves the case; they complain again soon
    after, which reopens it, and it is resolved again: one complaint case, resolved twice."""
    cases = f"{platform.url('responder')}/v1/cases"
    supervisor = platform.token("supervisor")
    for _ in range(2):
        complaint = mention(
            unique("m"), author, negative(), created_at=datetime.now(UTC).isoformat()
        )
        response = await http.post(
            f"{platform.url('ingest')}/v1/mentions",
            json=complaint,
            headers=platform.token("integration"),
        )
        assert response.status_code == 202, response.text

        async def open_case() -> Any:
            found = await http.get(cases, params={"profile_id": str(customer)}, headers=supervisor)
            active = [c for c in found.json() if c["state"] != "resolved"]
            return active[0] if active else None

        case = await eventually(open_case, timeout_s=WAIT_S)
        resolved = await http.post(
            f"{cases}/{case['case_id']}/state", json={"state": "resolved"}, headers=supervisor
        )
        assert resolved.status_code == 200, resolved.text
    listed = await http.get(cases, params={"profile_id": str(customer)}, headers=supervisor)
    assert [c["state"] for c in listed.json()] == ["resolved"]


async def post_referral(http: httpx.AsyncClient, platform: Platform, referrer: UUID) -> None:
    body = {
        "type": "referral",
        "referral_id": unique("ref"),
        "referrer_profile_id": str(referrer),
        "referred_profile_id": str(uuid4()),
        "purchase_id": unique("order"),
        "converted_at": "2026-11-20T10:00:00Z",
    }
    url = f"{platform.url('loyalty')}/v1/events"
    first = await http.post(url, json=body, headers=platform.token("integration"))
    again = await http.post(url, json=body, headers=platform.token("integration"))
    assert first.status_code == again.status_code == 202, first.text
    assert first.json() == again.json()


BONUS = {"fan": 50, "evangelist": 100}


async def stages_reached(platform: Platform, customer: UUID) -> set[str]:
    """The rewarded stages (fan, evangelist) profiles announced for ``customer``."""

    def changes(records: list[Any]) -> list[ProfileChanged]:
        events = []
        for record in records:
            try:
                event = decode(record.value, (ProfileChanged,))
            except DecodeError:
                continue
            if isinstance(event, ProfileChanged) and event.payload.profile.profile_id == customer:
                events.append(event)
        return events

    records = await read_topic(platform.kafka, "crm.profiles", until=lambda rs: bool(changes(rs)))
    return {
        e.payload.profile.stage.value
        for e in changes(records)
        if e.payload.change == "stage_changed" and e.payload.profile.stage.value in BONUS
    }


async def awards(platform: Platform, customer: UUID, entries: set[str]) -> list[PointsAwarded]:
    """The PointsAwarded loyalty published for ``customer``, read until every entry is there."""

    def found(records: list[Any]) -> list[PointsAwarded]:
        events = []
        for record in records:
            if record.key != str(customer).encode():
                continue
            with contextlib.suppress(DecodeError):
                event = decode(record.value, (PointsAwarded,))
                assert isinstance(event, PointsAwarded)
                events.append(event)
        return events

    def complete(records: list[Any]) -> bool:
        return {e.payload.entry_id for e in found(records)} >= entries

    return found(await read_topic(platform.kafka, "loyalty.events", until=complete))


async def member(http: httpx.AsyncClient, platform: Platform, customer: UUID) -> Any:
    response = await http.get(
        f"{platform.url('loyalty')}/v1/members/{customer}", headers=platform.token("agent")
    )
    return response.json() if response.status_code == 200 else None


async def test_posts_a_referral_and_a_resolved_complaint_each_earn_what_the_rules_say(
    http: httpx.AsyncClient, platform: Platform
) -> None:
    author = unique("loyal")
    customer = profile_id(author)
    photo = {"url": "https://example.com/my-brightloop-latte.jpg"}
    posts = [
        mention(unique("m"), author, positive()),
        mention(unique("m"), author, positive(), **photo),
    ]
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        json={"mentions": posts},
        headers=platform.token("integration"),
    )
    assert response.status_code == 202, response.text
    await post_referral(http, platform, customer)
    await complain_and_get_resolved(http, platform, author, customer)

    async def settled() -> Any:
        found = await member(http, platform, customer)
        return found and len(found["ledger"]) >= 5

    await eventually(settled, timeout_s=WAIT_S)
    for repeated in ("care.cases", "commerce.events", "crm.profiles"):  # and what came after
        await eventually(partial(caught_up, platform.kafka, "loyalty", repeated), timeout_s=WAIT_S)
    found = await member(http, platform, customer)
    earned = sorted((e["rule"], e["points"]) for e in found["ledger"])
    # The posts and the referral may make the customer a fan or an evangelist on the way (in
    # an order that depends on timing): each stage reached earns its bonus, once.
    bonuses = [
        (f"{stage}_bonus", BONUS[stage]) for stage in await stages_reached(platform, customer)
    ]
    assert earned == sorted(
        [
            ("positive_mention", 10),
            ("positive_mention", 10),
            ("recovery", 25),
            ("referral", 50),
            ("ugc", 15),
            *bonuses,
        ]
    )
    assert found["balance"] == found["lifetime_points"] == 110 + sum(p for _, p in bonuses)
    assert found["tier"] == "bronze"
    entries = {e["entry_id"] for e in found["ledger"]}
    published = await awards(platform, customer, entries)  # through loyalty's outbox relay
    assert sorted(e.payload.entry_id for e in published) == sorted(entries)
