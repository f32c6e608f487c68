"""Platform connectors: an agent's reply is POSTed as JSON to the endpoint configured for its
platform, with the reply id as ``Idempotency-Key`` so a retried delivery is recognised there.
A 4xx other than 408/429 is the platform refusing the reply, which retrying will not fix; its
reason (a JSON ``detail``) is kept with the failure, for the agent to read."""

import httpx

from responder.domain.replies import Reply
from responder.ports import DeliveryFailed

RETRYABLE_4XX = {408, 429}


class ConnectorClient:
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
        raise DeliveryFailed(_refusal(response), permanent=permanent)


def _refusal(response: httpx.Response) -> str:
    """``HTTP <status>``, with the platform's own reason when its JSON body has a ``detail``."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    reason = f": {detail[:200]}" if isinstance(detail, str) and detail else ""
    return f"HTTP {response.status_code}{reason}"
