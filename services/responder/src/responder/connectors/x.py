"""X API v2 from a brand account's OAuth 2.0 user-context token: a public reply is
``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``, a direct message
``POST /2/dm_conversations/with/:participant_id/messages``. A token about to expire is first
refreshed (``POST /2/oauth2/token``, ``grant_type=refresh_token``). ``x-rate-limit-remaining``
0 holds the account until ``x-rate-limit-reset``; a 429 reschedules the reply to that time."""

from datetime import datetime, timedelta
from typing import Any

import httpx

from responder.connectors.calls import RateLimits, call, epoch, json_of
from responder.domain.accounts import Account, Tokens
from responder.domain.clock import Clock
from responder.domain.replies import Reply
from responder.ports import AccountStore, DeliveryFailed

DUPLICATE = "duplicate content"
GONE = ("deleted or not visible", "not found")


class XConnector:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        accounts: AccountStore,
        clock: Clock,
        *,
        client_id: str | None,
        client_secret: str | None,
        refresh_margin: timedelta,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._accounts = accounts
        self._clock = clock
        self._client_id = client_id
        self._client_secret = client_secret
        self._margin = refresh_margin
        self._limits = RateLimits()

    async def deliver(self, reply: Reply, account: Account) -> str:
        self._limits.check(account.handle, self._clock())
        token = (await self._fresh_tokens(account)).access_token
        if reply.channel == "direct":
            if reply.recipient is None:
                raise DeliveryFailed("a direct message needs the customer's id", permanent=True)
            path, key = f"/2/dm_conversations/with/{reply.recipient}/messages", "dm_event_id"
            body: dict[str, Any] = {"text": reply.text}
        else:
            if reply.leased > 1 and (found := await self._posted(reply, account, token)):
                return found
            path, key = "/2/tweets", "id"
            body = {"text": reply.text}
            if reply.in_reply_to is not None:
                body["reply"] = {"in_reply_to_tweet_id": reply.in_reply_to}
        response = await self._send("POST", path, account, token, json=body)
        return str(json_of(response)["data"][key])

    async def _posted(self, reply: Reply, account: Account, token: str) -> str | None:
        """The brand's recent post answering the same post with the same text, if any."""
        params = {"max_results": "100", "tweet.fields": "referenced_tweets"}
        path = f"/2/users/{account.account_id}/tweets"
        response = await self._send("GET", path, account, token, params=params)
        for tweet in json_of(response).get("data", []):
            answered = {
                ref.get("id")
                for ref in tweet.get("referenced_tweets", [])
                if ref.get("type") == "replied_to"
            }
            if tweet.get("text") == reply.text and (reply.in_reply_to in answered):
                return str(tweet["id"])
        return None

    async def _send(
        self, method: str, path: str, account: Account, token: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        response = await call(self._http, method, self._base + path, headers=headers, **kwargs)
        reset = epoch(response.headers.get("x-rate-limit-reset"))
        if response.headers.get("x-rate-limit-remaining") == "0" and reset is not None:
            self._limits.hold(account.handle, reset)
        if response.is_success:
            return response
        raise _failure(response, account, reset)

    async def _fresh_tokens(self, account: Account) -> Tokens:
        tokens = await self._accounts.tokens(account)
        if tokens is None:
            raise DeliveryFailed(f"no token for X account @{account.handle}", permanent=True)
        now = self._clock()
        if not tokens.expiring(now, self._margin):
            return tokens
        if tokens.refresh_token is None or self._client_id is None:
            if tokens.expires_at is not None and tokens.expires_at <= now:
                raise DeliveryFailed(_reauthorise(account, "its token expired"), permanent=True)
            return tokens
        renewed = await self._refresh(account, tokens.refresh_token, now)
        await self._accounts.refreshed(account, renewed)
        return renewed

    async def _refresh(self, account: Account, refresh_token: str, now: datetime) -> Tokens:
        assert self._client_id is not None
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self._client_id,
        }
        auth = None if self._client_secret is None else (self._client_id, self._client_secret)
        url = self._base + "/2/oauth2/token"
        response = await call(self._http, "POST", url, data=form, auth=auth)
        if response.is_server_error:
            raise DeliveryFailed(f"X token refresh: HTTP {response.status_code}")
        answer = json_of(response)
        if not response.is_success or "access_token" not in answer:
            why = f"X refused to refresh its token ({answer.get('error', response.status_code)})"
            raise DeliveryFailed(_reauthorise(account, why), permanent=True)
        return Tokens(
            answer["access_token"],
            answer.get("refresh_token", refresh_token),
            now + timedelta(seconds=int(answer.get("expires_in", 7200))),
        )


def _failure(response: httpx.Response, account: Account, reset: datetime | None) -> DeliveryFailed:
    status = response.status_code
    detail = str(json_of(response).get("detail", ""))
    if status == 429:
        return DeliveryFailed("X rate limit (429)", retry_at=reset)
    if status >= 500:
        return DeliveryFailed(f"X HTTP {status}")
    if status == 401:
        return DeliveryFailed(_reauthorise(account, "X refused its token (401)"), permanent=True)
    if DUPLICATE in detail.lower():
        return DeliveryFailed(
            f"X refused a duplicate: @{account.handle} already posted this text", permanent=True
        )
    if any(gone in detail.lower() for gone in GONE):
        return DeliveryFailed(
            "the post being answered was deleted or is not visible", permanent=True
        )
    return DeliveryFailed(f"X refused the reply: HTTP {status} {detail}".strip(), permanent=True)


def _reauthorise(account: Account, why: str) -> str:
    return (
        f"X account @{account.handle}: {why}; authorise it again and PUT its new token to "
        f"/v1/accounts/x/{account.handle}"
    )
