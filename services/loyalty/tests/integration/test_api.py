"""loyalty's HTTP API over the real database and broker: what it accepts, and what it refuses
with a clear 4xx while changing nothing."""

from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from loyalty.domain.rules import RuleKind
from loyalty.parts import Parts
from rapport import lease, outbox
from rapport.events import ReferralConverted
from rapport.events.codec import decode
from rapport.mongo import Database
from rapport.testing import eventually, read_topic, token_keys, unique
from services.loyalty.tests.integration.conftest import payable, token

pytestmark = pytest.mark.integration
ADMIN, AGENT, SHOP, SUPERVISOR = (
    token("admin"),
    token("agent"),
    token("integration"),
    token("supervisor"),
)


async def snapshot(db: Database) -> dict[str, list[Any]]:
    """Every document, once the relay has published everything stored for publication."""

    async def relayed() -> bool:
        pending = await db[outbox.COLLECTION].count_documents({"published_at": None})
        return pending == 0

    await eventually(relayed)
    names = [n for n in await db.list_collection_names() if n != lease.COLLECTION]  # renewed
    return {name: await db[name].find().to_list() for name in names}


def referral_body(referrer: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "referral",
        "referral_id": unique("ref"),
        "referrer_profile_id": referrer,
        "referred_profile_id": str(uuid4()),
        "purchase_id": "order-77",
        "converted_at": "2026-11-20T09:00:00Z",
        **fields,
    }


async def test_a_posted_referral_is_published_once_and_a_retry_gets_the_same_answer(
    api: httpx.AsyncClient, live: Parts, kafka_bootstrap: str
) -> None:
    body = await payable(live, referral_body(str(uuid4())))
    first = await api.post("/v1/events", json=body, headers=SHOP)
    again = await api.post("/v1/events", json=body, headers=SHOP)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    event_id = first.json()["event_id"]

    def found(records: list[Any]) -> bool:
        return any(event_id.encode() in (r.value or b"") for r in records)

    records = await read_topic(kafka_bootstrap, "commerce.events", until=found)
    (event,) = {
        e.event_id: e
        for e in (
            decode(r.value, (ReferralConverted,)) for r in records if event_id.encode() in r.value
        )
    }.values()
    assert event.payload.referral_id == body["referral_id"]


async def test_the_same_referral_id_with_another_body_is_409(
    api: httpx.AsyncClient, live: Parts, mongo_db: Database
) -> None:
    body = await payable(live, referral_body(str(uuid4())))
    assert (await api.post("/v1/events", json=body, headers=SHOP)).status_code == 202
    before = await snapshot(mongo_db)
    changed = {**body, "purchase_id": "order-78"}
    response = await api.post("/v1/events", json=changed, headers=SHOP)
    assert response.status_code == 409
    assert "different body" in response.json()["detail"]
    assert await snapshot(mongo_db) == before


def commerce(**fields: Any) -> dict[str, Any]:
    purchase = {
        "type": "purchase",
        "purchase_id": "p1",
        "profile_id": str(uuid4()),
        "amount": 5,
        "currency": "EUR",
        "purchased_at": "2026-11-20T09:00:00Z",
    }
    return purchase | fields


