"""loyalty's commerce events API fed the inputs that once broke a consumer: 422 naming the
field, without the value, nothing stored; a good event posted next is still accepted."""

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest

from loyalty.parts import Parts
from rapport.mongo import Database
from rapport.testing import unique
from services.loyalty.tests.integration.conftest import payable, token

pytestmark = pytest.mark.integration
SHOP = token("integration") | {"content-type": "application/json"}


def purchase(**fields: Any) -> dict[str, Any]:
    return {
        "type": "purchase",
        "purchase_id": unique("order"),
        "profile_id": str(uuid4()),
        "amount": 42.5,
        "currency": "EUR",
        "purchased_at": "2026-11-20T09:00:00+01:00",
        **fields,
    }


def referral(**fields: Any) -> dict[str, Any]:
    return {
        "type": "referral",
        "referral_id": unique("ref"),
        "referrer_profile_id": str(uuid4()),
        "referred_profile_id": str(uuid4()),
        "purchase_id": unique("order"),
        "converted_at": "2026-11-20T09:00:00Z",
        **fields,
    }


POISONS: dict[str, tuple[dict[str, Any], str]] = {
    "purchased-year-1": (purchase(purchased_at="0001-01-01T00:00:00+01:00"), "purchased_at"),
    "purchased-2005": (purchase(purchased_at="2005-12-31T23:59:59Z"), "purchased_at"),
    "purchased-naive": (purchase(purchased_at="2026-11-20T09:00:00"), "purchased_at"),
    "purchased-year-9999": (purchase(purchased_at="9999-12-31T23:59:59-01:00"), "purchased_at"),
    "converted-year-1": (referral(converted_at="0001-01-01T00:00:00+01:00"), "converted_at"),
    "converted-year-9999": (referral(converted_at="9999-12-31T23:59:59-01:00"), "converted_at"),
    "amount-below-a-cent": (purchase(amount=0.001), "amount"),
    "amount-infinite": (purchase(amount=1e400), "amount"),
    "amount-4300-digits": (purchase(amount=10**4299), "amount"),
    "amount-nan": (purchase(amount=float("nan")), "amount"),
    "purchase-id-operator": (purchase(purchase_id={"$gt": ""}), "purchase_id"),
    "purchase-id-dollar": (purchase(purchase_id="$where"), "purchase_id"),
    "purchase-id-nul": (purchase(purchase_id="order\x00hushhush"), "purchase_id"),
    "referral-id-operator": (referral(referral_id={"$ne": None}), "referral_id"),
    "referrer-not-uuid": (referral(referrer_profile_id="hushhush"), "referrer_profile_id"),
}


async def stored(db: Database) -> dict[str, list[Any]]:
    """What a posted event writes: its intake record (and, where it is relayed, its outbox row);
    the workers' own collections change by themselves."""
    return {name: await db[name].find().to_list() for name in ("intake", "outbox")}


def raw(body: dict[str, Any]) -> bytes:
    """``body`` as JSON; an amount written ``1e400`` stays that literal (json.dumps would
    write Infinity), as a shop's JSON encoder might send it."""
    text = json.dumps(body)
    return (text.replace("Infinity", "1e400") if body.get("amount") == 1e400 else text).encode()


@pytest.mark.parametrize(("body", "field"), POISONS.values(), ids=POISONS.keys())
async def test_a_poisoned_commerce_event_is_422_naming_the_field_and_changes_nothing(
    api: httpx.AsyncClient, live: Parts, mongo_db: Database, body: dict[str, Any], field: str
) -> None:
    before = await stored(mongo_db)
    response = await api.post("/v1/events", content=raw(body), headers=SHOP)
    assert response.status_code == 422, response.text
    locs = [[str(part) for part in error["loc"]] for error in response.json()["detail"]]
    assert any(field in loc for loc in locs), locs
    assert "hushhush" not in response.text
    assert await stored(mongo_db) == before

    good = purchase() if body["type"] == "purchase" else await payable(live, referral())
    assert (await api.post("/v1/events", json=good, headers=SHOP)).status_code == 202
    assert await mongo_db["intake"].count_documents({}) == 1


async def test_the_bounds_accept_their_edges(api: httpx.AsyncClient, live: Parts) -> None:
    edges = [
        purchase(amount=0.01, purchased_at="2006-01-01T00:00:00Z"),
        purchase(amount=1_000_000),
        await payable(live, referral(converted_at="2006-01-01T00:00:00+00:00")),
    ]
    for body in edges:
        response = await api.post("/v1/events", json=body, headers=SHOP)
        assert response.status_code == 202, response.text
