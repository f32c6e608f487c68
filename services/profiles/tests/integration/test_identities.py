"""CRM profiles, verified links, look-ups and the CSV link import, on the real database."""

from typing import Any

import pytest

from profiles.handlers import on_mention_ingested
from profiles.ports import profile_id_for
from rapport.events.factories import ingested
from rapport.mongo import Database
from rapport.testing import unique

pytestmark = pytest.mark.integration


async def create(served: Any, **body: Any) -> Any:
    response = await served.http.post(
        "/v1/profiles", json=body, headers=served.token("integration")
    )
    assert response.status_code == 201, response.text
    return response.json()


async def link(served: Any, profile_id: str, **body: Any) -> Any:
    return await served.http.post(
        f"/v1/profiles/{profile_id}/identities", json=body, headers=served.token("integration")
    )


async def snapshot_of(mongo_db: Database) -> list[Any]:
    return await mongo_db["profiles"].find({}, {"_id": 1, "identities.key": 1}).to_list()


async def test_a_crm_customer_is_a_silent_observer_until_they_post(served: Any) -> None:
    created = await create(served, crm_customer_id="C-1", email="Jo@Example.com")
    assert created["segment"] == "silent_observer"
    assert [i["key"] for i in created["identities"]] == ["crm:C-1", "email:jo@example.com"]
    found = await served.announced(created["profile_id"], until=lambda events: bool(events))
    assert found[0].payload.change == "created"


async def test_linking_a_verified_social_identity(served: Any) -> None:
    created = await create(served, crm_customer_id="C-2")
    linked = await link(
        served, created["profile_id"], kind="social", platform="x", value="777", handle="jo_777"
    )
    assert linked.status_code == 201, linked.text
    again = await link(served, created["profile_id"], kind="social", platform="x", value="777")
    assert again.status_code == 200
    event = ingested(1, author="777")
    await served.handle(on_mention_ingested, event)
    view = (
        await served.http.get(
            "/v1/profiles/lookup",
            params={"platform": "x", "handle": "h_777"},
            headers=served.token("agent"),
        )
    ).json()
    assert view["profile_id"] == created["profile_id"]
    assert view["segment"] == "occasional_participant"
    by_crm = await served.http.get(
        "/v1/profiles/lookup",
        params={"crm_customer_id": "C-2"},
        headers=served.token("integration"),
    )
    by_author = await served.http.get(
        "/v1/profiles/lookup",
        params={"platform": "x", "author_id": "777"},
        headers=served.token("integration"),
    )
    assert by_crm.json()["profile_id"] == by_author.json()["profile_id"] == created["profile_id"]


async def test_an_identity_of_another_profile_is_refused_and_nothing_changes(
    served: Any, mongo_db: Database
) -> None:
    await served.handle(on_mention_ingested, ingested(1, author="888"))
    created = await create(served, crm_customer_id="C-3")
    before = await snapshot_of(mongo_db)
    refused = await link(served, created["profile_id"], kind="social", platform="x", value="888")
    assert refused.status_code == 409
    assert "belongs to another profile" in refused.json()["detail"]
    assert str(profile_id_for("x:888")) not in refused.text  # never says whose it is
    taken = await served.http.post(
        "/v1/profiles", json={"crm_customer_id": "C-3"}, headers=served.token("integration")
    )
    assert taken.status_code == 200
    assert await snapshot_of(mongo_db) == before


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"kind": "email", "value": "not-an-address"}, "not an email"),
        ({"kind": "phone", "value": "0170 12"}, "international form"),
        ({"kind": "social", "platform": "myspace", "value": "1"}, "platform must be"),
        ({"kind": "social", "platform": "x", "value": "$where"}, "author_id must be"),
        ({"kind": "crm", "value": "C-9", "verified": True}, "extra"),
        ({"kind": "fax", "value": "1"}, "kind"),
    ],
)
async def test_malformed_identities_get_422_and_change_nothing(
    served: Any, mongo_db: Database, body: dict[str, Any], reason: str
) -> None:
    created = await create(served, crm_customer_id=unique("C"))
    before = await snapshot_of(mongo_db)
    refused = await link(served, created["profile_id"], **body)
    assert refused.status_code == 422
    assert reason in refused.text
    assert await snapshot_of(mongo_db) == before


async def test_unknown_profiles_get_404(served: Any) -> None:
    missing = str(profile_id_for("x:nobody"))
    refused = await link(served, missing, kind="crm", value="C-4")
    assert refused.status_code == 404
    assert "no profile" in refused.json()["detail"]
    lookup = await served.http.get(
        "/v1/profiles/lookup", params={"crm_customer_id": "nobody"}, headers=served.token("agent")
    )
    assert lookup.status_code == 404
    unclear = await served.http.get(
        "/v1/profiles/lookup", params={"handle": "jo"}, headers=served.token("agent")
    )
    assert unclear.status_code == 400


async def test_a_profile_needs_an_identity(served: Any, mongo_db: Database) -> None:
    refused = await served.http.post(
        "/v1/profiles", json={"display_name": "Jo"}, headers=served.token("integration")
    )
    assert refused.status_code == 422
    assert "at least one of" in refused.text
    assert await mongo_db["profiles"].count_documents({}) == 0


async def test_the_csv_link_import_links_good_rows_and_reports_bad_ones(
    served: Any, mongo_db: Database
) -> None:
    await served.handle(on_mention_ingested, ingested(1, author="taken"))
    csv = (
        "crm_customer_id,email,platform,author_id,handle\n"
        "C-10,ten@example.com,x,1010,ten\n"
        "C-11,bad-address,x,1111,eleven\n"
        "C-12,,x,taken,\n"
        "C-10,,,,\n"
    )
    response = await served.http.post(
        "/v1/profiles/links",
        content=csv,
        headers={**served.token("integration"), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["rows"], result["created"], result["rejected"], result["unchanged"]) == (
        4,
        1,
        2,
        1,
    )
    assert [e["row"] for e in result["errors"]] == [2, 3]
    assert "belongs to another profile" in result["errors"][1]["reason"]
    found = await mongo_db["profiles"].find_one({"identities.key": "x:1010"})
    assert found is not None
    assert {i["key"] for i in found["identities"]} == {
        "crm:C-10",
        "email:ten@example.com",
        "x:1010",
    }
    assert await mongo_db["profiles"].find_one({"identities.key": "crm:C-11"}) is None


async def test_the_csv_link_import_wants_csv_with_known_columns(served: Any) -> None:
    as_json = await served.http.post(
        "/v1/profiles/links", json={}, headers=served.token("integration")
    )
    assert as_json.status_code == 415
    unknown = await served.http.post(
        "/v1/profiles/links",
        content="crm_customer_id,shoe_size\nC-1,44\n",
        headers={**served.token("integration"), "Content-Type": "text/csv"},
    )
    assert unknown.status_code == 422