SAME = "11111111-1111-1111-1111-111111111111"
OFFER = {"title": "x", "stages": ["fan"], "starts_at": "2026-11-20T09:00:00Z"}
BAD_INPUT = {
    "negative-amount": ("POST", "/v1/events", commerce(amount=-5)),
    "bad-currency": ("POST", "/v1/events", commerce(currency="euro")),
    "operator-as-id": ("POST", "/v1/events", commerce(purchase_id={"$gt": ""})),
    "unknown-type": ("POST", "/v1/events", commerce(type="refund")),
    "bad-uuid": ("POST", "/v1/events", referral_body(referrer="not-a-uuid")),
    "unknown-field": ("POST", "/v1/events", referral_body(str(uuid4()), coupon="X")),
    "self-referral": (
        "POST",
        "/v1/events",
        referral_body(referrer=SAME, referred_profile_id=SAME),
    ),
    "negative-points": ("PUT", "/v1/rules/share", {"points": -10}),
    "caps-disagree": ("PUT", "/v1/rules/share", {"points": 10, "daily_cap": 5, "weekly_cap": 2}),
    "rule-unknown-field": ("PUT", "/v1/rules/share", {"points": 10, "x": 1}),
    "unknown-rule": ("PUT", "/v1/rules/mystery", {"points": 1}),
    "free-reward": ("PUT", "/v1/rewards/mug", {"title": "Mug", "points": 0}),
    "operator-reward-id": ("PUT", "/v1/rewards/$where", {"title": "Mug", "points": 5}),
    "endless-offer": ("PUT", "/v1/offers/o1", OFFER),
    "untargeted-offer": (
        "PUT",
        "/v1/offers/o1",
        {**OFFER, "stages": [], "expires_at": "2030-01-01T00:00:00Z"},
    ),
}


