"""SIGKILL services in the middle of a stream: afterwards every mention has exactly one effect."""

from typing import Any

import httpx
import pytest

from rapport.mongo import Database
from rapport.testing import eventually, unique
from tests.support import WAIT_S, Platform, mention, negative, positive, profile_id

pytestmark = pytest.mark.e2e
AUTHORS = 12


async def post(http: httpx.AsyncClient, platform: Platform, batch: list[dict[str, Any]]) -> None:
    response = await http.post(
        f"{platform.url('ingest')}/v1/mentions",
        json={"mentions": batch},
        headers=platform.token("integration"),
    )
    assert response.status_code == 202
    assert response.json()["accepted"] == len(batch)


async def test_every_mention_has_one_effect_after_services_are_killed_mid_stream(
    http: httpx.AsyncClient, platform: Platform, dbs: dict[str, Database]
) -> None:
    authors = [unique("chaos") for _ in range(AUTHORS)]
    plan = [(unique("c"), authors[i % AUTHORS], (i // AUTHORS) % 3 != 0) for i in range(180)]
    batches = [
        [
            mention(ext, author, positive() if happy else negative())
            for ext, author, happy in plan[i : i + 60]
        ]
        for i in range(0, len(plan), 60)
    ]
    pids = [profile_id(a) for a in authors]
    history = dbs["profiles"]["history"]

    await post(http, platform, batches[0])
    await eventually(
        lambda: history.count_documents({"profile_id": {"$in": pids}}),
        timeout_s=WAIT_S,
        interval_s=0.005,
    )
    platform.kill("profiles")
    platform.kill("loyalty")
    processed_at_kill = await history.count_documents({"profile_id": {"$in": pids}})

    await post(http, platform, batches[1])
    platform.kill("ingest")
    for name in ("ingest", "profiles", "loyalty"):
        platform.start(name)
    await post(http, platform, batches[2])

    positives = {a: sum(1 for _, who, happy in plan if who == a and happy) for a in authors}
    negatives = {a: sum(1 for _, who, happy in plan if who == a and not happy) for a in authors}

    async def settled() -> bool:
        ledger = await dbs["loyalty"]["ledger"].count_documents({"profile_id": {"$in": pids}})
        cases = await dbs["responder"]["cases"].find({"profile_id": {"$in": pids}}).to_list()
        threaded = sum(len(c["mention_ids"]) for c in cases)
        recorded = await history.count_documents({"profile_id": {"$in": pids}})
        return (
            ledger >= sum(positives.values())
            and threaded >= sum(negatives.values())
            and recorded >= len(plan)
        )

    await eventually(settled, timeout_s=2 * WAIT_S, interval_s=0.5)

    assert 0 < processed_at_kill <= len(batches[0])
    assert await dbs["ingest"]["mentions"].count_documents(
        {"author_key": {"$in": [f"x:{a}" for a in authors]}}
    ) == len(plan)
    for author, pid in zip(authors, pids, strict=True):
        profile = await dbs["profiles"]["profiles"].find_one({"_id": pid})
        assert profile is not None
        assert profile["mention_count"] == positives[author] + negatives[author]
        member = await dbs["loyalty"]["members"].find_one({"_id": pid})
        assert member is not None
        assert member["balance"] == 10 * positives[author]
        assert (
            await dbs["loyalty"]["ledger"].count_documents({"profile_id": pid}) == positives[author]
        )
        (case,) = await dbs["responder"]["cases"].find({"profile_id": pid}).to_list()
        assert len(case["mention_ids"]) == len(set(case["mention_ids"])) == negatives[author]
