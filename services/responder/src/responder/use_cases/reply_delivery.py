"""Agents' replies out through the platform connector: lease the next due reply, deliver it,
and on success mark it sent and record the response on its case in one transaction. A
failure is retried with doubling backoff up to ``max_attempts``, or at the time a rate-limited
platform named; a permanent one is final."""

import logging

from prometheus_client import Counter

from responder.domain.case import Case, add_response, caused
from responder.domain.messages import Message
from responder.domain.replies import Reply
from responder.domain.retries import Retries
from responder.ports import Connector, DeliveryFailed, Ports, ReplyStore, Transaction
from responder.use_cases.case_changes import Decide, Step, change

log = logging.getLogger(__name__)
SENT = Counter("rapport_replies_sent_total", "Replies the platform accepted", ["platform"])
FAILURES = Counter(
    "rapport_reply_delivery_failures_total",
    "Failed reply deliveries: retried later, or given up (refused, or out of attempts)",
    ["platform", "outcome"],
)


async def send_next(
    ports: Ports, replies: ReplyStore, connector: Connector, retries: Retries
) -> bool:
    """Deliver the next due reply, if any; whether there was one."""
    reply = await replies.lease(ports.clock(), retries.lease)
    if reply is None:
        return False
    try:
        external_id = await connector.deliver(reply)
    except DeliveryFailed as error:
        await _failed(ports, replies, retries, reply, error)
        return True
    await change(ports, reply.case_id, _sent(ports, reply, external_id))
    SENT.labels(reply.platform).inc()
    return True


async def _failed(
    ports: Ports, replies: ReplyStore, retries: Retries, reply: Reply, error: DeliveryFailed
) -> None:
    attempts = reply.attempts + 1
    retry_at = retries.next_attempt(
        attempts, ports.clock(), permanent=error.permanent, retry_at=error.retry_at
    )
    FAILURES.labels(reply.platform, "gave_up" if retry_at is None else "retrying").inc()
    log.warning(
        "reply delivery failed",
        extra={"reply_id": str(reply.id), "attempts": attempts, "error": str(error)},
    )
    await replies.retry_later(reply, str(error), retry_at)


def _sent(ports: Ports, reply: Reply, external_id: str | None) -> Decide:
    async def decide(case: Case) -> Step | None:
        cause = f"reply:{reply.id}"
        if cause in case.causes:
            return None
        at = ports.clock()
        sent = Message.model_validate(
            {
                "_id": reply.id,
                "kind": "agent",
                "case_id": case.id,
                "platform": reply.platform,
                "external_id": external_id,
                "in_reply_to": reply.in_reply_to,
                "author_id": reply.agent,
                "text": reply.text,
                "created_at": at,
            }
        )

        async def also(tx: Transaction) -> None:
            await tx.replies.mark_sent(reply, at, external_id)
            await tx.timeline.add(sent)

        return Step(caused(add_response(case, at), cause), [("replied", None)], also)

    return decide
