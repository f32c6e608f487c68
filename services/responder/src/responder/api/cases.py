"""Cases: the inbox, a case with its conversation, and what agents do with it."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import Field

from rapport.api import JsonBody, StrictModel
from rapport.events import CaseState, Intent
from rapport.openapi import refused
from responder.api import cursors
from responder.api.cursors import MAX_CURSOR, BadCursor, fingerprint
from responder.api.deps import (
    READ,
    SUPERVISE,
    Agent,
    InboxDep,
    NotesDep,
    PortsDep,
    RepliesDep,
    supervises,
)
from responder.api.views import CaseDetail, CaseView, MessageView, NoteView, ReplyView
from responder.domain.accounts import Handle
from responder.domain.agents import AgentId
from responder.domain.case import Case
from responder.domain.inbox import MAX_QUERY, BadSearch, Position, search_words
from responder.domain.replies import Channel
from responder.domain.routing import Name
from responder.domain.suggestions import Suggestion, suggest
from responder.domain.tags import TAG_ANY_CASE
from responder.use_cases import case_actions, replying

router = APIRouter(prefix="/v1", tags=["cases"])
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=100_000)]


class Assignment(StrictModel):
    agent_id: AgentId


class StateChange(StrictModel):
    state: Literal[CaseState.WAITING_ON_CUSTOMER, CaseState.RESOLVED]


class ReplyIn(StrictModel):
    reply_id: UUID
    """Chosen by the caller: sending the same reply again is recognised, never sent twice."""
    text: Annotated[str, Field(min_length=1, max_length=2_000)]
    channel: Channel = "public"
    """Public: under the customer's last post; direct: a private message to the customer."""
    account: Handle | None = None
    """The brand account to answer from; by default the platform's default account."""


async def _case(ports: PortsDep, case_id: UUID) -> Case:
    case = await ports.cases.get(case_id)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such case")
    return case


@router.get("/cases", dependencies=READ, responses=refused(400))
async def list_cases(
    ports: PortsDep,
    inbox: InboxDep,
    request: Request,
    response: Response,
    queue: Name | None = None,
    state: CaseState | None = None,
    active: bool | None = None,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")] = None,
    intent: Intent | None = None,
    assignee: AgentId | None = None,
    profile_id: UUID | None = None,
    historical: bool | None = None,
    tag: Annotated[str | None, Query(pattern=TAG_ANY_CASE)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=MAX_QUERY)] = None,
    cursor: Annotated[str | None, Query(min_length=1, max_length=MAX_CURSOR)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[CaseView]:
    """Cases, most urgent first (priority score, then the earliest SLA due time), filtered
    (``active``: live and not resolved; ``historical``: opened from posts older than the live
    window; ``tag``: holding the tag) and searched (``q``: whole words, all of them, in the
    customer's messages, handle or name), each with a preview of the customer's latest message
    and a link to it.
    ``X-Total-Count`` says how many match; ``X-Next-Cursor`` (and ``Link: rel=next``) gives the
    next page, which holds neither a case already shown nor skips one when cases arrive."""
    filters = {
        "queue": queue,
        "state": state.value if state else None,
        "active": active,
        "language": language,
        "intents": intent.value if intent else None,
        "assignee": assignee,
        "profile_id": profile_id,
        "historical": historical,
        "tags": tag.lower() if tag else None,
    }
    query = {field: value for field, value in filters.items() if value is not None}
    words = _words(q)
    belongs = fingerprint({**query, "q": words})
    after = _position(cursor, belongs, offset)
    cases = await inbox.page(query, words, after, offset, limit)
    latest = await inbox.latest_from_customers([case.id for case in cases])
    response.headers["X-Total-Count"] = str(await inbox.count(query, words))
    if len(cases) == limit:
        following = cursors.encode(Position.of(cases[-1]), belongs)
        response.headers["X-Next-Cursor"] = following
        page = request.url.remove_query_params("offset").include_query_params(cursor=following)
        response.headers["Link"] = f'<{page}>; rel="next"'
    return [CaseView.of(case, latest.get(case.id)) for case in cases]


def _words(q: str | None) -> list[str]:
    try:
        return [] if q is None else search_words(q)
    except BadSearch as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"q: {error}") from None


