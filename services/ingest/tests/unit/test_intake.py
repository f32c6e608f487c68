from ingest.domain.normalize import MentionIn
from ingest.intake import BrandAccounts, Intake
from ingest.repository import archive_id
from rapport.events import Mention, SentimentLabel, Source


class Archive:
    def __init__(self, archived: set[str]) -> None:
        self.archived = archived
        self.stored: list[Mention] = []
        self.import_ids: list[str | None] = []

    async def accept(self, mentions: list[Mention], *, import_id: str | None = None) -> list[bool]:
        new = []
        for mention in mentions:
            new.append(archive_id(mention) not in self.archived)
            if new[-1]:
                self.stored.append(mention)
                self.archived.add(archive_id(mention))
        self.import_ids.append(import_id)
        return new


class Suppressions:
    """Authors erased (with their posts) before the test: mentions by them are old."""

    def __init__(self, *erased: str) -> None:
        self.erased = set(erased)

    async def old_mentions(self, mentions: list[Mention]) -> list[bool]:
        return [m.author.id in self.erased for m in mentions]


def incoming(external_id: str, author: str = "ann") -> MentionIn:
    return MentionIn.model_validate(
        {
            "platform": "x",
            "external_id": external_id,
            "author": {"id": author},
            "text": "My grinder is broken, this is the worst",
            "created_at": "2026-11-20T09:00:00Z",
        }
    )


async def test_mentions_are_stored_unanalysed_and_the_analysis_stage_is_woken() -> None:
    archive, woken = Archive({"x:old"}), []
    desk = Intake(archive, BrandAccounts([]), Suppressions(), stored=lambda: woken.append(True))

    results = await desk.accept(
        [incoming("old"), incoming("new"), incoming("new")], Source.IMPORT, import_id="i1"
    )

    assert [r.status for r in results] == ["duplicate", "accepted", "duplicate"]
    (stored,) = archive.stored
    assert stored.external_id == "new"
    assert (stored.language, stored.sentiment.label, stored.intents) == (
        None,
        SentimentLabel.NEUTRAL,
        [],
    )
    assert (stored.source, archive.import_ids, woken) == (Source.IMPORT, ["i1"], [True])


async def test_an_erased_authors_old_mentions_are_reported_suppressed_and_never_archived() -> None:
    archive = Archive({"x:old"})
    desk = Intake(archive, BrandAccounts([]), Suppressions("gone"))

    results = await desk.accept(
        [incoming("a", "gone"), incoming("old"), incoming("b"), incoming("c", "gone")], Source.API
    )

    assert [r.status for r in results] == ["suppressed", "duplicate", "accepted", "suppressed"]
    assert [m.external_id for m in archive.stored] == ["b"]


async def test_a_delivery_of_only_suppressed_mentions_archives_nothing() -> None:
    archive = Archive(set())
    desk = Intake(archive, BrandAccounts([]), Suppressions("gone"))

    results = await desk.accept([incoming("a", "gone")], Source.WEBHOOK)

    assert [r.status for r in results] == ["suppressed"]
    assert (archive.stored, archive.import_ids) == ([], [])
