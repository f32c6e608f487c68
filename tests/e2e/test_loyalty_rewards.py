"""A customer's advocacy through the real services: positive posts (ingest), a converted
referral of a friend who bought (loyalty's POST /v1/events) and a complaint the brand answered
and resolved (responder's case API, the reply delivered to a stub platform) each earn exactly
what the rules say, once, however often they are repeated. A second referral of the friend's
purchase is refused, and the friend's complaint, closed without a reply, earns nothing.
"""

import contextlib
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from rapport.events import CaseChanged, PointsAwarded, ProfileChanged
from rapport.events.codec import DecodeError, decode
from rapport.testing import eventually, read_topic, unique
from tests.support import (
    WAIT_S,
    Platform,
    StubPlatform,
    caught_up,
    mention,
    negative,
    positive,
    profile_id,
)

pytestmark = pytest.mark.e2e


async def complain(
    http: httpx.AsyncClient, platform: Platform, author: str, customer: UUID
) -> dict[str, Any]:
    """The customer posts a complaint: the active case it opens or joins."""
    complaint = mention(unique("m"), author, negative(), created_at=datetime.now(UTC).isoformat())
    ingest, shop = f"{platform.url('ingest')}/v1/mentions", platform.token("integration")
    response = await http.post(ingest, json=complaint, headers=shop)
    assert response.status_code == 202, response.text
    cases, supervisor = f"{platform.url('responder')}/v1/cases", platform.token("supervisor")

    async def open_case() -> Any:
        found = await http.get(cases, params={"profile_id": str(customer)}, headers=supervisor)
        active = [c for c in found.json() if c["state"] != "resolved"]
        return active[0] if active else None

    case: dict[str, Any] = await eventually(open_case, timeout_s=WAIT_S)
    return case


async def answer(http: httpx.AsyncClient, platform: Platform, case_id: str) -> None:
    """An agent with the case's skills claims it and replies; the reply reaches the (stub)
    platform and responder records the brand's first response."""
    responder, agent = platform.url("responder"), platform.token("agent")
    case = f"{responder}/v1/cases/{case_id}"
    skills = (await http.get(case, headers=agent)).json()["skills"]
    staffed = await http.put(
        f"{responder}/v1/agents/e2e",  # the tokens' subject
        json={"name": "E2E", "skills": skills, "capacity": 100},
        headers=platform.token("supervisor"),
    )
    assert staffed.status_code == 200, staffed.text
    claimed = await http.post(f"{case}/claim", headers=agent)
    assert claimed.status_code == 200, claimed.text
    reply = {"reply_id": str(uuid4()), "text": "So sorry! A new part is on its way."}
    replied = await http.post(f"{case}/replies", json=reply, headers=agent)
    assert replied.status_code == 202, replied.text

    async def answered() -> Any:
        return (await http.get(case, headers=agent)).json()["first_response_at"]

    await eventually(answered, timeout_s=WAIT_S)


async def resolve(http: httpx.AsyncClient, platform: Platform, case_id: str) -> None:
    resolved = await http.post(
        f"{platform.url('responder')}/v1/cases/{case_id}/state",
        json={"state": "resolved"},
        headers=platform.token("supervisor"),
    )
    assert resolved.status_code == 200, resolved.text


async def complain_and_get_answered_and_resolved(
    http: httpx.AsyncClient, platform: Platform, author: str, customer: UUID
) -> None:
    """The customer complains, an agent answers and a supervisor resolves the case; they
    complain again soon after, which reopens it, and it is resolved again: one complaint
    case, answered, resolved twice."""
    for attempt in range(2):
        case = await complain(http, platform, author, customer)
        if attempt == 0:
            await answer(http, platform, case["case_id"])
        await resolve(http, platform, case["case_id"])
    listed = await http.get(
        f"{platform.url('responder')}/v1/cases",
        params={"profile_id": str(customer)},
        headers=platform.token("supervisor"),
    )
    assert [c["state"] for c in listed.json()] == ["resolved"]


