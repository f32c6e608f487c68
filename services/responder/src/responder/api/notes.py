"""Internal notes on a case: agents' words for each other, never sent to the customer."""

from uuid import UUID

from fastapi import APIRouter, status

from rapport.api import JsonBody, StrictModel
from rapport.openapi import refused
from responder.api.deps import READ, Agent, NotesDep, PortsDep
from responder.api.views import NoteView
from responder.domain.notes import NoteText
from responder.use_cases.case_notes import add_note

router = APIRouter(prefix="/v1", tags=["cases"])


class NoteIn(StrictModel):
    note_id: UUID
    """Chosen by the caller: writing the same note again is recognised, never stored twice."""
    text: NoteText


@router.post(
    "/cases/{case_id}/notes",
    status_code=status.HTTP_201_CREATED,
    dependencies=[*READ, JsonBody],
    responses=refused(409),
)
async def write_note(
    ports: PortsDep, notes: NotesDep, principal: Agent, case_id: UUID, body: NoteIn
) -> NoteView:
    """Add an internal note to the case, signed by the caller (any agent or supervisor)."""
    note = await add_note(ports, notes, case_id, principal.subject, body.note_id, body.text)
    return NoteView.of(note)