@pytest.mark.parametrize(("method", "url", "body"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
async def test_bad_input_is_422_and_changes_nothing(
    api: httpx.AsyncClient, mongo_db: Database, method: str, url: str, body: dict[str, Any]
) -> None:
    before = await snapshot(mongo_db)
    response = await api.request(method, url, json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert await snapshot(mongo_db) == before


async def test_only_admins_change_rules_rewards_and_offers(api: httpx.AsyncClient) -> None:
    for url in ("/v1/rules/share", "/v1/rewards/mug", "/v1/offers/o1"):
        response = await api.put(url, json={"points": 1}, headers=SUPERVISOR)
        assert response.status_code == 403


async def test_a_saved_rule_is_listed(api: httpx.AsyncClient) -> None:
    saved = await api.put("/v1/rules/share", json={"points": 7, "daily_cap": 2}, headers=ADMIN)
    assert saved.status_code == 200
    rules = {r["kind"]: r for r in (await api.get("/v1/rules", headers=AGENT)).json()}
    assert (rules["share"]["points"], rules["share"]["daily_cap"]) == (7, 2)
    assert rules["referral"]["velocity_limit"] == 10


def own(member: UUID) -> dict[str, str]:
    """The member's own token: a customer signed in to the shop."""
    return token_keys().bearer("member", subject=str(member))


async def redeem(
    api: httpx.AsyncClient,
    member: UUID,
    key: str,
    reward: Any,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await api.post(
        f"/v1/members/{member}/redemptions",
        json={"reward_id": reward},
        headers={**(own(member) if headers is None else headers), "Idempotency-Key": key},
    )


@pytest.fixture
async def ann(api: httpx.AsyncClient, live: Parts) -> UUID:
    """A member with 50 points, and a catalogue of a 30-point mug and a 500-point kit."""
    for reward, points in (("mug", 30), ("kit", 500)):
        saved = await api.put(
            f"/v1/rewards/{reward}", json={"title": reward, "points": points}, headers=ADMIN
        )
        assert saved.status_code == 200, saved.text
    profile_id = uuid4()
    for case in ("case-1", "case-2"):
        await live.earner.earn(
            RuleKind.RECOVERY, profile_id=profile_id, cause=case, cause_event_id=uuid4()
        )
    return profile_id


async def test_a_redemption_and_its_retry(api: httpx.AsyncClient, ann: UUID) -> None:
    first = await redeem(api, ann, "order-0001", "mug")
    again = await redeem(api, ann, "order-0001", "mug")
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    assert first.json()["balance"] == 20
    member = (await api.get(f"/v1/members/{ann}", headers=AGENT)).json()
    assert member["balance"] == 20
    assert [e["kind"] for e in member["ledger"]].count("redemption") == 1


@pytest.mark.parametrize(
    ("key", "reward", "status", "reason"),
    [
        ("order-0002", "kit", 409, "does not cover"),
        ("order-0003", "yacht", 404, "no such reward"),
        ("short", "mug", 422, None),
        ("order-0004", {"$ne": ""}, 422, None),
    ],
)
async def test_refused_redemptions_change_nothing(
    api: httpx.AsyncClient,
    mongo_db: Database,
    ann: UUID,
    key: str,
    reward: Any,
    status: int,
    reason: str | None,
) -> None:
    before = await snapshot(mongo_db)
    response = await redeem(api, ann, key, reward)
    assert response.status_code == status
    assert reason is None or reason in response.json()["detail"]
    assert await snapshot(mongo_db) == before


async def test_the_same_key_for_another_reward_is_409(api: httpx.AsyncClient, ann: UUID) -> None:
    assert (await redeem(api, ann, "order-0005", "mug")).status_code == 201
    response = await redeem(api, ann, "order-0005", "kit")
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]


async def test_an_unknown_member_is_404(api: httpx.AsyncClient, ann: UUID) -> None:
    assert (await api.get(f"/v1/members/{uuid4()}", headers=AGENT)).status_code == 404
    assert (await redeem(api, uuid4(), "order-0006", "mug")).status_code == 404


async def test_a_redemption_needs_an_idempotency_key(api: httpx.AsyncClient, ann: UUID) -> None:
    response = await api.post(
        f"/v1/members/{ann}/redemptions", json={"reward_id": "mug"}, headers=own(ann)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


@pytest.mark.parametrize("caller", ["another member", "integration", "agent"])
async def test_only_the_member_or_a_supervisor_spends_the_points(
    api: httpx.AsyncClient, mongo_db: Database, ann: UUID, caller: str
) -> None:
    headers = own(uuid4()) if caller == "another member" else token(caller)
    before = await snapshot(mongo_db)

    refused = await redeem(api, ann, "order-0007", "mug", headers)

    assert refused.status_code == 403, refused.text
    assert await snapshot(mongo_db) == before
    assert (await redeem(api, ann, "order-0008", "mug", SUPERVISOR)).status_code == 201


async def test_a_member_reads_only_their_own_balance(api: httpx.AsyncClient, ann: UUID) -> None:
    assert (await api.get(f"/v1/members/{ann}", headers=own(ann))).status_code == 200
    other = await api.get(f"/v1/members/{ann}", headers=own(uuid4()))
    assert other.status_code == 403
    assert other.json() == {"detail": "a member token reaches only the member's own profile"}


async def test_a_supervisor_decides_a_held_referral(api: httpx.AsyncClient, live: Parts) -> None:
    await api.put("/v1/rules/referral", json={"points": 50, "velocity_limit": 1}, headers=ADMIN)
    referrer = str(uuid4())
    for _ in range(2):
        await live.earner.earn(
            RuleKind.REFERRAL, profile_id=UUID(referrer), cause=unique("r"), cause_event_id=uuid4()
        )
    (held,) = (await api.get("/v1/held", headers=SUPERVISOR)).json()
    url = f"/v1/held/{held['entry_id']}/decision"
    assert (await api.post(url, json={"decision": "maybe"}, headers=SUPERVISOR)).status_code == 422
    assert (await api.post(url, json={"decision": "approved"}, headers=AGENT)).status_code == 403
    decided = await api.post(url, json={"decision": "approved"}, headers=SUPERVISOR)
    assert decided.json()["status"] == "credited"
    other = await api.post(url, json={"decision": "rejected"}, headers=SUPERVISOR)
    assert other.status_code == 409
    missing = await api.post(
        "/v1/held/nope/decision", json={"decision": "approved"}, headers=SUPERVISOR
    )
    assert missing.status_code == 404
    member = (await api.get(f"/v1/members/{referrer}", headers=AGENT)).json()
    assert member["balance"] == 100


async def test_an_offer_that_already_expired_is_422(api: httpx.AsyncClient) -> None:
    body = {
        "title": "Too late",
        "stages": ["fan"],
        "starts_at": "2020-01-01T00:00:00Z",
        "expires_at": "2020-02-01T00:00:00Z",
    }
    response = await api.put("/v1/offers/late", json=body, headers=ADMIN)
    assert response.status_code == 422
    assert "expired" in response.json()["detail"]
    assert (await api.get("/v1/offers", headers=ADMIN)).json() == []
