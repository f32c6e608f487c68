"""Rate limits on every route but the probes, per source address, per token and per webhook
source, answered with 429 and ``Retry-After``.

Every request counts first against its source address (``RAPPORT_RATE_LIMIT_ADDRESS``), before
its token is verified or its body read; then against one more limit:

- a webhook (a signed route): its source, the path's ``{source}`` or else the route
  (``RAPPORT_RATE_LIMIT_WEBHOOKS``);
- a bearer route with a token the verifier accepts: the token's subject, by route class
  (``..._READS`` for GET, ``..._IMPORTS`` for a streamed upload, ``..._WRITES`` otherwise);
- anything else (no token or a bad one, docs, console files, unknown paths): the address again
  (``..._TOKENLESS``).

The counts are limits' sliding window counters in this process's memory: behind a load
balancer that spreads requests over N replicas, a caller gets up to N times each limit.
"""

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_address

from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.security.utils import get_authorization_scheme_param
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from rapport.api import OPEN_PATHS, declared_scopes, is_signed
from rapport.asgi import UNMATCHED, matched_route
from rapport.auth import InvalidToken
from rapport.routes import Endpoint
from rapport.settings import RapportSettings
from rapport.verifier import KeysUnavailable, TokenVerifier

log = logging.getLogger(__name__)
Network = IPv4Network | IPv6Network
REFUSED = Counter(
    "rapport_rate_limited_total",
    "Requests refused with 429, by route template and the limit they reached",
    ["service", "route", "limit"],
)


class Limit(StrEnum):
    """Which limit a request counts against: the setting ``rate_limit_<name>``."""

    ADDRESS = "address"
    TOKENLESS = "tokenless"
    READS = "reads"
    WRITES = "writes"
    IMPORTS = "imports"
    WEBHOOKS = "webhooks"


KEYED_BY = {
    Limit.ADDRESS: "source address",
    Limit.TOKENLESS: "source address without a token",
    Limit.READS: "token",
    Limit.WRITES: "token",
    Limit.IMPORTS: "token",
    Limit.WEBHOOKS: "webhook source",
}


def parsed(limits: str) -> list[RateLimitItem]:
    """``"100/second;3000/minute"``: every one of them holds (ValueError if one is malformed)."""
    return parse_many(limits)


def wording(items: Sequence[RateLimitItem]) -> str:
    return " and ".join(
        f"{item.amount} per {item.multiples} {item.GRANULARITY.name}" for item in items
    )


