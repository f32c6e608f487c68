from typing import Any

import pytest

from ingest import intake
from ingest.domain.normalize import MentionIn
from ingest.intake import BrandAccounts, Intake
from ingest.repository import archive_id
from rapport.events import Mention, Source


class Archive:
    def __init__(self, archived: set[str]) -> None:
        self.archived = archived
        self.stored: list[Mention] = []

    async def known(self, ids: list[str]) -> set[str]:
        return self.archived & set(ids)

    async def accept(self, mentions: list[Mention]) -> list[bool]:
        self.stored += mentions
        self.archived |= {archive_id(m) for m in mentions}
        return [True] * len(mentions)


class Relay:
    def wake(self) -> None:
        pass


def incoming(external_id: str) -> MentionIn:
    return MentionIn.model_validate(
        {
            "platform": "x",
            "external_id": external_id,
            "author": {"id": "ann"},
            "text": "My grinder is broken",
            "created_at": "2026-11-20T09:00:00Z",
        }
    )


async def test_only_mentions_not_archived_yet_are_analysed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analysed: list[str] = []
    real = intake.analyse

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        analysed.append(text)
        return real(text, *args, engine="lexicon")

    monkeypatch.setattr(intake, "analyse", counting)
    archive = Archive({"x:old"})
    desk = Intake(archive, Relay(), BrandAccounts([]))  # type: ignore[arg-type]

    results = await desk.accept([incoming("old"), incoming("new"), incoming("new")], Source.API)

    assert [r.status for r in results] == ["duplicate", "accepted", "duplicate"]
    assert len(analysed) == 1
    assert [m.external_id for m in archive.stored] == ["new"]
