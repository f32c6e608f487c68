"""``/v1/admin/parked-events``: the service's outbox events Kafka refused for good
(``rapport.outbox_parked``), on every service (``operations`` scope). The producer side's
counterpart of its dead letters."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from rapport.api import JsonBody, require
from rapport.auth import Principal, Scope
from rapport.dlq.api import Note
from rapport.openapi import refused
from rapport.outbox_parked import MAX_PAGE, Action, ParkedEvents

PREFIX = "/v1/admin/parked-events"
router = APIRouter(prefix=PREFIX, tags=["dead letters"], responses=refused(404))
OPERATIONS = require(Scope.OPERATIONS)
Operator = Annotated[Principal, OPERATIONS]
EventId = Annotated[str, Path(min_length=1, max_length=100, description="the event's id")]


def parked_events(request: Request) -> ParkedEvents:
    parked: ParkedEvents = request.app.state.parked_events
    return parked


Parked = Annotated[ParkedEvents, Depends(parked_events)]


@router.get("")
async def list_parked(
    _: Operator,
    parked: Parked,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    after: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> dict[str, Any]:
    """Parked events, oldest first, without their value; page on with ``after=next``."""
    events = await parked.listing(limit=limit, after=after)
    return {"events": events, "next": events[-1]["event_id"] if len(events) == limit else None}


@router.post("/{event_id}/republish", dependencies=[OPERATIONS, JsonBody])
async def republish(who: Operator, parked: Parked, event_id: EventId, body: Note) -> dict[str, Any]:
    """Put the event back in line: the relay sends it again (and parks it again if Kafka still
    refuses it). Fix the cause first, e.g. raise the topic's ``max.message.bytes``."""
    return await parked.act(event_id, Action.REPUBLISH, by=who.subject, note=body.note)


@router.post("/{event_id}/discard", dependencies=[OPERATIONS, JsonBody])
async def discard(who: Operator, parked: Parked, event_id: EventId, body: Note) -> dict[str, Any]:
    """Delete the event: it will never be published. Audited in ``outbox_actions``."""
    return await parked.act(event_id, Action.DISCARD, by=who.subject, note=body.note)
