"""Who is here: the caller (the console shows it after sign-in) and who else has a case open."""

from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from responder.adapters.viewer_store import Viewer
from responder.api.deps import READ, Agent, PortsDep, ViewersDep

router = APIRouter(prefix="/v1", tags=["presence"])


class Me(BaseModel):
    subject: str
    scopes: list[str]


class Presence(BaseModel):
    holder: str | None
    """The agent holding the case."""
    viewers: list[Viewer]
    """Agents with the case open in the console (the caller included)."""


@router.get("/me")
async def me(principal: Agent) -> Me:
    """Who the token belongs to and what it may do."""
    return Me(subject=principal.subject, scopes=sorted(principal.scopes))


@router.post("/cases/{case_id}/viewers", dependencies=READ)
async def viewing(
    ports: PortsDep, viewers: ViewersDep, principal: Agent, case_id: UUID
) -> Presence:
    """The console's heartbeat while an agent has the case open: who is viewing and holding it."""
    case = await ports.cases.get(case_id)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such case")
    now = ports.clock()
    await viewers.seen(case_id, principal.subject, now)
    return Presence(holder=case.assignee, viewers=await viewers.of_case(case_id, now))
