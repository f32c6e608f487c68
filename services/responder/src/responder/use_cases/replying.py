"""Agents' replies from the API: a new one, a failed one sent again (Retry), or a failed one
corrected by a new reply that supersedes it (Edit). Only the agent holding a live case
replies; the reply sender (``reply_delivery``) then delivers each reply at most once."""

from typing import Any
from uuid import UUID

from rapport.errors import Conflict, NotFound
from responder.domain.case import Case
from responder.domain.replies import Reply, reply_to
from responder.ports import Ports, ReplyStore
from responder.use_cases.case_changes import CaseError, UnknownCase


class UnknownReply(NotFound):
    reason = "no such reply on this case"


class ReplyIdTaken(Conflict):
    reason = "this reply id was used for another reply"


class NotFailed(Conflict):
    """Only a failed reply that no edit has corrected is retried or edited."""


async def _answerable(ports: Ports, case_id: UUID, agent: str) -> Case:
    case = await ports.cases.get(case_id)
    if case is None:
        raise UnknownCase(str(case_id))
    if case.assignee != agent:
        raise CaseError("claim the case before replying")
    if not case.active:
        raise CaseError("the case is resolved")
    return case


async def send(
    ports: Ports,
    replies: ReplyStore,
    case_id: UUID,
    agent: str,
    reply_id: UUID,
    text: str,
    **fields: Any,
) -> Reply:
    """Store the reply for delivery (once per id: the same call again answers the stored one)."""
    case = await _answerable(ports, case_id, agent)
    stored = await replies.add(reply_to(case, agent, reply_id, text, ports.clock(), **fields))
    if (stored.case_id, stored.text) != (case_id, text):
        raise ReplyIdTaken(str(reply_id))
    ports.wake_sender()
    return stored


async def _of_case(replies: ReplyStore, case_id: UUID, reply_id: UUID) -> Reply:
    reply = await replies.get(reply_id)
    if reply is None or reply.case_id != case_id:
        raise UnknownReply(str(reply_id))
    return reply


def _failed(reply: Reply, corrected_by: UUID | None = None) -> None:
    if reply.superseded_by not in (None, corrected_by):
        raise NotFailed("an edit replaced this reply: retry or edit that one")
    if reply.state != "failed":
        raise NotFailed(f"only a failed reply is retried or edited; this one is {reply.state}")


async def retry(
    ports: Ports, replies: ReplyStore, case_id: UUID, reply_id: UUID, agent: str
) -> Reply:
    """The failed reply due again now, as it was (same id, text and channel: a platform that
    already holds the post gets no second one); a reply already on its way is left so."""
    await _answerable(ports, case_id, agent)
    reply = await _of_case(replies, case_id, reply_id)
    if reply.state in ("pending", "sending"):
        return reply
    _failed(reply)
    again = await replies.retry_now(reply_id, ports.clock())
    if again is None:
        return await _of_case(replies, case_id, reply_id)
    ports.wake_sender()
    return again


async def edit(
    ports: Ports,
    replies: ReplyStore,
    case_id: UUID,
    reply_id: UUID,
    agent: str,
    new_id: UUID,
    text: str,
) -> Reply:
    """A new reply ``new_id`` with the corrected text, on the failed one's channel and account;
    the failed one is marked superseded (and never retried). Repeating the call is harmless."""
    await _answerable(ports, case_id, agent)
    failed = await _of_case(replies, case_id, reply_id)
    earlier = await replies.get(new_id)
    if new_id == reply_id or (earlier is not None and earlier.supersedes != reply_id):
        raise ReplyIdTaken(str(new_id))
    _failed(failed, new_id)
    if await replies.supersede(reply_id, new_id) is None:
        raise NotFailed("another edit replaced this reply meanwhile")
    fields = {"channel": failed.channel, "account": failed.account, "supersedes": failed.id}
    return await send(ports, replies, case_id, agent, new_id, text, **fields)
