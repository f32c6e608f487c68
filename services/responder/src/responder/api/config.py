"""What supervisors configure: agents, routing rules, SLA policies. Each is validated whole
when saved (422 naming the problem) and stored only then."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Path, status

from rapport.api import JsonBody
from rapport.events import Priority
from responder.api.deps import READ, SUPERVISE, PortsDep
from responder.domain.agents import AGENT_ID, Agent, AgentIn
from responder.domain.routing import DEFAULT_RULES, Rule
from responder.domain.sla import Policy

router = APIRouter(prefix="/v1", tags=["configuration"])
AgentPath = Annotated[str, Path(pattern=AGENT_ID)]


class StoredRule(Rule):
    rule_id: UUID | None
    """None for the built-in defaults, which apply after every stored rule."""


@router.put("/agents/{agent_id}", dependencies=[*SUPERVISE, JsonBody])
async def put_agent(ports: PortsDep, agent_id: AgentPath, body: AgentIn) -> Agent:
    """Create or update an agent (the id is the subject of the agent's token)."""
    return await ports.agents.put(agent_id, body)


@router.get("/agents", dependencies=READ)
async def list_agents(ports: PortsDep) -> list[Agent]:
    """Every agent with skills, capacity, availability and current load."""
    return await ports.agents.all()


@router.get("/routing-rules", dependencies=READ)
async def list_rules(ports: PortsDep) -> list[StoredRule]:
    """Stored rules by order, then the built-in defaults."""
    stored = [
        StoredRule(rule_id=rule_id, **rule.model_dump())
        for rule_id, rule in await ports.routing_rules.all()
    ]
    return stored + [StoredRule(rule_id=None, **rule.model_dump()) for rule in DEFAULT_RULES]


@router.put("/routing-rules/{rule_id}", dependencies=[*SUPERVISE, JsonBody])
async def put_rule(ports: PortsDep, rule_id: UUID, body: Rule) -> StoredRule:
    """Create or replace a routing rule; it applies to cases opened from now on."""
    await ports.routing_rules.put(rule_id, body)
    return StoredRule(rule_id=rule_id, **body.model_dump())


@router.delete(
    "/routing-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=SUPERVISE
)
async def delete_rule(ports: PortsDep, rule_id: UUID) -> None:
    """Remove a routing rule."""
    if not await ports.routing_rules.delete(rule_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such rule")


@router.get("/sla-policies", dependencies=READ)
async def list_policies(ports: PortsDep) -> dict[Priority, Policy]:
    """The SLA policy of each priority (the defaults where none was set)."""
    return await ports.policies.all()


@router.put("/sla-policies/{priority}", dependencies=[*SUPERVISE, JsonBody])
async def put_policy(ports: PortsDep, priority: Priority, body: Policy) -> Policy:
    """Set a priority's SLA; due times of cases change with their next change."""
    await ports.policies.put(priority, body)
    return body
