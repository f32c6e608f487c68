"""What a batch's tier-window read costs, seen by MongoDB's own explain: only the batch's members'
earnings credited inside the window, never every credited entry in the ledger (the read is in
every batch, so its cost must not grow with the ledger)."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from loyalty.adapters.batch_standing import batch_standing_stages
from loyalty.domain.batches import BatchQuery
from loyalty.migrations import MIGRATIONS
from rapport.mongo import Database, ensure_indexes
from services.loyalty.tests.integration.conftest import settings

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 1, tzinfo=UTC)
WINDOW = timedelta(days=365)


def earning(member: UUID, n: int, credited_at: datetime, status: str = "credited") -> Any:
    return {
        "_id": f"{member}:{n}",
        "profile_id": member,
        "kind": "earn",
        "rule": "mention",
        "status": status,
        "points": 1,
        "at": credited_at,
        "credited_at": credited_at,
    }


def lookup_named(explained: dict[str, Any], name: str) -> dict[str, Any]:
    stages = explained["stages"]
    return next(s for s in stages if s.get("$lookup", {}).get("as") == name)


async def test_a_batch_reads_only_its_members_earnings_inside_the_tier_window(
    mongo_db: Database,
) -> None:
    await ensure_indexes(mongo_db, MIGRATIONS.indexes(settings()))
    members = [uuid4() for _ in range(40)]
    entries = []
    for member in members:
        entries += [earning(member, n, NOW - timedelta(days=n)) for n in range(10)]
        entries += [
            earning(member, 100 + n, NOW - WINDOW - timedelta(days=n + 1)) for n in range(10)
        ]
        entries += [earning(member, 200 + n, NOW, status="held") for n in range(5)]
    await mongo_db["ledger"].insert_many(entries)
    batch = members[:8]
    query = BatchQuery(
        profile_ids=batch, entry_ids=[], rules=[], questions=[], now=NOW, tier_window=WINDOW
    )
    stages = batch_standing_stages(query)
    explained = await mongo_db.command(
        "explain",
        {"aggregate": 1, "pipeline": stages, "cursor": {}},
        verbosity="executionStats",
        codec_options=mongo_db.codec_options,
    )
    windows = lookup_named(explained, "windows")
    assert windows["collectionScans"] == 0
    assert windows["totalDocsExamined"] == 8 * 10
    assert windows["indexesUsed"] == ["profile_id_1_credited_at_1"]
    found = await (await mongo_db.aggregate(stages)).to_list()
    assert {w["_id"]: w["points"] for w in found[0]["windows"]} == {m: 10 for m in batch}
