"""A failed reply: sent again as it was (Retry), or corrected by a new reply (Edit)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import Field

from rapport.api import JsonBody, StrictModel
from rapport.openapi import refused
from responder.api.deps import READ, Agent, PortsDep, RepliesDep
from responder.api.views import ReplyView
from responder.use_cases import replying

router = APIRouter(prefix="/v1", tags=["cases"])


class Correction(StrictModel):
    reply_id: UUID
    """The new reply's id, chosen by the caller (repeating the edit is recognised)."""
    text: Annotated[str, Field(min_length=1, max_length=2_000)]


@router.post(
    "/cases/{case_id}/replies/{reply_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=READ,
    responses=refused(409),
)
async def retry_reply(
    ports: PortsDep, replies: RepliesDep, principal: Agent, case_id: UUID, reply_id: UUID
) -> ReplyView:
    """Send a failed reply again, the same reply under the same id: the platform gets it at
    most once. By the agent holding the case."""
    return ReplyView.of(await replying.retry(ports, replies, case_id, reply_id, principal.subject))


@router.post(
    "/cases/{case_id}/replies/{reply_id}/edit",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[*READ, JsonBody],
    responses=refused(409),
)
async def edit_reply(
    ports: PortsDep,
    replies: RepliesDep,
    principal: Agent,
    case_id: UUID,
    reply_id: UUID,
    body: Correction,
) -> ReplyView:
    """Send corrected text as a new reply (same channel and account) that supersedes the
    failed one, which is then never retried. By the agent holding the case."""
    new = await replying.edit(
        ports, replies, case_id, reply_id, principal.subject, body.reply_id, body.text
    )
    return ReplyView.of(new)