async def refer_a_friend_who_bought(
    http: httpx.AsyncClient, platform: Platform, referrer: UUID, friend: UUID
) -> None:
    """The friend's purchase, then the referral, posted again (same answer); another referral
    of the same purchase is refused. The referral is posted until loyalty has heard of both
    people on crm.profiles (until then it is refused as naming an unknown profile)."""
    url, shop = f"{platform.url('loyalty')}/v1/events", platform.token("integration")
    order = unique("order")
    purchase = {
        "type": "purchase",
        "purchase_id": order,
        "profile_id": str(friend),
        "amount": 129.0,
        "currency": "EUR",
        "purchased_at": "2026-11-20T09:30:00Z",
    }
    bought = await http.post(url, json=purchase, headers=shop)
    assert bought.status_code == 202, bought.text

    def referral() -> dict[str, Any]:
        return {
            "type": "referral",
            "referral_id": unique("ref"),
            "referrer_profile_id": str(referrer),
            "referred_profile_id": str(friend),
            "purchase_id": order,
            "converted_at": "2026-11-20T10:00:00Z",
        }

    body = referral()

    async def decided() -> tuple[int, Any] | None:
        response = await http.post(url, json=body, headers=shop)
        if response.status_code == 409 and "not a known profile" in response.text:
            return None
        return response.status_code, response.json()

    first = await eventually(decided, timeout_s=WAIT_S, interval_s=0.5)
    again = await http.post(url, json=body, headers=shop)
    assert first == (again.status_code, again.json()) == (202, first[1]), first
    another = await http.post(url, json=referral(), headers=shop)
    assert another.status_code == 409, another.text
    assert f"purchase {order} already paid referral" in another.json()["detail"]


async def announced_resolved(platform: Platform, case_id: UUID) -> None:
    """Wait until responder published the case's resolution on care.cases."""

    def resolved(records: list[Any]) -> bool:
        changes = []
        for record in records:
            with contextlib.suppress(DecodeError):
                changes.append(decode(record.value, (CaseChanged,)))
        return any(
            isinstance(c, CaseChanged)
            and (c.payload.case_id, c.payload.change) == (case_id, "resolved")
            for c in changes
        )

    await read_topic(platform.kafka, "care.cases", until=resolved, timeout_s=WAIT_S)


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


async def test_posts_a_referral_and_an_answered_complaint_each_earn_what_the_rules_say(
    http: httpx.AsyncClient, platform: Platform, stub_platform: StubPlatform
) -> None:
    author, friends_author = unique("loyal"), unique("friend")
    customer, friend = profile_id(author), profile_id(friends_author)
    photo = {"url": "https://example.com/my-brightloop-latte.jpg"}
    posts = [
        mention(unique("m"), author, positive()),
        mention(unique("m"), author, positive(), **photo),
        mention(unique("m"), friends_author, positive()),
    ]
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        json={"mentions": posts},
        headers=platform.token("integration"),
    )
    assert response.status_code == 202, response.text
    await refer_a_friend_who_bought(http, platform, customer, friend)
    await complain_and_get_answered_and_resolved(http, platform, author, customer)
    friends_case = await complain(http, platform, friends_author, friend)
    await resolve(http, platform, friends_case["case_id"])  # without a reply
    await announced_resolved(platform, UUID(friends_case["case_id"]))

    async def settled() -> Any:
        found = await member(http, platform, customer)
        return found and len(found["ledger"]) >= 5

    await eventually(settled, timeout_s=WAIT_S)
    for repeated in ("care.cases", "commerce.events", "crm.profiles"):  # and what came after
        await eventually(partial(caught_up, platform.kafka, "loyalty", repeated), timeout_s=WAIT_S)
    found = await member(http, platform, customer)
    earned = sorted((e["rule"], e["points"]) for e in found["ledger"])
    friends = await member(http, platform, friend)
    assert "recovery" not in {e["rule"] for e in (friends or {"ledger": []})["ledger"]}
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