def _position(cursor: str | None, belongs: str, offset: int) -> Position | None:
    if cursor is None:
        return None
    if offset:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "cursor: use either a cursor or an offset")
    try:
        return cursors.decode(cursor, belongs)
    except BadCursor as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"cursor: {error}") from None


@router.get("/cases/{case_id}", dependencies=READ)
async def get_case(
    ports: PortsDep, replies: RepliesDep, notes: NotesDep, case_id: UUID
) -> CaseDetail:
    """A case with its conversation in platform order, its replies, its internal notes and
    the customer's profile."""
    case = await _case(ports, case_id)
    timeline = await ports.timeline.of_case(case_id)
    messages = [MessageView.of(m) for m in timeline]
    sent = [ReplyView.of(r) for r in await replies.of_case(case_id)]
    written = [NoteView.of(n) for n in await notes.of_case(case_id)]
    profile = await ports.profiles.get(case.profile_id)
    latest = next((m for m in reversed(timeline) if m.kind == "customer"), None)
    view = CaseView.of(case, latest).model_dump()
    return CaseDetail.model_validate(
        {**view, "messages": messages, "replies": sent, "notes": written, "profile": profile}
    )


@router.post("/cases/{case_id}/claim", dependencies=READ)
async def claim_case(ports: PortsDep, principal: Agent, case_id: UUID) -> CaseView:
    """Take the case as the calling agent; 409 when another agent holds it."""
    return CaseView.of(await case_actions.claim(ports, case_id, principal.subject))


@router.post("/queues/{queue}/claim", dependencies=READ)
async def claim_next(ports: PortsDep, principal: Agent, queue: Name) -> CaseView:
    """Take the most urgent unassigned case of the queue; 404 when there is none."""
    case = await case_actions.claim_next(ports, queue, principal.subject)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no unassigned case in this queue")
    return CaseView.of(case)


@router.post("/cases/{case_id}/assign", dependencies=[*SUPERVISE, JsonBody])
async def assign_case(ports: PortsDep, case_id: UUID, body: Assignment) -> CaseView:
    """Give the case to an agent (a supervisor may take it from another)."""
    return CaseView.of(await case_actions.claim(ports, case_id, body.agent_id, steal=True))


@router.post("/cases/{case_id}/release", dependencies=READ)
async def release_case(ports: PortsDep, principal: Agent, case_id: UUID) -> CaseView:
    """Put the case back in its queue: by the agent holding it, or a supervisor."""
    case = await _case(ports, case_id)
    if case.assignee != principal.subject and not supervises(principal):
        raise HTTPException(status.HTTP_409_CONFLICT, "another agent holds the case")
    return CaseView.of(await case_actions.unassign(ports, case_id))


@router.post("/cases/{case_id}/state", dependencies=[*READ, JsonBody])
async def change_state(
    ports: PortsDep, principal: Agent, case_id: UUID, body: StateChange
) -> CaseView:
    """Mark the case waiting on the customer, or resolved: by its agent, or a supervisor."""
    holder = None if supervises(principal) else principal.subject
    return CaseView.of(await case_actions.set_state(ports, case_id, body.state, holder))


@router.post(
    "/cases/{case_id}/replies",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[*READ, JsonBody],
    responses=refused(409),
)
async def reply(
    ports: PortsDep, replies: RepliesDep, principal: Agent, case_id: UUID, body: ReplyIn
) -> ReplyView:
    """Answer the customer through the platform's connector; 202 once the reply is stored
    for delivery. Only the agent holding the case replies."""
    fields = {"channel": body.channel, "account": body.account}
    stored = await replying.send(
        ports, replies, case_id, principal.subject, body.reply_id, body.text, **fields
    )
    return ReplyView.of(stored)


@router.get("/cases/{case_id}/suggestions", dependencies=READ)
async def suggestions(ports: PortsDep, case_id: UUID) -> list[Suggestion]:
    """Reply templates for the case's intents and language, filled in, for the agent to edit."""
    case = await _case(ports, case_id)
    profile = await ports.profiles.get(case.profile_id)
    stage = profile.stage if profile else None
    return suggest(case.intents, case.language, case.handle, stage, str(case.id)[:8])
