"""Offer roll-outs through the API and the workers, on the real MongoDB: saving an offer answers
202 at once with where to follow it, the worker decides the whole audience, and two replicas
never run one roll-out together."""

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from loyalty.parts import Parts
from loyalty.workers import RolloutWorker
from rapport.events import OutreachDecided
from rapport.mongo import Database
from rapport.testing import MovableClock, eventually
from services.loyalty.tests.integration.conftest import outboxed, token

pytestmark = pytest.mark.integration
ADMIN = token("admin")


def offer_body(clock: MovableClock) -> dict[str, Any]:
    return {
        "title": "Descaler kit, 20% off",
        "stages": ["fan"],
        "starts_at": (clock() - timedelta(hours=1)).isoformat(),
        "expires_at": (clock() + timedelta(days=7)).isoformat(),
    }


async def fans(db: Database, count: int, *, consent: bool = True) -> list[UUID]:
    ids = [UUID(int=n + (0 if consent else 1000)) for n in range(1, count + 1)]
    docs = [{"_id": i, "balance": 0, "stage": "fan", "marketing_consent": consent} for i in ids]
    await db["members"].insert_many(docs)
    return ids


@asynccontextmanager
async def running(*workers: RolloutWorker) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    try:
        yield
    finally:
        for worker in workers:
            worker.stop()
        await asyncio.gather(*tasks)


async def finished(api: httpx.AsyncClient, location: str) -> dict[str, Any]:
    """The roll-out's status once it is done."""

    async def done() -> dict[str, Any] | None:
        status: dict[str, Any] = (await api.get(location, headers=ADMIN)).json()
        return status if status["state"] == "done" else None

    found: dict[str, Any] = await eventually(done, timeout_s=60)
    return found


async def decided(db: Database) -> list[UUID]:
    return [e.payload.profile_id for e in await outboxed(db) if isinstance(e, OutreachDecided)]


async def test_saving_an_offer_answers_202_and_the_worker_rolls_it_out(
    api: httpx.AsyncClient, live: Parts, mongo_db: Database, clock: MovableClock
) -> None:
    audience = await fans(mongo_db, 3)
    await fans(mongo_db, 2, consent=False)
    async with running(live.rollout_worker):
        saved = await api.put("/v1/offers/descaler", json=offer_body(clock), headers=ADMIN)
        assert saved.status_code == 202, saved.text
        assert saved.json()["rollout"]["targeted"] == 3
        location = saved.headers["location"]
        assert location == f"/v1/offers/descaler/rollouts/{saved.json()['rollout']['rollout_id']}"
        status = await finished(api, location)
    assert (status["done"], status["sent"], status["failed"]) == (3, 3, 0)
    assert sorted(await decided(mongo_db)) == audience


async def test_an_unknown_roll_out_is_404(api: httpx.AsyncClient, clock: MovableClock) -> None:
    saved = await api.put("/v1/offers/descaler", json=offer_body(clock), headers=ADMIN)
    rollout_id = saved.json()["rollout"]["rollout_id"]
    for url in ("/v1/offers/descaler/rollouts/nope", f"/v1/offers/other/rollouts/{rollout_id}"):
        response = await api.get(url, headers=ADMIN)
        assert response.status_code == 404
        assert response.json()["detail"]
    assert (await api.get(f"/v1/offers/descaler/rollouts/{rollout_id}")).status_code == 401


async def test_two_replicas_run_a_roll_out_once_page_by_page_with_no_cap(
    api: httpx.AsyncClient, live: Parts, mongo_db: Database, clock: MovableClock
) -> None:
    audience = await fans(mongo_db, 23)
    replicas = [
        RolloutWorker(dataclasses.replace(live.rollout_worker.runner, owner=owner, page_size=5))
        for owner in ("a", "b")
    ]
    async with running(*replicas):
        saved = await api.put("/v1/offers/descaler", json=offer_body(clock), headers=ADMIN)
        for replica in replicas:
            replica.wake()
        location = saved.headers["location"]
        status = await finished(api, location)
    assert (status["targeted"], status["done"], status["sent"]) == (23, 23, 23)
    assert sorted(await decided(mongo_db)) == audience