@dataclass(frozen=True)
class Refusal:
    limit: Limit
    items: Sequence[RateLimitItem]
    retry_after_s: int

    @property
    def detail(self) -> str:
        return (
            f"too many requests: the {self.limit} limit per {KEYED_BY[self.limit]} is "
            f"{wording(self.items)}; retry after {self.retry_after_s} s"
        )


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage, sweeping out expired windows at most once a second: its own
    sweep walks every key on every hit (5.8 ms a hit with 20,000 addresses known). Expired
    counts are dropped as they are read anyway; the sweep only frees memory."""

    def __init__(self, sweep_every_s: float = 1.0) -> None:
        super().__init__()
        self.sweep_every_s = sweep_every_s
        self.swept_at = -math.inf

    async def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self.swept_at >= self.sweep_every_s:
            self.swept_at = now
            await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


class Limiter:
    """Hits limits by key in memory (one sliding window counter per limit and key)."""

    def __init__(
        self, limits: dict[Limit, list[RateLimitItem]], storage: MemoryStorage | None = None
    ) -> None:
        self.limits = limits
        self.windows = SlidingWindowCounterRateLimiter(storage or SweptMemoryStorage())

    @classmethod
    def of(cls, settings: RapportSettings) -> "Limiter":
        return cls({limit: parsed(getattr(settings, f"rate_limit_{limit}")) for limit in Limit})

    def describe(self, limit: Limit) -> str:
        """``1200 per 1 minute per token (reads)``: for the OpenAPI document."""
        return f"{wording(self.limits[limit])} per {KEYED_BY[limit]} ({limit})"

    async def hit(self, limit: Limit, key: str) -> Refusal | None:
        for item in self.limits[limit]:
            if not await self.windows.hit(item, limit, key):
                stats = await self.windows.get_window_stats(item, limit, key)
                wait = math.floor(stats.reset_time - time.time()) + 1  # past the reset, not on it
                return Refusal(limit, self.limits[limit], max(1, wait))
        return None


def client_address(scope: Scope, trusted: Sequence[Network]) -> str:
    """The peer's address; behind trusted proxies, the last ``X-Forwarded-For`` entry that
    is not one of them (the ones before it could be written by anyone)."""
    client = scope.get("client")
    address = str(client[0]) if client else "unknown"
    if not _trusted(address, trusted):
        return address
    forwarded = Request(scope).headers.getlist("x-forwarded-for")
    hops = [hop.strip() for header in forwarded for hop in header.split(",")]
    for hop in reversed(hops):
        if not _valid(hop):
            break
        address = hop
        if not _trusted(hop, trusted):
            break
    return address


def _valid(address: str) -> bool:
    try:
        ip_address(address)
    except ValueError:
        return False
    return True


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    return _valid(address) and any(ip_address(address) in network for network in trusted)


def route_limit(endpoint: Endpoint | None, method: str, streamed: bool) -> Limit:
    """The limit a request counts against besides its address (``TOKENLESS`` without a
    verified token)."""
    route = endpoint.api_route if endpoint else None
    if route is None:
        return Limit.TOKENLESS
    if is_signed(route.dependant):
        return Limit.WEBHOOKS
    if declared_scopes(route.dependant) is None:
        return Limit.TOKENLESS
    if method in ("GET", "HEAD"):
        return Limit.READS
    return Limit.IMPORTS if streamed else Limit.WRITES


def webhook_source(endpoint: Endpoint, path: str) -> str:
    """The path's ``{source}`` (generic webhooks), else the route (``/v1/webhooks/x``)."""
    found = endpoint.pattern.match(path)
    source = found.groupdict().get("source") if found else None
    return f"{endpoint.template}:{source}" if source else endpoint.template


class RateLimit:
    """429 with ``Retry-After`` past a limit, before the token is checked or the body read."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: Limiter,
        verifier: TokenVerifier,
        trusted_proxies: Sequence[Network],
        service: str,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.verifier = verifier
        self.trusted = trusted_proxies
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        endpoint = matched_route(scope)
        refusal = await self._refusal(scope, endpoint)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        route = endpoint.template if endpoint else UNMATCHED
        REFUSED.labels(self.service, route, refusal.limit).inc()
        log.warning("rate limited: %s by the %s limit", route, refusal.limit.value)
        answer = JSONResponse(
            {"detail": refusal.detail},
            429,
            headers={"Retry-After": str(refusal.retry_after_s)},
        )
        await answer(scope, receive, send)

    async def _refusal(self, scope: Scope, endpoint: Endpoint | None) -> Refusal | None:
        address = client_address(scope, self.trusted)
        if refused := await self.limiter.hit(Limit.ADDRESS, address):
            return refused
        streamed = getattr(scope["app"].state, "streamed_bodies", {})
        limit = route_limit(endpoint, str(scope["method"]), scope["path"] in streamed)
        if limit is Limit.WEBHOOKS and endpoint:
            return await self.limiter.hit(limit, webhook_source(endpoint, scope["path"]))
        if limit is not Limit.TOKENLESS and (subject := await self._subject(scope)):
            return await self.limiter.hit(limit, subject)
        return await self.limiter.hit(Limit.TOKENLESS, address)

    async def _subject(self, scope: Scope) -> str | None:
        """The verified token's subject; None without a valid token (refused further on)."""
        scheme, token = get_authorization_scheme_param(Request(scope).headers.get("authorization"))
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            return (await self.verifier.principal(token)).subject
        except (InvalidToken, KeysUnavailable):
            return None
