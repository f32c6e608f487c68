"""Saved replies (macros): supervisors keep them, agents list them and fill one in for a case.
Variables: {{customer.name}}, {{customer.handle}}, {{agent.name}}, {{case.id}}."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel

from rapport.api import JsonBody, StrictModel
from rapport.openapi import refused
from responder.api.deps import READ, SUPERVISE, Agent, MacrosDep, PortsDep, Supervisor
from responder.domain.macros import Macro, MacroName, MacroText
from responder.use_cases import macros as use

router = APIRouter(prefix="/v1", tags=["macros"])


class MacroIn(StrictModel):
    name: MacroName
    text: MacroText


class MacroView(BaseModel):
    macro_id: UUID
    name: str
    text: str
    updated_by: str
    updated_at: datetime

    @classmethod
    def of(cls, macro: Macro) -> "MacroView":
        return cls.model_validate({**macro.model_dump(), "macro_id": macro.id})


class Rendered(BaseModel):
    text: str
    """The macro filled in for the case, for the agent to edit and send."""


@router.get("/macros", dependencies=READ)
async def list_macros(macros: MacrosDep) -> list[MacroView]:
    """Every saved reply, by name."""
    return [MacroView.of(m) for m in await macros.all()]


@router.get("/macros/{macro_id}", dependencies=READ)
async def get_macro(macros: MacrosDep, macro_id: UUID) -> MacroView:
    """One saved reply."""
    macro = await macros.get(macro_id)
    if macro is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, use.UnknownMacro.reason)
    return MacroView.of(macro)


@router.put("/macros/{macro_id}", dependencies=[*SUPERVISE, JsonBody])
async def put_macro(
    ports: PortsDep, macros: MacrosDep, principal: Supervisor, macro_id: UUID, body: MacroIn
) -> MacroView:
    """Create or replace a saved reply; 422 naming a variable it cannot fill."""
    saved = await use.save(ports, macros, macro_id, body.name, body.text, principal.subject)
    return MacroView.of(saved)


@router.delete("/macros/{macro_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=SUPERVISE)
async def delete_macro(macros: MacrosDep, macro_id: UUID) -> Response:
    """Delete a saved reply."""
    if not await macros.delete(macro_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, use.UnknownMacro.reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/cases/{case_id}/macros/{macro_id}/render", dependencies=READ, responses=refused(422))
async def render_macro(
    ports: PortsDep, macros: MacrosDep, principal: Agent, case_id: UUID, macro_id: UUID
) -> Rendered:
    """The saved reply filled in for the case and the calling agent (nothing is sent)."""
    return Rendered(text=await use.rendered(ports, macros, case_id, macro_id, principal.subject))
