"""What a mention batch reads, seen by MongoDB's own profiler: only its authors' profiles, never
a walk past the others (the read is in every batch, so its cost must not grow with the number
of profiles)."""

import pytest

from rapport.events.factories import ingested
from rapport.mongo import Database

from .test_mention_batches import ready

pytestmark = pytest.mark.integration


async def test_a_batch_examines_only_its_own_authors_profiles(mongo_db: Database) -> None:
    profiles = await ready(mongo_db)
    await profiles.batch([ingested(n, author=f"a{n}") for n in range(200)])
    await mongo_db.command("profile", 2)
    try:
        await profiles.batch([ingested(1_000 + n, author=f"a{n}") for n in range(0, 200, 2)])
    finally:
        await mongo_db.command("profile", 0)
    profiled = {"ns": f"{mongo_db.name}.profiles", "op": "query"}
    reads = await mongo_db["system.profile"].find(profiled).to_list()
    assert reads  # the owners are read before the transaction and again within it
    assert [r["docsExamined"] for r in reads] == [100] * len(reads)
    assert {r["planSummary"] for r in reads} == {"IXSCAN { identities.key: 1 }"}
