"""Meta's Graph API from a page access token: a Facebook comment is answered with
``POST /{comment-id}/comments``, an Instagram comment with ``POST /{ig-comment-id}/replies``,
a Messenger or Instagram conversation with ``POST /{page-id}/messages`` (only within 24 h of
the customer's last message). Graph errors by code: 4, 17, 32, 613 are rate limits (retried
when ``x-business-use-case-usage`` says access is back, else with backoff), 190 an expired or
revoked token (failed until a new one is PUT), 1, 2 and ``is_transient`` retried, others
refused."""

import json
from datetime import timedelta
from typing import Any

import httpx

from responder.connectors.calls import call, json_of
from responder.domain.accounts import Account
from responder.domain.clock import Clock
from responder.domain.replies import MESSAGING_WINDOW, Reply, within_messaging_window
from responder.ports import AccountStore, DeliveryFailed

RATE_LIMITED = {4, 17, 32, 613}
TRANSIENT = {1, 2}
EXPIRED_TOKEN = 190
OUTSIDE_WINDOW = {2018278, 2534022}
EDGES = {"facebook": ("comments", "from"), "instagram": ("replies", "username")}


class MetaConnector:
    def __init__(
        self, http: httpx.AsyncClient, base_url: str, accounts: AccountStore, clock: Clock
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._accounts = accounts
        self._clock = clock

    async def deliver(self, reply: Reply, account: Account) -> str:
        tokens = await self._accounts.tokens(account)
        if tokens is None:
            raise DeliveryFailed(f"no page token for {account.handle}", permanent=True)
        token = tokens.access_token
        if reply.channel == "direct":
            return await self._message(reply, account, token)
        if reply.in_reply_to is None:
            raise DeliveryFailed("a public reply needs the comment it answers", permanent=True)
        edge, author = EDGES[reply.platform]
        path = f"/{reply.in_reply_to}/{edge}"
        if reply.leased > 1 and (found := await self._posted(reply, account, token, path, author)):
            return found
        response = await self._send("POST", path, account, token, json={"message": reply.text})
        return str(json_of(response)["id"])

    async def _message(self, reply: Reply, account: Account, token: str) -> str:
        if reply.recipient is None:
            raise DeliveryFailed("a message needs the customer's id", permanent=True)
        if not within_messaging_window(reply, self._clock()):
            raise DeliveryFailed(_outside_window(), permanent=True)
        body = {
            "recipient": {"id": reply.recipient},
            "messaging_type": "RESPONSE",
            "message": {"text": reply.text},
        }
        path = f"/{account.account_id}/messages"
        response = await self._send("POST", path, account, token, json=body)
        return str(json_of(response)["message_id"])

    async def _posted(
        self, reply: Reply, account: Account, token: str, path: str, author: str
    ) -> str | None:
        """The page's reply under the same comment with the same text, if an earlier try made it."""
        text = "message" if reply.platform == "facebook" else "text"
        params = {"fields": f"id,{text},{author}", "limit": "100"}
        response = await self._send("GET", path, account, token, params=params)
        for comment in json_of(response).get("data", []):
            by = comment.get(author)
            mine = (
                by.get("id") == account.account_id if isinstance(by, dict) else by == account.handle
            )
            if mine and comment.get(text) == reply.text:
                return str(comment["id"])
        return None

    async def _send(
        self, method: str, path: str, account: Account, token: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        response = await call(self._http, method, self._base + path, headers=headers, **kwargs)
        if response.is_success:
            return response
        raise self._failure(response, account)

    def _failure(self, response: httpx.Response, account: Account) -> DeliveryFailed:
        error = json_of(response).get("error", {})
        code, subcode = error.get("code"), error.get("error_subcode")
        said = f"Graph code {code}" + (f"/{subcode}" if subcode else "")
        if code in RATE_LIMITED:
            wait = _regain_access_minutes(response)
            at = None if not wait else self._clock() + timedelta(minutes=wait)
            return DeliveryFailed(f"Meta rate limit ({said})", retry_at=at)
        if code == EXPIRED_TOKEN:
            return DeliveryFailed(
                f"the page token of {account.handle} expired or was revoked ({said}): its "
                "replies fail until a new token is PUT to "
                f"/v1/accounts/{account.platform}/{account.handle}",
                permanent=True,
            )
        if subcode in OUTSIDE_WINDOW:
            return DeliveryFailed(_outside_window(), permanent=True)
        if code == 100 and subcode == 33:
            return DeliveryFailed(
                f"the comment being answered was deleted or cannot be seen ({said})", permanent=True
            )
        if code in TRANSIENT or error.get("is_transient") or response.is_server_error:
            return DeliveryFailed(f"Meta HTTP {response.status_code} ({said})")
        return DeliveryFailed(
            f"Meta refused the reply ({said}): {error.get('message', '')}", permanent=True
        )


def _regain_access_minutes(response: httpx.Response) -> float:
    """The longest ``estimated_time_to_regain_access`` in ``x-business-use-case-usage``."""
    try:
        usage = json.loads(response.headers.get("x-business-use-case-usage", "{}"))
        return max(
            (
                float(entry.get("estimated_time_to_regain_access", 0))
                for entries in usage.values()
                for entry in entries
            ),
            default=0.0,
        )
    except (ValueError, AttributeError, TypeError):
        return 0.0


def _outside_window() -> str:
    hours = int(MESSAGING_WINDOW.total_seconds() // 3600)
    return (
        f"outside Meta's {hours}-hour messaging window: the customer's last message is older; "
        "answer publicly, or wait for them to write again"
    )
