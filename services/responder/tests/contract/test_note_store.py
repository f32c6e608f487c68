"""Internal notes on the fake and on MongoDB: kept once per id, listed by case in order."""

from datetime import timedelta
from uuid import UUID

import pytest

from rapport.events.factories import BASE_TIME
from responder.domain.notes import Note

from .conftest import Backend

pytestmark = pytest.mark.integration


def a_note(n: int, case: int = 1, text: str = "called them back") -> Note:
    at = BASE_TIME + timedelta(minutes=10 - n)
    return Note.model_validate(
        {
            "_id": UUID(int=n),
            "case_id": UUID(int=case),
            "author": "ann",
            "text": text,
            "created_at": at,
        }
    )


class TestNoteStore:
    async def test_a_note_is_kept_once_and_listed_oldest_first(self, backend: Backend) -> None:
        notes = backend.notes
        first = await notes.add(a_note(1))
        assert await notes.add(a_note(1, text="changed")) == first
        await notes.add(a_note(2))
        await notes.add(a_note(3, case=2))
        listed = await notes.of_case(UUID(int=1))
        assert [n.id for n in listed] == [UUID(int=2), UUID(int=1)]
        assert [n.text for n in listed] == ["called them back"] * 2
        assert await notes.of_case(UUID(int=9)) == []
