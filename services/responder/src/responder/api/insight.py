"""How the desk is doing: queues with counts, handoff metrics."""

from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from rapport.bounds import Timestamp
from responder.api.deps import READ, PortsDep
from responder.domain.agents import AgentId
from responder.domain.handoff import Handoff, TargetShare, handoff, target_shares
from responder.domain.routing import Name

router = APIRouter(prefix="/v1", tags=["insight"])
DEFAULT_RANGE = timedelta(days=7)
MAX_CASES = 200_000


class QueueCounts(BaseModel):
    queue: str
    active: int
    unassigned: int
    breached: int
    urgent: int


class HandoffReport(BaseModel):
    since: datetime
    until: datetime
    overall: Handoff
    targets: dict[str, TargetShare]
    """Per SLA target: clocks decided and the share met in time (pauses not counted)."""
    queues: dict[str, Handoff]
    agents: dict[str, Handoff]


@router.get("/queues", dependencies=READ)
async def queues(ports: PortsDep) -> list[QueueCounts]:
    """Every queue with active cases: how many, unassigned, breached, urgent."""
    return [QueueCounts.model_validate(row) for row in await ports.cases.queue_counts()]


@router.get("/handoff", dependencies=READ)
async def handoff_metrics(
    ports: PortsDep,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    queue: Name | None = None,
    agent: AgentId | None = None,
) -> HandoffReport:
    """Time to first response and to resolution (median, p90, seconds), share answered within
    SLA, backlog and breaches, overall, per queue and per agent, and the share met in time of
    each SLA target, for cases opened (platform time) in [since, until): by default the last
    seven days."""
    until = until or ports.clock()
    since = since or until - DEFAULT_RANGE
    if since >= until:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "since must be before until")
    query: dict[str, object] = {"opened_at": {"$gte": since, "$lt": until}}
    if queue is not None:
        query["queue"] = queue
    if agent is not None:
        query["assignee"] = agent
    if await ports.cases.count(query) > MAX_CASES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"over {MAX_CASES} cases: narrow the range"
        )
    cases = await ports.cases.find(query, [("opened_at", 1)], 0, MAX_CASES)
    now = ports.clock()
    by_queue = sorted({c.queue for c in cases})
    by_agent = sorted({c.assignee for c in cases if c.assignee})
    return HandoffReport(
        since=since,
        until=until,
        overall=handoff(cases, now),
        targets=dict(target_shares(cases, now)),
        queues={q: handoff([c for c in cases if c.queue == q], now) for q in by_queue},
        agents={a: handoff([c for c in cases if c.assignee == a], now) for a in by_agent},
    )
