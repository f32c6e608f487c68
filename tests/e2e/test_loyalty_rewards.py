"""A customer's advocacy through the real services: positive posts (ingest), a converted
referral (loyalty's POST /v1/events) and a resolved complaint each earn exactly what the rules
say, once, however often they are repeated.

responder's case API is being rebuilt, so the resolved complaint is published onto care.cases
from here with the shared producer, as responder will publish it.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from rapport.events import CaseChange, CaseChanged
from rapport.kafka.producer import EventProducer
from rapport.testing import eventually, unique
from tests.support import Platform, mention, positive, profile_id

pytestmark = pytest.mark.e2e
RESOLUTION = ["opened", "resolved", "reopened", "resolved"]


def case_change(customer: UUID, case_id: UUID, sequence: int, change: str) -> CaseChanged:
    now = datetime.now(UTC)
    return CaseChanged.of(
        CaseChange.model_validate(
            {
                "case_id": case_id,
                "sequence": sequence,
                "change": change,
                "state": "resolved" if change == "resolved" else "open",
                "profile_id": customer,
                "queue": "support",
                "priority": "normal",
                "intents": ["complaint"],
                "opened_at": now,
                "changed_at": now,
            }
        )
    )


async def resolve_complaints(platform: Platform, customer: UUID) -> None:
    """Case one is resolved, reopened and resolved again, and a delivery is repeated; case two
    is resolved once, after all of that on the same key, so when it is rewarded the rest has
    been handled."""
    first, second = uuid4(), uuid4()
    changes = [case_change(customer, first, n, c) for n, c in enumerate(RESOLUTION, 1)]
    changes += [changes[1], case_change(customer, second, 1, "resolved")]
    producer = EventProducer(platform.kafka)
    await producer.start()
    try:
        await producer.publish_all([("care.cases", str(customer), c) for c in changes])
    finally:
        await producer.stop()


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
    await resolve_complaints(platform, customer)

    async def settled() -> Any:
        """Six entries are expected; case two's is last on its key, so case one is final."""
        found = await member(http, platform, customer)
        return found if found and len(found["ledger"]) >= 6 else None

    found = await eventually(settled, timeout_s=60)
    earned = sorted((e["rule"], e["points"]) for e in found["ledger"])
    assert earned == [
        ("positive_mention", 10),
        ("positive_mention", 10),
        ("recovery", 25),
        ("recovery", 25),
        ("referral", 50),
        ("ugc", 15),
    ]
    assert found["balance"] == found["lifetime_points"] == 135
    assert found["tier"] == "bronze"
