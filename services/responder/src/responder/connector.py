"""Platform connectors: an agent's reply is POSTed as JSON to the endpoint configured for its
platform, with the reply id as ``Idempotency-Key`` so a retried delivery is recognised there.

The sender works through the replies outbox: lease the next due reply, deliver it, and on
success mark it sent and record the response on its case in one transaction. A failure is
retried with doubling backoff up to ``reply_max_attempts``; a 4xx other than 408/429 is the
platform refusing the reply, which retrying will not fix.
"""

import logging
from datetime import timedelta

import httpx
from prometheus_client import Counter
from pymongo.asynchronous.client_session import AsyncClientSession

from rapport.retry import backoff_s
from rapport.workers import Poller
from responder.desk import Decide, Desk, Step
from responder.domain.case import Case, add_response, caused
from responder.stores.replies import Replies, Reply
from responder.stores.timeline import Message

log = logging.getLogger(__name__)
RETRYABLE_4XX = {408, 429}
SENT = Counter("rapport_replies_sent_total", "Replies the platform accepted", ["platform"])
FAILURES = Counter(
    "rapport_reply_delivery_failures_total",
    "Failed reply deliveries: retried later, or given up (refused, or out of attempts)",
    ["platform", "outcome"],
)


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Connector:
    def __init__(self, endpoints: dict[str, str], client: httpx.AsyncClient) -> None:
        self._endpoints = endpoints
        self._client = client

    async def deliver(self, reply: Reply) -> str | None:
        """Send the reply; the id the platform gave it, if it says."""
        endpoint = self._endpoints.get(reply.platform)
        if endpoint is None:
            raise DeliveryFailed(f"no connector endpoint for {reply.platform}", permanent=True)
        body = {
            "reply_id": str(reply.id),
            "platform": reply.platform,
            "in_reply_to": reply.in_reply_to,
            "text": reply.text,
        }
        try:
            response = await self._client.post(
                endpoint, json=body, headers={"Idempotency-Key": str(reply.id)}
            )
        except httpx.HTTPError as error:
            raise DeliveryFailed(type(error).__name__) from error
        if response.is_success:
            found = response.json().get("id") if response.content else None
            return str(found) if found is not None else None
        permanent = response.is_client_error and response.status_code not in RETRYABLE_4XX
        raise DeliveryFailed(f"HTTP {response.status_code}", permanent=permanent)


class ReplySender(Poller):
    def __init__(
        self,
        desk: Desk,
        replies: Replies,
        connector: Connector,
        *,
        max_attempts: int,
        first_backoff_s: float,
        max_backoff_s: float,
        lease_s: float,
        poll_s: float,
    ) -> None:
        super().__init__(poll_s)
        self._desk = desk
        self._replies = replies
        self._connector = connector
        self._max_attempts = max_attempts
        self._first_backoff_s = first_backoff_s
        self._max_backoff_s = max_backoff_s
        self._lease = timedelta(seconds=lease_s)

    async def step(self) -> bool:
        return await self.send_next()

    async def send_next(self) -> bool:
        """Deliver the next due reply, if any; whether there was one."""
        reply = await self._replies.lease(self._desk.clock(), self._lease)
        if reply is None:
            return False
        try:
            external_id = await self._connector.deliver(reply)
        except DeliveryFailed as error:
            await self._failed(reply, error)
            return True
        await self._desk.change(reply.case_id, self._sent(reply, external_id))
        SENT.labels(reply.platform).inc()
        return True

    async def _failed(self, reply: Reply, error: DeliveryFailed) -> None:
        attempts = reply.attempts + 1
        backoff = backoff_s(attempts, first_s=self._first_backoff_s, max_s=self._max_backoff_s)
        give_up = error.permanent or attempts >= self._max_attempts
        retry_at = None if give_up else self._desk.clock() + timedelta(seconds=backoff)
        FAILURES.labels(reply.platform, "gave_up" if give_up else "retrying").inc()
        log.warning(
            "reply delivery failed",
            extra={"reply_id": str(reply.id), "attempts": attempts, "error": str(error)},
        )
        await self._replies.retry_later(reply, str(error), retry_at)

    def _sent(self, reply: Reply, external_id: str | None) -> Decide:
        desk, replies = self._desk, self._replies

        async def decide(case: Case) -> Step | None:
            cause = f"reply:{reply.id}"
            if cause in case.causes:
                return None
            at = desk.clock()
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

            async def also(session: AsyncClientSession) -> None:
                await replies.mark_sent(reply, at, external_id, session)
                await desk.timeline.add(sent, session)

            return Step(caused(add_response(case, at), cause), [("replied", None)], also)

        return decide
