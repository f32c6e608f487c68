"""The local MongoDB aborts a transaction its client abandoned (a SIGKILLed service) after
seconds, not MongoDB's default minute during which its locks stall every writer behind it."""

import sys

import pytest
from pymongo import AsyncMongoClient

from tests.support import REPO

sys.path.insert(0, str(REPO / "deploy" / "local"))

from local_mongo import TRANSACTION_LIFETIME_S

pytestmark = pytest.mark.integration


async def test_the_stacks_mongod_expires_abandoned_transactions_quickly(mongo_url: str) -> None:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url)
    try:
        found = await client.admin.command(
            {"getParameter": 1, "transactionLifetimeLimitSeconds": 1}
        )
    finally:
        await client.close()
    assert found["transactionLifetimeLimitSeconds"] == TRANSACTION_LIFETIME_S < 60
