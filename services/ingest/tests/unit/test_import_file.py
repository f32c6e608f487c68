"""Running an import against the in-memory archive and import records (``ingest.fakes``)."""

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime

import pytest
from starlette.requests import ClientDisconnect

from ingest.domain.normalize import MentionIn
from ingest.fakes import FakeArchive, FakeImportStore, FakeSuppressions
from ingest.imports.rows import Parsed, Rejected, Row
from ingest.use_cases import import_file
from ingest.use_cases.intake import BrandAccounts, Intake

ERASED_AT = datetime(2026, 12, 1, tzinfo=UTC)


def row(n: int, author: str = "ann", *, from_brand: bool = False) -> Row:
    mention = MentionIn.model_validate(
        {
            "platform": "x",
            "external_id": f"t{n}",
            "author": {"id": author},
            "text": f"the grinder is loud {n}",
            "created_at": "2026-11-20T09:00:00Z",
        }
    )
    return Row(number=n, line=n + 1, mention=mention, from_brand=from_brand)


async def rows(items: Iterable[Parsed], *, then: Exception | None = None) -> AsyncIterator[Parsed]:
    for item in items:
        yield item
    if then is not None:
        raise then


class Imported:
    def __init__(self, *erased: str) -> None:
        self.archive, self.store = FakeArchive(), FakeImportStore()
        self.intake = Intake(
            self.archive, BrandAccounts([]), FakeSuppressions({f"x:{a}": ERASED_AT for a in erased})
        )

    async def run(self, parsed: AsyncIterator[Parsed], batch_size: int = 2) -> str:
        import_id = await self.store.create("csv", "x")
        await import_file.run(
            import_id, parsed, intake=self.intake, store=self.store, batch_size=batch_size
        )
        return import_id


async def test_rows_are_accepted_in_batches_and_counted_and_the_import_completes() -> None:
    imported = Imported("gone")
    parsed: list[Parsed] = [
        row(1),
        row(2),
        row(1),
        Rejected(3, 4, "no text"),
        row(4, "gone"),
        row(5),
    ]

    import_id = await imported.run(rows(parsed))

    found = await imported.store.get(import_id)
    assert found is not None
    counts = [found[c] for c in ("read", "accepted", "duplicate", "suppressed", "rejected")]
    assert counts == [6, 3, 1, 1, 1]
    assert (found["state"], found["errors"]) == (
        "completed",
        [{"row": 3, "line": 4, "reason": "no text"}],
    )
    assert sorted(imported.archive.stored) == ["x:t1", "x:t2", "x:t5"]
    assert set(imported.archive.import_ids) == {import_id}
    assert len(imported.archive.import_ids) == 3  # batches of two rows


async def test_a_row_the_source_marks_as_the_brands_is_stored_as_from_the_brand() -> None:
    imported = Imported()

    await imported.run(rows([row(1, "brand", from_brand=True), row(2, "brand")]))

    assert [m.from_brand for m in imported.archive.stored.values()] == [True, True]


async def test_an_interrupted_upload_fails_the_import_and_keeps_what_was_accepted() -> None:
    imported = Imported()

    with pytest.raises(ClientDisconnect):
        await imported.run(rows([row(1), row(2), row(3)], then=ClientDisconnect()))

    (found,) = imported.store.imports.values()
    assert (found["state"], found["reason"]) == ("failed", "the upload was interrupted")
    assert (found["accepted"], sorted(imported.archive.stored)) == (2, ["x:t1", "x:t2"])
