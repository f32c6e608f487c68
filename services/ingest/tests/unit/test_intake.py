from datetime import UTC, datetime

from ingest.domain.normalize import MentionIn
from ingest.fakes import FakeArchive, FakeSuppressions
from ingest.use_cases.intake import BrandAccounts, Intake, provisional
from rapport.events import SentimentLabel, Source

ERASED_AT = datetime(2026, 12, 1, tzinfo=UTC)
"""After every mention of these tests was posted."""


def incoming(external_id: str, author: str = "ann") -> MentionIn:
    mention: MentionIn = MentionIn.model_validate(
        {
            "platform": "x",
            "external_id": external_id,
            "author": {"id": author},
            "text": "My grinder is broken, this is the worst",
            "created_at": "2026-11-20T09:00:00Z",
        }
    )
    return mention


async def test_mentions_are_stored_unanalysed_and_the_analysis_stage_is_woken() -> None:
    archive, woken = FakeArchive(), []
    await archive.accept([provisional(incoming("old"), brand=BrandAccounts([]), source=Source.API)])
    desk = Intake(archive, BrandAccounts([]), FakeSuppressions(), stored=lambda: woken.append(True))

    results = await desk.accept(
        [incoming("old"), incoming("new"), incoming("new")], Source.IMPORT, import_id="i1"
    )

    assert [r.status for r in results] == ["duplicate", "accepted", "duplicate"]
    assert list(archive.stored) == ["x:old", "x:new"]
    stored = archive.stored["x:new"]
    assert (stored.language, stored.sentiment.label, stored.intents) == (
        None,
        SentimentLabel.NEUTRAL,
        [],
    )
    assert (stored.source, archive.import_ids[1:], woken) == (Source.IMPORT, ["i1"], [True])


async def test_an_erased_authors_old_mentions_are_reported_suppressed_and_never_archived() -> None:
    archive = FakeArchive()
    await archive.accept([provisional(incoming("old"), brand=BrandAccounts([]), source=Source.API)])
    desk = Intake(archive, BrandAccounts([]), FakeSuppressions({"x:gone": ERASED_AT}))

    results = await desk.accept(
        [incoming("a", "gone"), incoming("old"), incoming("b"), incoming("c", "gone")], Source.API
    )

    assert [r.status for r in results] == ["suppressed", "duplicate", "accepted", "suppressed"]
    assert list(archive.stored) == ["x:old", "x:b"]


async def test_a_delivery_of_only_suppressed_mentions_archives_nothing() -> None:
    archive = FakeArchive()
    desk = Intake(archive, BrandAccounts([]), FakeSuppressions({"x:gone": ERASED_AT}))

    results = await desk.accept([incoming("a", "gone")], Source.WEBHOOK)

    assert [r.status for r in results] == ["suppressed"]
    assert (archive.stored, archive.import_ids) == ({}, [])
