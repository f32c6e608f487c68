"""Saved replies: kept by supervisors (checked when saved), filled in for a case on request."""

from uuid import UUID

from rapport.errors import NotFound
from responder.domain.macros import Macro, check, render, values_for
from responder.ports import MacroStore, Ports
from responder.use_cases.case_changes import UnknownCase


class UnknownMacro(NotFound):
    reason = "no such saved reply"


async def save(
    ports: Ports, macros: MacroStore, macro_id: UUID, name: str, text: str, by: str
) -> Macro:
    """Create or replace the macro; ``UnknownVariable`` names a variable it cannot fill."""
    check(text)
    macro = Macro.model_validate(
        {"_id": macro_id, "name": name, "text": text, "updated_by": by, "updated_at": ports.clock()}
    )
    return await macros.put(macro)


async def rendered(
    ports: Ports, macros: MacroStore, case_id: UUID, macro_id: UUID, agent_id: str
) -> str:
    """The macro's text with its variables filled in for the case and the calling agent."""
    case = await ports.cases.get(case_id)
    if case is None:
        raise UnknownCase(str(case_id))
    macro = await macros.get(macro_id)
    if macro is None:
        raise UnknownMacro(str(macro_id))
    agent = await ports.agents.get(agent_id)
    name = agent.name if agent is not None else agent_id
    return render(macro.text, values_for(case.id, case.handle, case.customer_name, name))
