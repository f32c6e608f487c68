"""Internal notes on a case, written by any agent or supervisor (no claim needed)."""

from uuid import UUID

from rapport.errors import Conflict
from responder.domain.notes import Note
from responder.ports import NoteStore, Ports
from responder.use_cases.case_changes import UnknownCase


class NoteIdTaken(Conflict):
    reason = "this note id was used for another note"


async def add_note(
    ports: Ports, notes: NoteStore, case_id: UUID, author: str, note_id: UUID, text: str
) -> Note:
    """The note, stored once per id (the same call again answers the stored note)."""
    if await ports.cases.get(case_id) is None:
        raise UnknownCase(str(case_id))
    note = Note.model_validate(
        {
            "_id": note_id,
            "case_id": case_id,
            "author": author,
            "text": text,
            "created_at": ports.clock(),
        }
    )
    stored = await notes.add(note)
    if (stored.case_id, stored.author, stored.text) != (case_id, author, note.text):
        raise NoteIdTaken(str(note_id))
    return stored
