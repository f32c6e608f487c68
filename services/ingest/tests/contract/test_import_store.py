"""One contract for ``ImportStore``, run against the in-memory fake and MongoDB."""

import pytest

from ingest.adapters.import_store import MongoImportStore
from ingest.fakes import FakeImportStore
from ingest.imports.rows import Rejected
from ingest.ports import COUNTS, MAX_ERRORS, ImportStore, Progress, State
from rapport.mongo import Database

pytestmark = pytest.mark.integration


def rejected(n: int) -> Rejected:
    return Rejected(number=n, line=n + 1, reason=f"row {n} is bad")


class ImportStoreContract:
    async def test_a_new_import_runs_with_every_count_at_zero(self, imports: ImportStore) -> None:
        import_id = await imports.create("csv", "x")

        found = await imports.get(import_id)

        assert found is not None
        assert len(import_id) == 32
        assert (found["_id"], found["format"], found["platform"]) == (import_id, "csv", "x")
        assert (found["state"], found["reason"], found["errors"]) == ("running", None, [])
        assert {count: found[count] for count in COUNTS} == dict.fromkeys(COUNTS, 0)

    async def test_reports_add_up_and_keep_the_first_rejections(self, imports: ImportStore) -> None:
        import_id = await imports.create("jsonl", None)

        await imports.report(import_id, Progress(read=3, accepted=1, duplicate=1, suppressed=1))
        many = [rejected(n) for n in range(MAX_ERRORS + 5)]
        await imports.report(import_id, Progress(read=len(many), rejected=many))

        found = await imports.get(import_id)
        assert found is not None
        counts = [found[c] for c in ("read", "accepted", "duplicate", "suppressed", "rejected")]
        assert counts == [3 + len(many), 1, 1, 1, len(many)]
        assert len(found["errors"]) == MAX_ERRORS
        assert found["errors"][0] == {"row": 0, "line": 1, "reason": "row 0 is bad"}

    async def test_a_finished_import_says_how_it_ended(self, imports: ImportStore) -> None:
        done, failed = await imports.create("csv", None), await imports.create("csv", None)

        await imports.finish(done, State.COMPLETED)
        await imports.finish(failed, State.FAILED, "the upload was interrupted")

        found = [await imports.get(i) for i in (done, failed)]
        assert [(f["state"], f["reason"]) for f in found if f] == [
            ("completed", None),
            ("failed", "the upload was interrupted"),
        ]

    async def test_an_unknown_import_is_none(self, imports: ImportStore) -> None:
        assert await imports.get("0" * 32) is None


class TestFakeImportStore(ImportStoreContract):
    @pytest.fixture
    def imports(self) -> FakeImportStore:
        return FakeImportStore()


class TestMongoImportStore(ImportStoreContract):
    @pytest.fixture
    def imports(self, mongo_db: Database) -> MongoImportStore:
        return MongoImportStore(mongo_db)
