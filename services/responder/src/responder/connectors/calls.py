"""What the connectors share: an HTTP call whose network failure is a transient
``DeliveryFailed``, and the per-account rate-limit holds read from the platforms' headers."""

from datetime import UTC, datetime
from typing import Any

import httpx

from responder.ports import DeliveryFailed


async def call(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        return await http.request(method, url, **kwargs)
    except httpx.HTTPError as error:
        raise DeliveryFailed(type(error).__name__) from error


def json_of(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class RateLimits:
    """Accounts the platform said are out of requests until a time (this process only)."""

    def __init__(self) -> None:
        self._until: dict[str, datetime] = {}

    def check(self, account: str, now: datetime) -> None:
        until = self._until.get(account)
        if until is not None and until > now:
            raise DeliveryFailed(f"rate limited until {until.isoformat()}", retry_at=until)

    def hold(self, account: str, until: datetime) -> None:
        self._until[account] = until


def epoch(value: str | None) -> datetime | None:
    """An epoch-seconds header (``x-rate-limit-reset``) as a time; None if absent or garbled."""
    try:
        return None if value is None else datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError):
        return None
