"""Slack-compatible incoming webhooks: POST ``{"text", "blocks"}``; 2xx is delivered, 429 waits
``Retry-After``, 5xx (and 408) or a network failure is transient, any other 4xx (``no_service``,
410 for a removed hook) is permanent."""

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from responder.connectors.calls import call
from responder.notifications.domain.rendering import Rendered
from responder.notifications.ports import DeliveryFailed

DEFAULT_RETRY_AFTER_S, MAX_RETRY_AFTER_S = 30, 3600


class SlackWebhooks:
    def __init__(self, http: httpx.AsyncClient, clock: Callable[[], datetime]) -> None:
        self._http = http
        self._clock = clock

    async def send(self, address: str, message: Rendered) -> None:
        response = await call(self._http, "POST", address, json=message.slack())
        status = response.status_code
        if status < 300:
            return
        answer = f"webhook answered {status} {response.text[:100]}".strip()
        if status == 429:
            wait = _seconds(response.headers.get("retry-after"))
            raise DeliveryFailed(answer, retry_at=self._clock() + timedelta(seconds=wait))
        raise DeliveryFailed(answer, permanent=400 <= status < 500 and status != 408)


def _seconds(value: str | None) -> int:
    try:
        seconds = int(value) if value is not None else DEFAULT_RETRY_AFTER_S
    except ValueError:
        seconds = DEFAULT_RETRY_AFTER_S
    return min(max(seconds, 0), MAX_RETRY_AFTER_S)
